using System.Diagnostics;
using System.Text.Json;
using System.Text;
using CodeRed.Cli;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// SARIF that GitHub code scanning and GitHub Advanced Security for Azure DevOps accept: every result located, rules
/// with help, automation details naming the device, the driver's full name and information URI, Pascal-case rule
/// names, relative URIs with base ids, one run per device for a fleet; and the Microsoft SARIF Multitool's own verdict
/// (<c>validate --rule-kind "Sarif;Ghas;GHAzDO"</c>) when it is installed (.ci/run installs it).
/// </summary>
public class SarifConsumerTests
{
    private static readonly string Sample = Repo("docs", "samples", "ar320-capture.log");

    private static JsonElement Run(JsonDocument doc, int index = 0) => doc.RootElement.GetProperty("runs")[index];

    private static JsonDocument Cli(params string[] args)
    {
        var r = RunCli(args);
        Assert.True(r.ExitCode is 0 or 1, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout);
    }

    private static JsonDocument Cli(byte[] stdin, params string[] args)
    {
        var r = RunCli(args, stdin);
        Assert.True(r.ExitCode is 0 or 1, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout);
    }

    [Fact]
    public void Every_rule_carries_its_docs_page_as_help()
    {
        using var doc = Cli("analyze", "--model", "AR320", "--format", "sarif", Sample);
        var pages = MarkdownDocsWriter.Generate(Pack, rulesDirectory: null);
        foreach (var rule in Run(doc).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
        {
            var id = rule.GetProperty("id").GetString()!;
            var help = rule.GetProperty("help");
            var markdown = help.GetProperty("markdown").GetString()!;
            var page = pages[$"rules/{id}.md"];
            // The page as `codered rules docs` writes it, less the Examples section (samples are not in a loaded pack).
            Assert.StartsWith($"# {id}: ", markdown, StringComparison.Ordinal);
            Assert.DoesNotContain("## Examples", markdown, StringComparison.Ordinal);
            Assert.Equal(page[..page.IndexOf("## Examples", StringComparison.Ordinal)], markdown[..page.IndexOf("## Examples", StringComparison.Ordinal)]);
            Assert.Contains("## How to fix", markdown, StringComparison.Ordinal);
            Assert.EndsWith(page[page.IndexOf("## Related rules", StringComparison.Ordinal)..], markdown, StringComparison.Ordinal);

            var text = help.GetProperty("text").GetString()!;
            Assert.StartsWith($"{id}: ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("`", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\n#", text, StringComparison.Ordinal);
            Assert.DoesNotContain("|", text, StringComparison.Ordinal);
            Assert.Contains(Pack.Rules.Single(r => r.Id == id).Description.English, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("HTTP server out of sessions", "HttpServerOutOfSessions")]
    [InlineData("Affected model with a fix, firmware unknown", "AffectedModelWithFixFirmwareUnknown")]
    [InlineData("No reports, but servers in a DMZ should be inspected", "NoReportsButServersInDmzShouldBeInspected")]
    [InlineData("TCP connection table flooded on port 80", "TcpConnectionTableFloodedOnPort80")]
    [InlineData("80 ports", "Ports")]
    [InlineData("!!", "CR9")]
    public void Rule_names_are_pascal_case_identifiers(string title, string name) =>
        Assert.Equal(name, SarifWriter.PascalCase(title, "CR9"));

    [Fact]
    public void Every_rule_name_passes_the_sarif_pascal_case_rule()
    {
        using var doc = Cli("analyze", "--format", "sarif");
        foreach (var rule in Run(doc).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
        {
            // The Multitool's SARIF2012 pattern: each word one capital letter, then lower-case letters or digits.
            Assert.Matches(@"^(\p{Lu}[\p{Ll}\p{Nd}]+)+$", rule.GetProperty("name").GetString());
        }
    }

    [Fact]
    public void A_model_only_run_locates_its_findings_at_the_command_line_argument()
    {
        using var doc = Cli("analyze", "--model", "AR320", "--firmware", "2.0.4 PL 6", "--format", "sarif");
        var run = Run(doc);
        Assert.Equal("codered analyze --model AR320 --firmware '2.0.4 PL 6' --format sarif", run.GetProperty("invocations")[0].GetProperty("commandLine").GetString());
        var artifact = Assert.Single(run.GetProperty("artifacts").EnumerateArray());
        Assert.Equal(SarifWriter.CommandLineUri, artifact.GetProperty("location").GetProperty("uri").GetString());
        Assert.Equal(SarifWriter.InvocationBaseId, artifact.GetProperty("location").GetProperty("uriBaseId").GetString());
        var text = artifact.GetProperty("contents").GetProperty("text").GetString()!;
        Assert.Equal(run.GetProperty("invocations")[0].GetProperty("commandLine").GetString(), text);
        Assert.True(run.GetProperty("originalUriBaseIds").GetProperty(SarifWriter.InvocationBaseId).TryGetProperty("description", out _));

        var result = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("CR1002", result.GetProperty("ruleId").GetString());
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(1, region.GetProperty("startLine").GetInt32());
        var column = region.GetProperty("startColumn").GetInt32();
        Assert.Equal("2.0.4 PL 6", text.Substring(column - 1, region.GetProperty("endColumn").GetInt32() - column));
        Assert.Equal("2.0.4 PL 6", region.GetProperty("snippet").GetProperty("text").GetString());
    }

    [Fact]
    public void A_model_finding_from_a_library_caller_is_at_the_model_argument()
    {
        var report = Pack.Evaluate(new DeviceEvidence { Model = "AR130" });
        using var stream = new MemoryStream();
        SarifWriter.Write(stream, [report], Pack);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var run = Run(doc);
        Assert.False(run.GetProperty("invocations")[0].TryGetProperty("commandLine", out _));
        Assert.Equal("--model AR130", run.GetProperty("artifacts")[0].GetProperty("contents").GetProperty("text").GetString());
        var result = run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "CR1001");
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(9, region.GetProperty("startColumn").GetInt32());
        Assert.Equal("AR130", region.GetProperty("snippet").GetProperty("text").GetString());
        Assert.Equal("codered/analyze/--model AR130/", run.GetProperty("automationDetails").GetProperty("id").GetString());
    }

    [Fact]
    public void A_run_names_its_device_and_the_driver_its_full_name()
    {
        using var doc = Cli("analyze", "--model", "AR320", "--format", "sarif", Sample);
        var run = Run(doc);
        var automation = run.GetProperty("automationDetails");
        Assert.Equal($"codered/analyze/{Sample}/", automation.GetProperty("id").GetString());
        Assert.Contains(Sample, automation.GetProperty("description").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(automation.TryGetProperty("properties", out _));
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal($"codered {driver.GetProperty("version").GetString()} (CodeRed.Rules, rule pack {Pack.Identity.Id} {Pack.Identity.Version})", driver.GetProperty("fullName").GetString());
        Assert.Equal("https://www.allied-telesis.co.jp", driver.GetProperty("informationUri").GetString());
    }

    [Fact]
    public void A_fleet_writes_one_log_with_one_run_per_device()
    {
        using var dir = new TempDir();
        dir.Write("fleet/a.log", File.ReadAllText(Sample));
        dir.Write("fleet/b.log", "Router startup, ver 2.0.7-5\nDirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var fleet = Path.Combine(dir.Path, "fleet");
        var r = RunCli(["analyze", "--model", "AR720", "--format", "sarif", fleet]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Empty(SarifTests.Check(doc.RootElement));
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, runs.Count);
        var files = new[] { Path.Combine(fleet, "a.log"), Path.Combine(fleet, "b.log") };
        foreach (var (run, file) in runs.Zip(files))
        {
            Assert.Equal($"codered/analyze/{file}/", run.GetProperty("automationDetails").GetProperty("id").GetString());
            Assert.Equal(file, Assert.Single(run.GetProperty("artifacts").EnumerateArray()).GetProperty("properties").GetProperty("name").GetString());
        }

        // Each device is judged on its own evidence: b.log's banner shows the fixed firmware, a.log's an old one.
        Assert.Contains(runs[0].GetProperty("results").EnumerateArray(), x => x.GetProperty("ruleId").GetString() == "CR1002");
        Assert.Contains(runs[1].GetProperty("results").EnumerateArray(), x => x.GetProperty("ruleId").GetString() == "CR1003");
    }

    [Fact]
    public void In_an_azure_pipeline_the_run_carries_the_build_identity()
    {
        var env = PipelineEnvironment();
        var (prefix, properties) = AzurePipeline.Detect(n => env.GetValueOrDefault(n));
        Assert.Equal("azuredevops/pipeline/build/example/9f6f3b4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/42/5e1b4c1a-3a5e-4f47-9d0b-2f7f5a3c9e11/refs/heads/main/7/", prefix);
        Assert.Equal("42", properties!["azuredevops/pipeline/build/buildDefinitionId"]);
        Assert.Equal("routers", properties["azuredevops/pipeline/build/buildDefinitionName"]);
        Assert.Equal("5e1b4c1a-3a5e-4f47-9d0b-2f7f5a3c9e11", properties["azuredevops/pipeline/build/phaseId"]);
        Assert.Equal("Job", properties["azuredevops/pipeline/build/phaseName"]);

        // Outside a pipeline, or with part of the identity missing, nothing is invented.
        Assert.Null(AzurePipeline.Detect(_ => null).Properties);
        env.Remove("SYSTEM_PHASEID");
        Assert.Equal("codered/analyze/", AzurePipeline.Detect(n => env.GetValueOrDefault(n)).AutomationIdPrefix);
        Assert.Null(AzurePipeline.Detect(n => env.GetValueOrDefault(n)).Properties);
    }

    private static Dictionary<string, string> PipelineEnvironment() => new(StringComparer.Ordinal)
    {
        ["TF_BUILD"] = "True",
        ["SYSTEM_DEFINITIONID"] = "42",
        ["BUILD_DEFINITIONNAME"] = "routers",
        ["SYSTEM_PHASEID"] = "5e1b4c1a-3a5e-4f47-9d0b-2f7f5a3c9e11",
        ["SYSTEM_PHASENAME"] = "Job",
        ["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/example/",
        ["SYSTEM_TEAMPROJECTID"] = "9f6f3b4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        ["BUILD_SOURCEBRANCH"] = "refs/heads/main",
        ["BUILD_BUILDID"] = "7",
    };

    /// <summary>
    /// The Multitool on the SARIF of a single file, a fleet, standard input and a model-only run: no error and no
    /// warning from the SARIF rules and GitHub's (as codered writes it anywhere), nor from Azure DevOps' (as it writes
    /// it in a pipeline, whose build identity GHAzDO requires).
    /// </summary>
    [ExternalToolFact("sarif-multitool", "npm install --prefix artifacts/tools @microsoft/sarif-multitool@5.7.0 (.ci/run does)")]
    public void The_sarif_multitool_finds_no_error_and_no_warning()
    {
        var multitool = Multitool();
        using var dir = new TempDir();
        var fleet = Path.Combine(dir.Path, "fleet");
        dir.Write("fleet/a.log", File.ReadAllText(Sample));
        dir.Write("fleet/b.log", "Router startup, ver 2.0.7-5\nDirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var stdin = File.ReadAllBytes(Sample);
        var cases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["file"] = RunCli(["analyze", "--model", "AR320", "--format", "sarif", Sample]).Stdout,
            ["fleet"] = RunCli(["analyze", "--model", "AR720", "--format", "sarif", fleet]).Stdout,
            ["stdin"] = RunCli(["analyze", "--model", "AR320", "--format", "sarif", "-"], stdin).Stdout,
            ["model-only"] = RunCli(["analyze", "--model", "AR320", "--firmware", "2.0.4 PL 6", "--format", "sarif"]).Stdout,
            ["nothing-given"] = RunCli(["analyze", "--format", "sarif"]).Stdout,
            ["several-packs"] = RunCli(["analyze", "--model", "AR320", "--pack", Pack.Identity.Id, "--rules", Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "nested"), "--format", "sarif", Sample]).Stdout,
        };

        // The same four runs as codered writes them in an Azure pipeline (the library path the CLI takes there).
        var env = PipelineEnvironment();
        var (prefix, properties) = AzurePipeline.Detect(n => env.GetValueOrDefault(n));
        var pipeline = new SarifOptions { AutomationIdPrefix = prefix, AutomationProperties = properties, CommandLine = "codered analyze --format sarif ..." };
        string Pipeline(params DeviceEvidence[] devices)
        {
            using var stream = new MemoryStream();
            SarifWriter.Write(stream, devices.Select(d => Pack.Evaluate(d)).ToList(), Pack, pipeline);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        var pipelineCases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pipeline-file"] = Pipeline(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(Sample, name: Sample)] }),
            ["pipeline-fleet"] = Pipeline(
                new DeviceEvidence { Model = "AR720", Sources = [EvidenceSource.FromFile(Path.Combine(fleet, "a.log"), name: Path.Combine(fleet, "a.log"))] },
                new DeviceEvidence { Model = "AR720", Sources = [EvidenceSource.FromFile(Path.Combine(fleet, "b.log"), name: Path.Combine(fleet, "b.log"))] }),
            ["pipeline-stdin"] = Pipeline(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromStream("-", new MemoryStream(stdin))] }),
            ["pipeline-model-only"] = Pipeline(new DeviceEvidence { Model = "AR320", Firmware = "2.0.4 PL 6" }),
        };

        var findings = new List<string>();
        foreach (var (name, sarif, kinds) in cases.Select(c => (c.Key, c.Value, "Sarif;Ghas")).Concat(pipelineCases.Select(c => (c.Key, c.Value, "Sarif;Ghas;GHAzDO"))))
        {
            Assert.StartsWith("{", sarif, StringComparison.Ordinal);
            var input = Path.Combine(dir.Path, name + ".sarif");
            var output = Path.Combine(dir.Path, name + ".validation.sarif");
            File.WriteAllText(input, sarif);
            findings.AddRange(Validate(multitool, input, output, kinds).Select(f => $"{name}: {f}"));
        }

        Assert.Empty(findings);
    }

    /// <summary>The Multitool's native program (the npm package's bin script passes arguments through a shell unquoted).</summary>
    private static string Multitool()
    {
        var native = Path.Combine(ExternalTools.NodeToolsDir, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
        return File.Exists(native) ? native : ExternalTools.Require("sarif-multitool");
    }

    /// <summary>Runs <c>validate</c> and returns its errors and warnings as "RULE: message" lines.</summary>
    private static List<string> Validate(string multitool, string input, string output, string kinds)
    {
        var start = new ProcessStartInfo(multitool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "validate", "--rule-kind", kinds, "--level", "Error;Warning", "--log", "ForceOverwrite", "-o", output, input })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the Multitool did not finish in two minutes");
        Assert.True(File.Exists(output), $"the Multitool wrote no result (exit {process.ExitCode}):\n{stdout}\n{stderr.Result}");
        using var log = JsonDocument.Parse(File.ReadAllText(output));
        var found = new List<string>();
        foreach (var run in log.RootElement.GetProperty("runs").EnumerateArray())
        {
            foreach (var result in run.TryGetProperty("results", out var results) ? results.EnumerateArray() : default)
            {
                var level = result.TryGetProperty("level", out var l) ? l.GetString() : "warning";
                if (level is "error" or "warning")
                {
                    found.Add($"{level} {result.GetProperty("ruleId").GetString()}: {result.GetProperty("message")}");
                }
            }
        }

        Assert.True(stdout.Contains("1 files scanned", StringComparison.Ordinal), $"the Multitool did not analyse {input}:\n{stdout}");
        return found;
    }
}
