using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Provenance (GitHub issue 6): a run can be pinned to a pack by its SHA-256, and every report names its pack.</summary>
public class ProvenanceTests
{
    private static readonly byte[] Log = Encoding.ASCII.GetBytes("HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n");

    [Fact]
    public void Validate_prints_the_sha256_that_analyze_accepts_as_a_pin()
    {
        var validate = RunCli(["rules", "validate", RulesDir]);
        Assert.Equal(0, validate.ExitCode);
        var sha = validate.Stdout.Split('\n').Single(l => l.StartsWith("sha256: ", StringComparison.Ordinal))["sha256: ".Length..].Trim();
        Assert.Equal(Pack.Identity.Sha256, sha);

        foreach (var pin in new[] { sha, sha.ToUpperInvariant(), "sha256:" + sha, " " + sha + " " })
        {
            var run = RunCli(["analyze", "--rules", RulesDir, "--rules-sha256", pin, "--format", "json", "-"], Log);
            Assert.True(run.ExitCode == 1, pin + ": " + run.Stderr);
            using var json = JsonDocument.Parse(run.Stdout);
            Assert.Equal(sha, json.RootElement.GetProperty("pack").GetProperty("sha256").GetString());
        }

        // The embedded pack is the rules folder, so the same pin holds without --rules.
        Assert.Equal(1, RunCli(["analyze", "--rules-sha256", sha, "-"], Log).ExitCode);
    }

    [Fact]
    public void A_pack_that_is_not_the_pinned_one_is_refused_naming_both_hashes()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        var original = RulePack.LoadFrom(dir.Path).Identity.Sha256;
        File.AppendAllText(Path.Combine(dir.Path, "CR2001", "CR2001.yaml"), "# an edit\n");
        var edited = RulePack.LoadFrom(dir.Path).Identity.Sha256;
        Assert.NotEqual(original, edited);

        var run = RunCli(["analyze", "--rules", dir.Path, "--rules-sha256", original, "--format", "json", "-"], Log);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout); // nothing evaluated, no report
        Assert.Contains(original, run.Stderr);
        Assert.Contains(edited, run.Stderr);
        Assert.Contains("--rules-sha256", run.Stderr);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("")]
    public void A_malformed_pin_is_a_usage_error(string pin)
    {
        var run = RunCli(["analyze", "--rules-sha256", pin, "-"], Log);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--rules-sha256 must be 64 hexadecimal digits", run.Stderr);
    }

    [Fact]
    public void Every_report_names_pack_id_version_and_sha256()
    {
        var report = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("log", Encoding.ASCII.GetString(Log))] });
        Assert.Equal(("codered.alliedtelesis.ar", "1.0.0"), (report.Pack.Id, report.Pack.Version));
        Assert.Matches("^[0-9a-f]{64}$", report.Pack.Sha256);

        using var json = new MemoryStream();
        JsonReportWriter.Write(json, report);
        using var doc = JsonDocument.Parse(json.ToArray());
        var pack = doc.RootElement.GetProperty("pack");
        Assert.Equal(report.Pack.Id, pack.GetProperty("id").GetString());
        Assert.Equal(report.Pack.Version, pack.GetProperty("version").GetString());
        Assert.Equal(report.Pack.Sha256, pack.GetProperty("sha256").GetString());

        foreach (var language in new[] { "en", "ja" })
        {
            var text = new StringWriter();
            TextReportWriter.Write(text, Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("log", Encoding.ASCII.GetString(Log))] },
                new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) }));
            var header = text.ToString().Split('\n')[0];
            Assert.Contains(report.Pack.Id, header);
            Assert.Contains(report.Pack.Version, header);
            Assert.Contains(report.Pack.Sha256, header); // the whole hash, so a text report can be checked against a pin
        }

        var cli = RunCli(["analyze", "-"], Log);
        Assert.Contains($"{report.Pack.Id} {report.Pack.Version} (sha256 {report.Pack.Sha256})", cli.Stdout);
    }
}
