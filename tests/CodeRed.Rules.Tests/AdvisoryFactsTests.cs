using CodeRed.Rules.Model;
using CodeRed.Rules.Products;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Every fact of ADVISORY.md, read back from the default pack and proven by evaluation.</summary>
public class AdvisoryFactsTests
{
    public static TheoryData<string, string, string, bool, string> Matrix => new()
    {
        // model, status, note, workaround applies, fixed in
        { "AR100", "not-affected", "port80-discarded", false, "pending" },
        { "AR130", "affected", "symptoms-only", true, "pending" },
        { "AR160", "affected", "symptoms-only", true, "pending" },
        { "AR220E", "not-affected", "dmz-servers", false, "pending" },
        { "AR300", "not-affected", "port80-discarded", false, "pending" },
        { "AR300L", "not-affected", "port80-discarded", false, "pending" },
        { "AR300 V2", "affected", "symptoms-only", true, "2.0.4 PL 7" },
        { "AR300L V2", "affected", "symptoms-only", true, "2.0.4 PL 7" },
        { "AR320", "affected", "symptoms-only", true, "2.0.4 PL 7" },
        { "AR720", "affected", "symptoms-only", true, "2.0.7 PL 4" },
        { "AR740", "affected", "symptoms-only", true, "2.0.7 PL 4" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Model_matrix_row_is_as_the_advisory_says(string name, string status, string note, bool workaround, string fixedIn)
    {
        var model = Pack.Models.Find(name);
        Assert.NotNull(model);
        Assert.Equal(name, model.Name);
        Assert.Equal(status == "affected" ? ModelStatus.Affected : ModelStatus.NotAffected, model.Status);
        Assert.Equal(note, model.NoteId);
        Assert.Equal(workaround, model.WorkaroundApplies);
        Assert.Equal(fixedIn, model.FixedIn?.ToString() ?? "pending");
    }

    [Fact]
    public void Matrix_has_exactly_the_eleven_models_in_the_advisory_order()
    {
        Assert.Equal(
            ["AR100", "AR130", "AR160", "AR220E", "AR300", "AR300L", "AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"],
            Pack.Models.Models.Select(m => m.Name));
    }

    [Fact]
    public void Notes_carry_the_advisory_wording()
    {
        Assert.Contains("no hardware failure", Pack.Models.Notes["symptoms-only"].English);
        Assert.Contains("port 80 are discarded", Pack.Models.Notes["port80-discarded"].English);
        Assert.Contains("DMZ", Pack.Models.Notes["dmz-servers"].English);
    }

    [Fact]
    public void Pack_carries_both_advisory_dates_and_the_publisher()
    {
        Assert.Equal(new DateOnly(2001, 8, 9), Pack.Advisory.FirstEdition);
        Assert.Equal(new DateOnly(2002, 5, 1), Pack.Advisory.Revised);
        Assert.Contains("Allied Telesis", Pack.Advisory.Publisher);
    }

    [Fact]
    public void Pack_carries_the_advisory_references()
    {
        var urls = Pack.References.Select(r => r.Url).ToList();
        Assert.Contains("http://www.ipa.go.jp/security/ciadr/vul/20010727codered.html", urls);
        Assert.Contains("http://www.microsoft.com/japan/technet/security/codealrt.asp", urls);
        Assert.Contains("http://www.microsoft.com/japan/technet/security/codeptch.asp", urls);
        Assert.Contains("http://www.cert.org/advisories/CA-2001-23.html", urls);
        Assert.Contains("http://www.jpcert.or.jp/at/2001/at010018.txt", urls);
        Assert.Contains("http://www.jpcert.or.jp/at/2001/at010013.txt", urls);
    }

    [Fact]
    public void Catalogue_has_the_public_ids_with_their_default_severities()
    {
        var expected = new Dictionary<string, DiagnosticSeverity>
        {
            ["CR1001"] = DiagnosticSeverity.Warning, ["CR1002"] = DiagnosticSeverity.Warning, ["CR1003"] = DiagnosticSeverity.Info,
            ["CR1004"] = DiagnosticSeverity.Warning, ["CR1005"] = DiagnosticSeverity.Info, ["CR1006"] = DiagnosticSeverity.Info,
            ["CR1007"] = DiagnosticSeverity.Info, ["CR2001"] = DiagnosticSeverity.Warning, ["CR2002"] = DiagnosticSeverity.Warning,
            ["CR2003"] = DiagnosticSeverity.Warning, ["CR2004"] = DiagnosticSeverity.Error, ["CR2005"] = DiagnosticSeverity.Info,
        };
        Assert.Equal(expected, Pack.Rules.ToDictionary(r => r.Id, r => r.DefaultSeverity));
        Assert.All(Pack.Rules, r => Assert.True(r.IsEnabledByDefault));
        Assert.All(Pack.Rules, r => Assert.Equal($"docs/rules/{r.Id}.md", r.HelpUri));
    }

    [Theory]
    [InlineData("AR130", "CR1001")]
    [InlineData("AR160", "CR1001")]
    [InlineData("AR100", "CR1005")]
    [InlineData("AR300", "CR1005")]
    [InlineData("AR300L", "CR1005")]
    [InlineData("AR220E", "CR1006")]
    [InlineData("AR300 V2", "CR1004")]
    [InlineData("AR300L V2", "CR1004")]
    [InlineData("AR320", "CR1004")]
    [InlineData("AR720", "CR1004")]
    [InlineData("AR740", "CR1004")]
    [InlineData("AR450S", "CR1007")]
    [InlineData(null, "CR1007")]
    public void Each_model_without_firmware_gets_exactly_its_device_finding(string? model, string id)
    {
        var report = Evaluate(model);
        Assert.Equal([id], report.Ids());
    }

    public static TheoryData<string, string, string> Thresholds => new()
    {
        // model, fix minus one, fix plus one (the fix itself comes from the matrix)
        { "AR300 V2", "2.0.4 PL 6", "2.0.4 PL 8" },
        { "AR300L V2", "2.0.4 PL 6", "2.0.4 PL 8" },
        { "AR320", "2.0.4 PL 6", "2.0.4 PL 8" },
        { "AR720", "2.0.7 PL 3", "2.0.7 PL 5" },
        { "AR740", "2.0.7 PL 3", "2.0.7 PL 5" },
    };

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Firmware_below_the_fix_is_CR1002_and_at_or_past_it_is_CR1003(string model, string below, string above)
    {
        var fix = Pack.Models.Find(model)!.FixedIn!.ToString();
        Assert.Equal(["CR1002"], Evaluate(model, below).Ids());
        Assert.Equal(["CR1003"], Evaluate(model, fix).Ids());
        Assert.Equal(["CR1003"], Evaluate(model, above).Ids());
    }

    [Theory]
    [InlineData("AR320", "2.0.4PL7", "CR1003")]
    [InlineData("AR320", "2.0.4 pl 07", "CR1003")]
    [InlineData("AR320", "Ver.2.0.4 PL 7", "CR1003")]
    [InlineData("AR320", "2.0.4-06", "CR1002")]
    [InlineData("AR320", "2.0.10", "CR1003")]
    [InlineData("AR720", "2.0.7", "CR1002")]
    [InlineData("AR720", "2.1", "CR1003")]
    [InlineData("AR740", "1.9.3-00", "CR1002")]
    public void Firmware_forms_compare_as_versions(string model, string firmware, string id) =>
        Assert.Equal([id], Evaluate(model, firmware).Ids());

    [Fact]
    public void Models_without_a_fix_ignore_the_firmware()
    {
        Assert.Equal(["CR1001"], Evaluate("AR130", "9.9.9").Ids());
        Assert.Equal(["CR1005"], Evaluate("AR100", "1.0.0").Ids());
    }

    [Fact]
    public void Workaround_applies_to_exactly_the_seven_listed_models()
    {
        Assert.Equal(
            ["AR130", "AR160", "AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"],
            Pack.Models.Models.Where(m => m.WorkaroundApplies).Select(m => m.Name));
    }

    [Theory]
    [InlineData("AR130", null)]
    [InlineData("AR160", null)]
    [InlineData("AR300 V2", "2.0.4 PL 6")]
    [InlineData("AR300L V2", "2.0.4 PL 6")]
    [InlineData("AR320", null)]
    [InlineData("AR720", "2.0.7 PL 3")]
    [InlineData("AR740", null)]
    public void Workaround_commands_come_in_order_for_workaround_models(string model, string? firmware)
    {
        var report = Evaluate(model, firmware, ("show-config", "Boot configuration file: swe.cfg (exists)\nCurrent configuration: swe.cfg\n"));
        var commands = report.Remediation.Where(s => s.Command is not null).Select(s => s.Command!).ToArray();
        Assert.Equal(["disable http server", "create config=swe.cfg", "restart router"], commands);
    }

    [Theory]
    [InlineData("AR100")]
    [InlineData("AR220E")]
    [InlineData("AR300")]
    [InlineData("AR300L")]
    public void No_workaround_commands_for_models_the_advisory_does_not_list(string model)
    {
        // Even with a signature in the log, the advisory gives these models no commands.
        var report = Evaluate(model, null, ("log", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n"));
        Assert.DoesNotContain(report.Remediation, s => s.Command is not null);
    }

    [Fact]
    public void Config_name_is_read_from_show_config_output_anywhere_in_a_transcript()
    {
        var transcript = "Manager > show config\r\n\r\nBoot configuration file: branch7.cfg (exists)\r\nCurrent configuration: branch7.cfg\r\nManager > \r\n";
        var report = Evaluate("AR130", null, ("capture", transcript));
        Assert.Contains(report.Remediation, s => s.Command == "create config=branch7.cfg");
        Assert.DoesNotContain(report.Remediation, s => s.Hint is not null);
    }

    [Fact]
    public void Without_show_config_the_command_keeps_a_visible_placeholder_and_says_to_run_show_config()
    {
        var report = Evaluate("AR130");
        var step = Assert.Single(report.Remediation, s => s.Id == "save-configuration");
        Assert.Equal("create config=<currentConfig>", step.Command);
        Assert.Contains("show config", step.Hint);
    }

    [Fact]
    public void CR1002_adds_the_upgrade_step_naming_the_fixed_firmware()
    {
        var report = Evaluate("AR720", "2.0.7 PL 3");
        var step = Assert.Single(report.Remediation, s => s.Id == "upgrade-firmware");
        Assert.Contains("2.0.7 PL 4", step.Text);
        Assert.Equal(["CR1002"], step.Rules);
    }

    [Fact]
    public void After_the_commands_the_www_servers_are_checked_starting_with_the_rejected_peers()
    {
        var log = "HTTP ERROR No free HTTP sessions - rejecting connection from 10.9.8.7\nHTTP ERROR No free HTTP sessions - rejecting connection from 10.9.8.6\n";
        var report = Evaluate("AR320", "2.0.4 PL 7", ("log", log));
        var ids = report.Remediation.Select(s => s.Id).ToList();
        Assert.True(ids.IndexOf("check-www-servers") > ids.IndexOf("restart-router"));
        var check = report.Remediation.Single(s => s.Id == "check-www-servers");
        Assert.Equal("Start with the hosts the router rejected: 10.9.8.7, 10.9.8.6", check.Detail);
        Assert.Contains("IIS", check.Text);
    }

    [Fact]
    public void With_an_unknown_model_the_workaround_is_shown_with_the_models_it_applies_to()
    {
        var report = EvaluateLog("DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var step = report.Remediation.Single(s => s.Id == "disable-http-server");
        Assert.Equal(["AR130", "AR160", "AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"], step.AppliesTo);
    }

    [Fact]
    public void AR220E_is_told_to_inspect_its_DMZ_servers_without_commands()
    {
        var report = Evaluate("AR220E");
        Assert.Equal(["inspect-dmz-servers"], report.Remediation.Select(s => s.Id));
    }

    [Fact]
    public void Log_signatures_apply_to_the_seven_models_the_advisory_names()
    {
        string[] seven = ["AR130", "AR160", "AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"];
        foreach (var rule in Pack.Rules.Where(r => r.Category == "LogSignature"))
        {
            Assert.Equal(seven, rule.Models);
        }
    }

    [Fact]
    public void Every_signature_carries_the_vendor_caveats_except_the_informational_restart()
    {
        foreach (var rule in Pack.Rules.Where(r => r.Id is "CR2001" or "CR2002" or "CR2003" or "CR2004"))
        {
            var caveats = rule.Caveats.Select(c => c.English).ToList();
            Assert.Contains(caveats, c => c.Contains("normally working router"));
            Assert.Contains(caveats, c => c.Contains("Another attack"));
            Assert.Contains(caveats, c => c.Contains("after the workaround"));
        }
    }
}
