using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Tooling;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using Snapshooter;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The second pack, codered.webserver (rules/webserver): written in YAML only, it gets the whole catalogue treatment
/// the AR pack gets (strict validation, release tracking, docs pages, bilingual texts, snapshots, CSAF), and its rules
/// tell the worms' probes apart from signs that the server itself is vulnerable or infected.
/// </summary>
public class WebServerPackTests
{
    private static readonly Lazy<RulePack> LazyPack = new(() => RulePack.LoadFrom(PackDir));

    internal static string PackDir => Repo("rules", "webserver");

    internal static RulePack WebPack => LazyPack.Value;

    private static string SampleLog(string name) => Repo("docs", "samples", name);

    private static AnalysisReport Analyze(string? model, params string[] files) => AnalyzeAs(model, null, null, files);

    private static AnalysisReport AnalyzeAs(string? model, string? version, IReadOnlyList<string>? patches, params string[] files) => WebPack.Evaluate(
        new DeviceEvidence { Model = model, Firmware = version, Patches = patches, Sources = files.Select(f => EvidenceSource.FromFile(SampleLog(f), name: f)).ToArray() },
        new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en") });

    private static Diagnostic Single(AnalysisReport report, string id) => Assert.Single(report.Diagnostics, d => d.Id == id);

    private static IReadOnlyList<string> Values(Diagnostic d, string name) => d.Properties.TryGetValue(name, out var v) ? v : [];

    [Fact]
    public void The_pack_is_valid_under_strict_rules_with_tracking_and_lock()
    {
        Assert.Equal("codered.webserver", WebPack.Identity.Id);
        Assert.Empty(WebPack.Warnings);
        Assert.Empty(ReleaseTracking.Check(WebPack, PackDir));
        var r = RunCli(["rules", "validate", PackDir, "--strict"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.All(WebPack.Rules, rule => Assert.StartsWith("CW", rule.Id, StringComparison.Ordinal));
    }

    [Fact]
    public void The_pack_is_built_in_and_the_embedded_copy_is_the_folder()
    {
        var builtIn = RulePack.FindBuiltIn("codered.webserver");
        Assert.NotNull(builtIn);
        Assert.Equal(WebPack.Identity.Sha256, builtIn.Identity.Sha256);
        Assert.Equal("codered.alliedtelesis.ar", RulePack.BuiltIn[0].Identity.Id);
        Assert.DoesNotContain(RulePack.Default.Rules, r => r.Id.StartsWith("CW", StringComparison.Ordinal));
    }

    [Fact]
    public void Codered_packs_lists_it_and_analyze_pack_runs_it()
    {
        var packs = RunCli(["packs", "--format", "json"]);
        Assert.Equal(0, packs.ExitCode);
        Assert.Contains("\"codered.webserver\"", packs.Stdout, StringComparison.Ordinal);

        var r = RunCli(["analyze", "--pack", "codered.webserver", "--model", "Apache", SampleLog("webserver-apache-access.log")]);
        Assert.Equal(1, r.ExitCode); // warnings: the probes
        Assert.Contains("CW2001", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("CW1006", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CR20", r.Stdout, StringComparison.Ordinal);

        // Both packs over one log: IDs do not collide, and the AR pack finds nothing in a web server's log.
        var both = RunCli(["analyze", "--pack", "codered.alliedtelesis.ar", "--pack", "codered.webserver", SampleLog("webserver-iis-w3c.log")]);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("CW2005", both.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_AR_packs_WWW_server_step_names_the_command_that_runs_this_pack()
    {
        var step = Assert.Single(RulePack.Default.Remediation, s => s.Id == "check-www-servers");
        Assert.Contains("codered analyze --pack codered.webserver access.log", step.Text.English, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sample_of_the_pack_holds()
    {
        var r = RunCli(["rules", "test", PackDir]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains(" 0 failed", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("no samples for", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Committed_docs_pages_are_what_the_pack_generates()
    {
        var pages = MarkdownDocsWriter.Generate([new DocsPack(WebPack, PackDir, "rules/webserver")]).Where(p => p.Key.StartsWith("rules/", StringComparison.Ordinal)).ToList();
        Assert.Equal(WebPack.Rules.Count, pages.Count);
        foreach (var (relative, text) in pages)
        {
            var path = Repo("docs", relative);
            Assert.True(File.Exists(path), $"docs/{relative} is missing; run: dotnet run --project src/CodeRed.Cli -- rules docs docs --rules rules");
            Assert.True(text == File.ReadAllText(path).Replace("\r\n", "\n"), $"docs/{relative} is stale; regenerate it as above");
        }

        Assert.All(WebPack.Rules, r => Assert.True(File.Exists(Repo(r.HelpUri)), $"{r.Id}'s help link {r.HelpUri} leads nowhere"));
    }

    [Fact]
    public void Every_text_exists_in_English_and_Japanese()
    {
        var missing = new List<string>();
        void Check(string what, LocalizedText? text)
        {
            if (text is not null && (!text.Has("en") || !text.Has("ja")))
            {
                missing.Add(what);
            }
        }

        foreach (var r in WebPack.Rules)
        {
            Check($"{r.Id} title", r.Title);
            Check($"{r.Id} message", r.MessageFormat);
            Check($"{r.Id} description", r.Description);
            foreach (var c in r.Caveats)
            {
                Check($"{r.Id} caveat", c);
            }
        }

        foreach (var (id, note) in WebPack.Models.Notes)
        {
            Check($"note {id}", note);
        }

        foreach (var step in WebPack.Remediation)
        {
            Check($"step {step.Id} text", step.Text);
            Check($"step {step.Id} detail", step.Detail);
        }

        foreach (var (level, verdict) in WebPack.Verdicts)
        {
            Check($"verdict {level}", verdict.Text);
        }

        Check("pack title", WebPack.Title);
        Check("advisory title", WebPack.Advisory.Title);
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ja")]
    public void Catalogue(string language)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.WriteCatalogue(stream, WebPack, CultureInfo.GetCultureInfo(language));
        var json = JObject.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        json["pack"]!["sha256"] = "(masked)";
        Snapshot.Match(json, new SnapshotNameExtension(language));
    }

    public static TheoryData<string> BundledSamples =>
        ["webserver-apache-access.log", "webserver-apache-error.log", "webserver-iis-w3c.log", "webserver-iis4-ncsa.log"];

    [Theory]
    [MemberData(nameof(BundledSamples))]
    public void Bundled_sample_report(string name)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.Write(stream, Analyze(null, name));
        var json = JObject.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        json["pack"]!["sha256"] = "(masked)";
        Snapshot.Match(json, new SnapshotNameExtension(name.Replace(".log", "", StringComparison.Ordinal)));
    }

    [Fact]
    public void Code_Red_I_Code_Red_II_and_Nimda_probes_are_told_apart_with_their_senders()
    {
        var report = Analyze("Apache", "webserver-apache-access.log");
        var cr1 = Single(report, "CW2001");
        Assert.Equal(3, cr1.Count);
        Assert.Equal(["203.0.113.45", "198.51.100.201"], Values(cr1, "client"));
        // Counted per client (count: { by: client }): each sender with its hits and first and last time seen.
        Assert.Equal(
            [new KeyCount("203.0.113.45", 2, 3, "2001-08-02 06:01:38", "2001-08-02 06:02:51"), new KeyCount("198.51.100.201", 1, 6, "2001-08-02 09:44:02", "2001-08-02 09:44:02")],
            cr1.Keys);
        Assert.Contains("from 2 host(s)", cr1.Message, StringComparison.Ordinal);
        Assert.Contains("first seen 2001-08-02 06:01:38, last 2001-08-02 09:44:02", cr1.Message, StringComparison.Ordinal);
        var cr2 = Single(report, "CW2002");
        Assert.Equal(2, cr2.Count);
        Assert.Equal(["198.51.100.17"], Values(cr2, "client"));
        var nimda = Single(report, "CW2003");
        Assert.Equal(16, nimda.Count); // the sixteen requests of CA-2001-26
        Assert.Equal(["203.0.113.120"], Values(nimda, "client"));
        Assert.Contains("/scripts/..%25%35%63../winnt/system32/cmd.exe", Values(nimda, "path"));

        // An Apache server is probed but not affected, and the verdict says so; nothing says it is infected.
        Single(report, "CW1006");
        Assert.DoesNotContain(report.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("probed", report.Verdict.Word);
        var check = Assert.Single(report.Remediation, s => s.Id == "check-senders");
        Assert.Contains("203.0.113.45, 198.51.100.201", check.Text, StringComparison.Ordinal);
        Assert.Contains("Nimda: 203.0.113.120", check.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_answered_with_success_and_a_working_backdoor_mean_an_infected_server()
    {
        var report = AnalyzeAs("Microsoft IIS", "5.0", null, "webserver-iis-w3c.log");
        Assert.Equal(["198.51.100.17"], Values(Single(report, "CW2005"), "client"));
        var backdoor = Single(report, "CW2006");
        Assert.Equal(["/scripts/root.exe", "/MSADC/root.exe"], Values(backdoor, "path"));
        Single(report, "CW1001");
        Assert.Equal("act-now", report.Verdict.Word);
        Assert.Equal("disconnect-server", report.Remediation[0].Id);

        // The same log from a server that is not IIS: the success rules do not apply to it.
        var apache = Analyze("Apache", "webserver-iis-w3c.log");
        Assert.DoesNotContain(apache.Diagnostics, d => d.Id is "CW2005" or "CW2006");
    }

    [Fact]
    public void IIS_versions_and_the_MS01_033_patch_decide_the_server_rules()
    {
        string[] Device(string? model, string? version, IReadOnlyList<string>? patches) =>
            [.. AnalyzeAs(model, version, patches).Diagnostics.Where(d => d.Line is null).Select(d => d.Id)];
        Assert.Equal(["CW1001"], Device("Microsoft IIS", "5.0", null));
        Assert.Equal(["CW1001"], Device("Microsoft-IIS", "4.0", null));
        Assert.Equal(["CW1003"], Device("IIS", "5.0", ["MS01-033"])); // fixed by the patch
        Assert.Equal(["CW1003"], Device("IIS", null, ["ms01-033", "MS01-026"]));
        Assert.Equal(["CW1002"], Device("IIS", "5.0", [])); // --patch none: known to be missing
        Assert.Equal(["CW1002"], Device("IIS", "4.0", ["MS01-026", "MS00-078"])); // other patches only
        Assert.Equal(["CW1005"], Device("IIS", "6.0", ["MS01-033"])); // outside the versions, whatever the patches
        Assert.Equal(["CW1006"], Device("Apache", null, []));
        var missing = Single(AnalyzeAs("IIS", "5.0", ["MS01-026"]), "CW1002");
        Assert.Contains("MS01-033 is not among the installed patches (MS01-026)", missing.Message, StringComparison.Ordinal);
        var remediation = AnalyzeAs("IIS", "5.0", []).Remediation.Select(s => s.Id).ToList();
        Assert.Equal(["install-ms01-033", "install-nimda-patches"], remediation);
        Assert.Equal(["CW1005"], Device("IIS", "6.0", null)); // outside the affected versions
        Assert.Equal(["CW1006"], Device("Apache", "1.3.20", null));
        Assert.Equal(["CW1007"], Device(null, null, null));

        // The W3C header gives the version; the model is given.
        var fromLog = AnalyzeAs("Microsoft Internet Information Services", null, null, "webserver-iis-w3c.log");
        Assert.Equal("5.0", fromLog.Device.Firmware?.ToString());
        Assert.Contains("Microsoft IIS 5.0 is affected", Single(fromLog, "CW1001").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_logs_and_logs_without_the_query_still_show_the_probes()
    {
        var report = Analyze(null, "webserver-apache-error.log");
        var unknownVariant = Single(report, "CW2004");
        Assert.Equal(["203.0.113.45", "198.51.100.17"], Values(unknownVariant, "client"));
        Assert.Equal(["2001-08-02 06:01:38", "2001-08-04 11:20:45"], unknownVariant.Keys.Select(k => k.FirstSeen));
        var nimda = Single(report, "CW2003");
        Assert.Equal(5, nimda.Count);
        Assert.Equal(["203.0.113.120", "203.0.113.121"], Values(nimda, "client"));
        Assert.DoesNotContain(report.Diagnostics, d => d.Id is "CW2001" or "CW2002");
    }

    [Fact]
    public void IIS_4_NCSA_logs_read_like_Apache_common_logs()
    {
        var report = AnalyzeAs("IIS", "4.0", null, "webserver-iis4-ncsa.log");
        Assert.Equal(["203.0.113.9", "203.0.113.10"], Values(Single(report, "CW2001"), "client"));
        Assert.Equal(["198.51.100.17"], Values(Single(report, "CW2002"), "client"));
        Assert.Equal(["CW1001", "CW2001", "CW2002"], report.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    /// <summary>The loghub Apache error log (github.com/logpai/loghub, Apache/Apache_2k.log): 2,000 real, clean lines.</summary>
    [Fact]
    public void A_real_clean_Apache_log_gives_no_line_finding()
    {
        var file = SampleLog("webserver-loghub-apache-error.log");
        Assert.Equal(2000, File.ReadLines(file).Count());
        var report = Analyze("Apache", "webserver-loghub-apache-error.log");
        Assert.DoesNotContain(report.Diagnostics, d => d.Line is not null);
        Assert.Equal(["CW1006"], report.Diagnostics.Select(d => d.Id));
        Assert.Equal("ok", report.Verdict.Word);
    }

    [Fact]
    public void Hits_have_times_on_the_worm_calendar()
    {
        Assert.Equal(3, WebPack.Definition.Calendar!.Phases.Count);
        Assert.Equal(["ncsa", "w3c", "apache-error"], WebPack.Timestamps.Select(t => t.Name));

        // IIS W3C times (2001-08-04 03:12:44) are read from the hit lines.
        var w3c = Analyze(null, "webserver-iis-w3c.log");
        Assert.Equal("2001-08-04 03:12:44", Assert.Single(Single(w3c, "CW2001").Keys).FirstSeen);
        Assert.Equal(["198.51.100.66"], Single(w3c, "CW2003").Keys.Select(k => k.Value));
    }

    [Fact]
    public void Japanese_report_is_in_Japanese()
    {
        var report = WebPack.Evaluate(
            new DeviceEvidence { Sources = [EvidenceSource.FromFile(SampleLog("webserver-apache-access.log"), name: "access.log")] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("ja-JP") });
        Assert.Contains("Code Red I の要求", Single(report, "CW2001").Message, StringComparison.Ordinal);
        Assert.Contains("感染したホスト", report.Verdict.Text, StringComparison.Ordinal);
    }

    private static string ExportCsaf(params string[] extra)
    {
        var r = RunCli(["export", "csaf", "--rules", PackDir, .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        return r.Stdout;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_CSAF_export_passes_the_mandatory_tests(bool vex)
    {
        var doc = JsonNode.Parse(vex ? ExportCsaf("--vex") : ExportCsaf())!;
        Assert.Empty(CsafChecks.Mandatory(doc));
        Assert.Equal("codered.webserver", doc["document"]!["tracking"]!["id"]!.GetValue<string>());
        var cves = doc["vulnerabilities"]!.AsArray().Select(v => v!["cve"]!.GetValue<string>()).ToList();
        Assert.Equal(["CVE-2001-0500", "CVE-2000-0884", "CVE-2001-0333"], cves);
        Assert.DoesNotContain("router", doc.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [SharedSchemasFact]
    public void The_CSAF_export_is_valid_against_the_official_schema()
    {
        Assert.Empty(OfficialSchemas.Errors(OfficialSchemas.Csaf, ExportCsaf()));
        Assert.Empty(OfficialSchemas.Errors(OfficialSchemas.Csaf, ExportCsaf("--vex")));
    }

    /// <summary>The reference validator, as for the AR pack (<see cref="CsafRecommendedTests"/>).</summary>
    [ExternalToolFact("node", "apt-get install nodejs npm; npm install --prefix artifacts/tools @secvisogram/csaf-validator-lib@2.0.10")]
    public void The_reference_validator_finds_no_error_and_no_recommended_warning()
    {
        var node = ExternalTools.Require("node");
        var lib = Path.Combine(ExternalTools.NodeToolsDir, "node_modules", "@secvisogram", "csaf-validator-lib", "validateStrict.js");
        if (!File.Exists(lib))
        {
            Assert.Fail($"{lib} is missing: npm install --prefix artifacts/tools @secvisogram/csaf-validator-lib@2.0.10 (.ci/run does)");
        }

        using var dir = new TempDir();
        var advisory = dir.Write("webserver.json", ExportCsaf());
        var vex = dir.Write("webserver-vex.json", ExportCsaf("--vex"));
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo("tests", "validators", "csaf-validate.mjs"), advisory, vex })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the validator did not finish in two minutes");
        Assert.True(process.ExitCode == 0, $"csaf-validate.mjs exited {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        Assert.Contains($"{advisory}: ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{vex}: ", stdout, StringComparison.Ordinal);
        Assert.Contains("20 recommended", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": warning ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": error ", stdout, StringComparison.Ordinal);
    }
}
