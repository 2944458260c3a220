using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>The log signatures on evidence written for these tests: other names, numbers, spacing, endings and encodings.</summary>
public class SignatureTests
{
    private const string CodeRedRecord =
        "REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001\n" +
        "EXCEP 01024 Unexpected Exception $400/Exception Address $0002716c\n";

    private const string RestartRebootRecord =
        "REST CRASH Router startup, ver 1.9.1-00, 01-Mar-2000, Clock Log: 17:58:52 on 14-Mar-2000\n" +
        "EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056\n";

    [Fact]
    public void CR2001_aggregates_hits_and_keeps_the_distinct_peers_in_order()
    {
        var log = new StringBuilder();
        log.Append("Jul 30 02:00:00 ar130 IP INFO link up\n");
        foreach (var peer in new[] { "61.2.3.4", "61.2.3.5", "61.2.3.4", "211.9.9.9" })
        {
            log.Append($"Jul 30 02:00:01 ar130 HTTP ERROR   No free HTTP sessions - rejecting connection from {peer}\n");
        }

        var d = Assert.Single(EvaluateLog(log.ToString()).Diagnostics, x => x.Id == "CR2001");
        Assert.Equal(4, d.Count);
        Assert.Equal(2, d.Line);
        Assert.Equal("log", d.Source);
        Assert.Equal(["61.2.3.4", "61.2.3.5", "211.9.9.9"], d.Properties["peer"]);
        Assert.Contains("61.2.3.4, 61.2.3.5, 211.9.9.9", d.Message);
        Assert.Contains("4 time(s)", d.Message);
    }

    [Fact]
    public void CR2002_captures_source_destination_protocol_and_interface()
    {
        var d = Assert.Single(EvaluateLog("x DirBcast  Fail 172.20.1.9>172.20.1.255  Prot=17 Int=eth1\n").Diagnostics, x => x.Id == "CR2002");
        Assert.Equal(["172.20.1.9"], d.Properties["src"]);
        Assert.Equal(["172.20.1.255"], d.Properties["dst"]);
        Assert.Equal(["17"], d.Properties["prot"]);
        Assert.Equal(["eth1"], d.Properties["iface"]);
    }

    private static string ShowTcp(int established80, int otherEstablished = 0, string lineEnd = "\n")
    {
        var sb = new StringBuilder();
        sb.Append("SW-AR720> show tcp").Append(lineEnd).Append(lineEnd);
        sb.Append("Connection Table:").Append(lineEnd);
        sb.Append("Index State       Local port and address   Remote port and address").Append(lineEnd);
        sb.Append(new string('-', 70)).Append(lineEnd);
        sb.Append("00    listen      00080 0.0.0.0           00000 0.0.0.0").Append(lineEnd);
        for (var i = 0; i < established80; i++)
        {
            sb.Append($"{i + 1:00}    established 00080 10.1.1.1          {2000 + i:00000} 10.2.{i / 250}.{i % 250}").Append(lineEnd);
        }

        for (var i = 0; i < otherEstablished; i++)
        {
            sb.Append($"{i + 1:00}    established 00023 10.1.1.1          {3000 + i:00000} 10.3.0.{i % 250}").Append(lineEnd);
        }

        sb.Append("SW-AR720> ").Append(lineEnd);
        return sb.ToString();
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(200, true)]
    [InlineData(100, true)]
    [InlineData(99, false)]
    [InlineData(5, false)]
    [InlineData(0, false)]
    public void CR2003_flags_a_flood_on_port_80_and_stays_quiet_on_a_handful(int rows, bool flagged)
    {
        var report = EvaluateLog(ShowTcp(rows, otherEstablished: 500, lineEnd: "\r\n"));
        Assert.Equal(flagged, report.Ids().Contains("CR2003"));
        if (flagged)
        {
            var d = report.Diagnostics.Single(x => x.Id == "CR2003");
            Assert.Equal([rows.ToString()], d.Properties["rows"]);
            Assert.Equal(3, d.Line);
        }
    }

    [Fact]
    public void CR2003_threshold_is_a_rule_parameter()
    {
        Assert.Equal(100, Pack.FindRule("CR2003")!.Parameters["threshold"]);
    }

    [Fact]
    public void CR2003_rows_outside_a_connection_table_are_not_counted()
    {
        var lines = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i:00}    established 00080 10.1.1.1 {2000 + i:00000} 10.2.0.{i % 250}\n"));
        Assert.DoesNotContain("CR2003", EvaluateLog(lines).Ids());
    }

    [Fact]
    public void A_CodeRed_crash_record_is_CR2004_counted_once_per_record()
    {
        var d = Assert.Single(EvaluateLog(CodeRedRecord).Diagnostics, x => x.Id == "CR2004");
        Assert.Equal(1, d.Count);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(["Exception"], d.Properties["kind"]);
        Assert.Equal(["1.9.3-00"], d.Properties["version"]);
        Assert.DoesNotContain("CR2005", EvaluateLog(CodeRedRecord).Ids());
    }

    [Fact]
    public void A_restart_reboot_record_is_CR2005_and_never_CR2004()
    {
        var report = EvaluateLog(RestartRebootRecord);
        Assert.Equal(["CR1007", "CR2005"], report.Ids());
        Assert.Equal("ok", report.Verdict.Word);
    }

    [Fact]
    public void Both_records_in_one_log_are_told_apart()
    {
        var log = RestartRebootRecord +
                  "some unrelated line\n" + CodeRedRecord + RestartRebootRecord;
        var report = EvaluateLog(log);
        Assert.Equal(1, report.Diagnostics.Single(d => d.Id == "CR2004").Count);
        Assert.Equal(2, report.Diagnostics.Single(d => d.Id == "CR2005").Count);
        Assert.Equal(4, report.Diagnostics.Single(d => d.Id == "CR2004").Line);
    }

    [Theory]
    [InlineData("Illegal instruction")]
    [InlineData("Exception")]
    [InlineData("Watchdog timer")]
    [InlineData("Bus error")]
    public void Each_exception_kind_alone_is_an_unintended_restart(string kind)
    {
        var d = Assert.Single(EvaluateLog($"2001-08-03 09:00:00 EXCEP 01024 Unexpected Exception $1A0/{kind} Address $00012345\n").Diagnostics, x => x.Id == "CR2004");
        Assert.Equal([kind], d.Properties["kind"]);
    }

    [Fact]
    public void A_TRAP1_line_after_the_record_window_does_not_hide_an_earlier_crash()
    {
        var log = "REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000\nline a\nline b\nline c\nline d\n" +
                  "EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056\n";
        var report = EvaluateLog(log);
        Assert.Contains("CR2004", report.Ids());
        Assert.Contains("CR2005", report.Ids());
    }

    [Fact]
    public void A_truncated_crash_record_at_end_of_input_is_still_a_crash()
    {
        var report = EvaluateLog("REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001");
        Assert.Contains("CR2004", report.Ids());
    }

    [Fact]
    public void Firmware_from_the_startup_banner_stands_in_when_none_is_given_and_the_report_says_where()
    {
        var report = Evaluate("AR320", null, ("ar320.log", "noise\n" + CodeRedRecord));
        Assert.Equal("1.9.3 PL 0", report.Device.Firmware!.ToString());
        Assert.Equal("ar320.log:2", report.Device.FirmwareSource);
        var d = report.Diagnostics.Single(x => x.Id == "CR1002");
        Assert.Contains("ar320.log:2", d.Message);
        Assert.Null(d.Line);
        Assert.Null(d.Source);
    }

    [Fact]
    public void A_given_firmware_beats_the_banner()
    {
        var report = Evaluate("AR320", "2.0.4 PL 7", ("ar320.log", CodeRedRecord));
        Assert.Equal("given", report.Device.FirmwareSource);
        Assert.Contains("CR1003", report.Ids());
    }

    [Fact]
    public void Signatures_do_not_run_for_a_model_they_do_not_apply_to()
    {
        var report = Evaluate("AR100", null, ("log", CodeRedRecord));
        Assert.Equal(["CR1005"], report.Ids());
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Line_endings_do_not_matter(string ending)
    {
        var log = "a\nHTTP ERROR No free HTTP sessions - rejecting connection from 1.2.3.4\nb\n".Replace("\n", ending);
        var d = Assert.Single(EvaluateLog(log).Diagnostics, x => x.Id == "CR2001");
        Assert.Equal(2, d.Line);
        Assert.Equal(["1.2.3.4"], d.Properties["peer"]);
    }

    [Theory]
    [InlineData("shift_jis")]
    [InlineData("euc-jp")]
    public void Japanese_bytes_read_as_UTF8_do_not_hide_a_signature_on_the_same_line(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = encoding.GetBytes("メモ: 再起動 DirBcast Fail 10.0.0.5>10.0.0.255 Prot=6 Int=eth0 ソ表\r\n");
        using var stream = new MemoryStream(bytes);
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("sjis.log", stream)] });
        Assert.Contains("CR2002", report.Ids());
    }

    [Fact]
    public void Diagnostics_are_per_input()
    {
        var line = "HTTP ERROR No free HTTP sessions - rejecting connection from 1.2.3.4\n";
        var report = Evaluate(null, null, ("a.log", line), ("b.log", line + line));
        var hits = report.Diagnostics.Where(d => d.Id == "CR2001").ToList();
        Assert.Equal(["a.log", "b.log"], hits.Select(d => d.Source));
        Assert.Equal([1, 2], hits.Select(d => d.Count));
    }

    [Fact]
    public void Distinct_values_are_bounded_and_the_report_says_so()
    {
        var log = string.Concat(Enumerable.Range(0, 300).Select(i => $"HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.{i / 250}.{i % 250}\n"));
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("log", log)] }, new EvaluationOptions { MaxDistinctValues = 10 });
        var d = report.Diagnostics.Single(x => x.Id == "CR2001");
        Assert.Equal(300, d.Count);
        Assert.Equal(10, d.Properties["peer"].Count);
        Assert.True(d.ValuesTruncated);
    }

    [Fact]
    public void Verdict_is_one_word_and_one_sentence()
    {
        Assert.Equal("act-now", EvaluateLog(CodeRedRecord).Verdict.Word);
        Assert.Equal("at-risk", Evaluate("AR130").Verdict.Word);
        Assert.Equal("ok", Evaluate("AR100").Verdict.Word);
        var clean = Pack.Evaluate(new DeviceEvidence(), new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule("CR1007", null) });
        Assert.Equal("clean", clean.Verdict.Word);
        Assert.EndsWith(".", clean.Verdict.Text);
    }

    [Fact]
    public void Severity_configuration_prefers_rule_over_category_over_all()
    {
        var config = SeverityConfiguration.Empty
            .WithAll(DiagnosticSeverity.Hidden)
            .WithCategory("LogSignature", DiagnosticSeverity.Info)
            .WithRule("CR2001", DiagnosticSeverity.Error);
        var rule = (string id) => Pack.FindRule(id)!;
        Assert.Equal(DiagnosticSeverity.Error, config.Resolve(rule("CR2001")));
        Assert.Equal(DiagnosticSeverity.Info, config.Resolve(rule("CR2002")));
        Assert.Equal(DiagnosticSeverity.Hidden, config.Resolve(rule("CR1001")));
        Assert.Null(config.WithRule("CR2002", null).Resolve(rule("CR2002")));
        Assert.Equal(DiagnosticSeverity.Warning, SeverityConfiguration.Empty.Resolve(rule("CR2002")));
    }

    [Fact]
    public void A_rule_turned_off_reports_nothing_and_changes_the_verdict()
    {
        var options = new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule("CR2004", null) };
        var report = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Firmware = "2.0.4 PL 7", Sources = [EvidenceSource.FromText("l", CodeRedRecord)] }, options);
        Assert.DoesNotContain("CR2004", report.Ids());
        Assert.Equal("ok", report.Verdict.Word);
    }

    [Fact]
    public void A_report_names_the_pack_that_produced_it()
    {
        var report = Evaluate("AR320");
        Assert.Equal(Pack.Identity, report.Pack);
        Assert.Matches("^[0-9a-f]{64}$", report.Pack.Sha256);
    }
}
