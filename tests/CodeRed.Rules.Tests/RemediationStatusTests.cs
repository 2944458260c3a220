using System.Globalization;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 12 part 2: remediation that knows what was done. A capture that shows the workaround typed after the router's
/// prompt (and answered 'Operation successful') marks those steps done, with the line; 'enable http server' afterwards
/// makes the first step undone; the steps a capture cannot show stay open. All of it is pack data (remediation.yaml).
/// </summary>
public class RemediationStatusTests
{
    private const string DoneSample = "ar320-workaround-done.log";
    private const string UndoneSample = "ar320-workaround-undone.log";

    private static AnalysisReport EvaluateSample(string sample, string language = "en", RulePack? pack = null) =>
        (pack ?? Pack).Evaluate(
            new DeviceEvidence { Model = "AR320", Firmware = "2.0.4 PL 6", Sources = [EvidenceSource.FromFile(Repo("docs", "samples", sample), name: sample)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) });

    private static AnalysisReport EvaluateCapture(string capture, RulePack? pack = null) =>
        (pack ?? Pack).Evaluate(
            new DeviceEvidence { Model = "AR320", Firmware = "2.0.4 PL 6", Sources = [EvidenceSource.FromText("capture.log", capture)] });

    private static RemediationStep Step(AnalysisReport report, string id) => report.Remediation.Single(s => s.Id == id);

    /// <summary>A capture with the findings, then <paramref name="typed"/> (lines joined with CRLF).</summary>
    private static string Capture(params string[] typed) => string.Join("\r\n", new[]
    {
        "Manager > show log",
        "03 09:31:02   3 HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45",
        "",
    }.Concat(typed)) + "\r\n";

    [Fact]
    public void The_workaround_typed_and_confirmed_marks_its_steps_done_with_their_lines_and_the_rest_stays_open()
    {
        var report = EvaluateSample(DoneSample);
        Assert.Equal(
            ["disable-http-server:Done:15", "save-configuration:Done:19", "restart-router:Done:23", "upgrade-firmware:Open:", "check-www-servers:Open:"],
            report.Remediation.Select(s => $"{s.Id}:{s.Status}:{s.StatusLine}"));
        Assert.All(report.Remediation.Take(3), s => Assert.Equal(DoneSample, s.StatusSource));
        Assert.Equal($"'create config=hq-main.cfg' entered at {DoneSample}:19.", Step(report, "save-configuration").StatusReason);
        Assert.All(report.Remediation.Skip(3), s => Assert.True(s.StatusSource is null && s.StatusLine is null && s.StatusReason is null));
        Assert.Contains("the lines may still be logged after the workaround", report.Verdict.Note);
        Assert.Equal("at-risk", report.Verdict.Word); // the findings still stand: the workaround defends, it does not stop the attack
    }

    [Fact]
    public void Enable_http_server_after_disable_http_server_makes_the_step_undone_and_says_why()
    {
        var report = EvaluateSample(UndoneSample);
        var step = Step(report, "disable-http-server");
        Assert.Equal(RemediationStepStatus.Undone, step.Status);
        Assert.Equal(25, step.StatusLine);
        Assert.Equal(
            $"'enable http server' at {UndoneSample}:25 undid 'disable http server' (entered at {UndoneSample}:15), so the step is open again.",
            step.StatusReason);
        Assert.Equal(RemediationStepStatus.Done, Step(report, "restart-router").Status);
        Assert.Null(report.Verdict.Note); // the workaround is no longer in force
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void Reasons_and_the_note_are_in_the_report_language(string language)
    {
        var done = EvaluateSample(DoneSample, language);
        var undone = EvaluateSample(UndoneSample, language);
        var japanese = new System.Text.RegularExpressions.Regex(@"[\u3040-\u30ff\u4e00-\u9fff]");
        Assert.Equal(language == "ja", japanese.IsMatch(done.Verdict.Note!));
        Assert.Equal(language == "ja", japanese.IsMatch(Step(done, "disable-http-server").StatusReason!));
        Assert.Equal(language == "ja", japanese.IsMatch(Step(undone, "disable-http-server").StatusReason!));
    }

    [Fact]
    public void The_last_command_decides()
    {
        var again = EvaluateCapture(Capture(
            "Manager > disable http server", "Info (1034003): Operation successful.",
            "Manager > enable http server", "Info (1034003): Operation successful.",
            "Manager > disable http server", "Info (1034003): Operation successful."));
        Assert.Equal(RemediationStepStatus.Done, Step(again, "disable-http-server").Status);
        Assert.Equal(8, Step(again, "disable-http-server").StatusLine);

        // Undoing what was never done leaves the step open, with nothing to say.
        var enabledOnly = EvaluateCapture(Capture("Manager > enable http server", "Info (1034003): Operation successful."));
        Assert.Equal(RemediationStepStatus.Open, Step(enabledOnly, "disable-http-server").Status);
        Assert.Null(Step(enabledOnly, "disable-http-server").StatusReason);
    }

    [Theory]
    [InlineData("Manager > disable http server", "Error (3034012): something failed.")] // refused by the router
    [InlineData("Manager > disable http server", "", "", "", "", "Info (1034003): Operation successful.")] // too far below
    [InlineData("Manager > disable http server", "Manager > show http server", "Info (1034003): Operation successful.")] // answers the next command
    [InlineData("disable http server", "Info (1034003): Operation successful.")] // no prompt: quoted text, not typed
    [InlineData("03 10:02:44   5 USER  LOGON       Manager login on asyn0 > disable http server", "Info (1034003): Operation successful.")]
    [InlineData("Manager > dis http ser", "Info (1034003): Operation successful.")] // abbreviations are not recognized
    [InlineData("Manager > disable http server now", "Info (1034003): Operation successful.")]
    public void A_command_counts_only_after_a_prompt_and_confirmed_in_time(params string[] typed) =>
        Assert.Equal(RemediationStepStatus.Open, Step(EvaluateCapture(Capture(typed)), "disable-http-server").Status);

    [Theory]
    [InlineData("Manager > disable http server")]
    [InlineData("Manager hq-main> DISABLE  HTTP   Server")]
    [InlineData("  SecOff ar320 >disable http server  ")]
    public void Prompts_case_and_spacing_vary(string line) =>
        Assert.Equal(RemediationStepStatus.Done,
            Step(EvaluateCapture(Capture(line, "", "Info (1034003): Operation successful.")), "disable-http-server").Status);

    [Theory]
    [InlineData("create config=flash:branch-7.cfg", RemediationStepStatus.Done)]
    [InlineData("create config=hq main.cfg", RemediationStepStatus.Open)] // not one word
    [InlineData("create config=hq;main.cfg", RemediationStepStatus.Open)] // not of the fact's shape
    [InlineData("create config=", RemediationStepStatus.Open)]
    public void A_placeholder_takes_any_word_of_the_facts_shape(string command, RemediationStepStatus expected) =>
        Assert.Equal(expected,
            Step(EvaluateCapture(Capture("Manager > " + command, "Info (1049003): Operation successful.")), "save-configuration").Status);

    [Fact]
    public void A_step_that_needs_no_confirmation_counts_at_once()
    {
        var report = EvaluateCapture(Capture("Manager > restart router"));
        Assert.Equal(RemediationStepStatus.Done, Step(report, "restart-router").Status);
        Assert.Null(report.Verdict.Note); // the other workaround steps are still open
    }

    [Fact]
    public void Commands_are_found_on_the_byte_path_and_the_text_path_alike()
    {
        var bytes = File.ReadAllBytes(Repo("docs", "samples", DoneSample));
        var fromStream = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromStream("s", new MemoryStream(bytes))] });
        var fromText = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("s", Encoding.UTF8.GetString(bytes))] });
        Assert.Equal(fromText.Remediation.Select(s => (s.Status, s.StatusLine)), fromStream.Remediation.Select(s => (s.Status, s.StatusLine)));
        Assert.Equal(3, fromStream.Remediation.Count(s => s.Status == RemediationStepStatus.Done));
    }

    /// <summary>Nothing about routers is in the engine: a pack for another device, with its own prompt and no confirmation, works the same.</summary>
    [Fact]
    public void Another_packs_prompt_and_commands_work_the_same()
    {
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", """
                kind: pack
                schemaVersion: 1
                id: test.switch
                version: 1.0.0
                title: t
                advisory: { title: t, firstEdition: 2020-01-01 }
                verdicts:
                  error: { word: e, text: e }
                  warning: { word: w, text: w }
                  info: { word: i, text: i }
                  none: { word: n, text: n }
                """),
            new("rule.yaml", MinimalRule),
            new("remediation.yaml", """
                kind: remediation
                commandEcho:
                  prompts: [{ literal: "switch# " }]
                doneNote: The fix is in.
                steps:
                  - id: telnet-off
                    command: no telnet
                    text: Turn telnet off.
                    when: { minSeverity: warning }
                    doneBy: [no telnet]
                    undoneBy: [telnet]
                """),
        ]);
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("c", "hello\nswitch# no telnet\n")] });
        Assert.Equal(RemediationStepStatus.Done, report.Remediation.Single().Status);
        Assert.Equal(2, report.Remediation.Single().StatusLine);
        Assert.Equal("The fix is in.", report.Verdict.Note);

        var undone = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("c", "hello\nswitch# no telnet\nswitch# telnet\n")] });
        Assert.Equal(RemediationStepStatus.Undone, undone.Remediation.Single().Status);
    }

    [Fact]
    public void The_cli_reports_the_status_in_json_and_text()
    {
        var json = RunCli(["analyze", "--model", "AR320", "--format", "json", Repo("docs", "samples", UndoneSample)]);
        Assert.Equal(1, json.ExitCode);
        var steps = (JArray)JObject.Parse(json.Stdout)["remediation"]!;
        Assert.Equal(["undone", "done", "done", "open", "open"], steps.Select(s => (string)s["status"]!));
        Assert.Equal(25, (long)steps[0]["statusLocation"]!["line"]!);
        Assert.EndsWith(UndoneSample, (string)steps[0]["statusLocation"]!["source"]!);
        Assert.Null(steps[3]["statusLocation"]);

        var text = RunCli(["analyze", "--model", "AR320", "--lang", "en", Repo("docs", "samples", DoneSample)]);
        Assert.Contains("  1. disable http server  [done]", text.Stdout);
        Assert.Contains("the lines may still be logged after the workaround", text.Stdout);
    }

    [Fact]
    public void The_schema_knows_every_phrase_and_the_status_keys()
    {
        var schema = JObject.Parse(File.ReadAllText(Repo("docs", "schema", "rule-pack.schema.json")));
        var phrases = schema.SelectTokens("$..phrases.properties").OfType<JObject>().Single();
        Assert.Equal(ReportPhrases.Known.Keys.Concat(ReportPhrases.FormerNames.Keys).Order(StringComparer.Ordinal), phrases.Properties().Select(p => p.Name).Order(StringComparer.Ordinal));
        var remediation = (JObject)schema["$defs"]!["remediationDocument"]!["properties"]!;
        Assert.NotNull(remediation["commandEcho"]);
        Assert.NotNull(remediation["doneNote"]);
        Assert.NotNull(remediation["steps"]!["items"]!["properties"]!["doneBy"]);
        Assert.NotNull(remediation["steps"]!["items"]!["properties"]!["undoneBy"]);
    }

    private static CliResult ValidateWith(Func<string, string> edit)
    {
        using var dir = new TempDir().WithDefaultRules();
        dir.Write("remediation.yaml", edit(File.ReadAllText(Path.Combine(RulesDir, "remediation.yaml"))));
        return RunCli(["rules", "validate", dir.Path]);
    }

    [Theory]
    [InlineData("commandEcho:\n  prompts:", "commandEchoX:\n  prompts:", "'doneBy' needs the remediation document's 'commandEcho'")]
    [InlineData("    doneBy: [disable http server]\n", "", "'undoneBy' needs 'doneBy'")]
    [InlineData("doneBy: [restart router]", "doneBy: ['restart {fixedIn}']", "uses '{fixedIn}', but only facts can stand in a command typed at the device (facts: firmware, currentConfig)")]
    [InlineData("  confirmationWithin: 4", "  confirmationWithin: 0", "'confirmationWithin' must be between 1 and 50, not 0")]
    [InlineData("  ignoreCase: true", "  ignoreCase: true\n  echo: yes", "unknown key 'echo' in 'commandEcho'")]
    [InlineData("doneBy: [restart router]", "doneBy: [[restart]]", "items of 'doneBy' must be commands")]
    [InlineData("    - { regex: '^\\s{0,8}SecOff", "    - { regex: '(?=x)^\\s{0,8}SecOff", "lookaround")]
    public void Wrong_remediation_status_data_is_an_error_at_its_place(string find, string replace, string message)
    {
        var r = ValidateWith(text =>
        {
            Assert.Contains(find, text);
            return text.Replace(find, replace, StringComparison.Ordinal);
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"remediation\.yaml\(\d+,\d+\): error: ", r.Stderr);
        Assert.Contains(message, r.Stderr);
    }

    [Fact]
    public void A_prompt_without_a_literal_is_a_slow_path_warning()
    {
        var r = ValidateWith(text => text.Replace("- { regex: '^\\s{0,8}SecOff", "- { regex: '^\\s{0,8}(?:SecOff|Operator)", StringComparison.Ordinal));
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"remediation\.yaml\(\d+,\d+\): warning: commandEcho: pattern '\^\\s\{0,8\}\(\?:SecOff\|Operator\).*has no literal every match must contain", r.Stdout + r.Stderr);
    }

    // Snapshots of every output, both cases, both languages. The pack hash is masked: it moves with every edit.
    public static TheoryData<string, string> Cases => new()
    {
        { DoneSample, "en" }, { DoneSample, "ja" }, { UndoneSample, "en" }, { UndoneSample, "ja" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs(string sample, string language)
    {
        var report = EvaluateSample(sample, language);
        var text = new StringWriter();
        TextReportWriter.Write(text, report);
        using var json = new MemoryStream();
        JsonReportWriter.Write(json, report);
        using var sarif = new MemoryStream();
        SarifWriter.Write(sarif, report, Pack);
        var jsonReport = JObject.Parse(Encoding.UTF8.GetString(json.ToArray()));
        var runProperties = (JObject)JObject.Parse(Encoding.UTF8.GetString(sarif.ToArray()))["runs"]![0]!["properties"]!;
        var snapshot = new JObject
        {
            ["text"] = new JArray(text.ToString().Replace(report.Pack.Sha256, "(masked)").Split('\n').Select(l => l.TrimEnd('\r'))),
            ["json"] = new JObject
            {
                ["summary"] = jsonReport["summary"],
                ["verdictNote"] = jsonReport["verdictNote"],
                ["remediation"] = jsonReport["remediation"],
            },
            ["sarifRunProperties"] = new JObject
            {
                ["verdictNote"] = runProperties["verdictNote"],
                ["remediation"] = runProperties["remediation"],
            },
        };
        Assert.True(JToken.DeepEquals(snapshot["json"]!["remediation"], snapshot["sarifRunProperties"]!["remediation"]));
        Snapshot.Match(snapshot, new SnapshotNameExtension(sample.Replace(".log", "") + "_" + language));
    }
}

/// <summary>Hostile captures against remediation status (docs/robustness.md, "Hardening II: remediation status").</summary>
public class RemediationStatusHostileTests
{
    private static RemediationStepStatus DisableStatus(string capture) =>
        Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("c", capture)] })
            .Remediation.Single(s => s.Id == "disable-http-server").Status;

    private const string Findings = "HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.45\n";

    [Fact]
    public void An_overlong_prompt_line_is_not_read_as_a_command()
    {
        Assert.Equal(RemediationStepStatus.Done, DisableStatus(Findings + "Manager > disable http server\nInfo (1): Operation successful.\n"));
        Assert.Equal(RemediationStepStatus.Open,
            DisableStatus(Findings + "Manager > disable http server" + new string(' ', 3000) + "\nInfo (1): Operation successful.\n"));
    }

    [Fact]
    public void A_config_name_with_terminal_escapes_does_not_count_and_reasons_are_escaped_in_text()
    {
        var capture = Findings + "Manager > create config=hq\u001b[2Kmain.cfg\nInfo (1): Operation successful.\n";
        var report = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("c\u001b[2K.log", capture)] });
        Assert.Equal(RemediationStepStatus.Open, report.Remediation.Single(s => s.Id == "save-configuration").Status);

        var done = Pack.Evaluate(new DeviceEvidence
        {
            Model = "AR320",
            Sources = [EvidenceSource.FromText("c\u001b[2K.log", Findings + "Manager > restart router\n")],
        });
        var text = new StringWriter();
        Output.TextReportWriter.Write(text, done);
        Assert.Contains("'restart router' entered at c\\x1b[2K.log:2.", text.ToString());
        Assert.False(text.ToString().Contains('\u001b', StringComparison.Ordinal), "an ESC reached the text report");
    }

    [Fact]
    public void A_capture_repeating_commands_is_judged_by_the_last_one()
    {
        var capture = new StringBuilder(Findings);
        for (var i = 0; i < 50_000; i++)
        {
            capture.Append(i % 2 == 0 ? "Manager > disable http server\n" : "Manager > enable http server\n").Append("Info (1): Operation successful.\n");
        }

        var report = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("c", capture.ToString())] });
        var step = report.Remediation.Single(s => s.Id == "disable-http-server");
        Assert.Equal(RemediationStepStatus.Undone, step.Status);
        Assert.Equal(100_000, step.StatusLine); // the last enable; the last disable two lines above it
        Assert.Contains("(entered at c:99998)", step.StatusReason);
    }
}
