using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Severity decides what is reported, never what the rules mean: a rule at <c>none</c> or <c>hidden</c> still
/// suppresses, as Roslyn's <c>none</c> hides a diagnostic without changing what other analyzers see.
/// </summary>
public sealed class SeverityIndependenceTests
{
    /// <summary>Every <c>suppresses</c> relation of the default pack, read from its rule definitions.</summary>
    public static TheoryData<string, string> Suppressions()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in Pack.Rules)
        {
            foreach (var target in rule.Suppresses)
            {
                data.Add(rule.Id, target);
            }
        }

        return data;
    }

    [Fact]
    public void The_default_pack_has_suppressions_to_test() => Assert.NotEmpty(Suppressions());

    [Theory]
    [MemberData(nameof(Suppressions))]
    public void A_suppression_holds_whatever_the_suppressors_severity(string suppressor, string suppressed)
    {
        var evidence = EvidenceFor(suppressor, suppressed);
        var withoutSuppression = PackWithoutSuppresses(suppressor);

        // The evidence must exercise the relation: without it, the suppressed rule reports something else.
        Assert.Contains(evidence, e => Describe(Pack.Evaluate(e), suppressed) != Describe(withoutSuppression.Evaluate(e), suppressed));

        foreach (var level in new DiagnosticSeverity?[] { null, DiagnosticSeverity.Hidden })
        {
            var options = new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule(suppressor, level) };
            foreach (var e in evidence)
            {
                var expected = Pack.Evaluate(e);
                var actual = Pack.Evaluate(e, options);
                foreach (var rule in Pack.Rules.Where(r => r.Id != suppressor))
                {
                    Assert.True(Describe(expected, rule.Id) == Describe(actual, rule.Id),
                        $"{suppressor}={level?.ToName() ?? "none"} changed {rule.Id} on {e.Sources[0].Name}:\n  default: {Describe(expected, rule.Id)}\n  now:     {Describe(actual, rule.Id)}");
                }

                var own = actual.Diagnostics.Where(d => d.Id == suppressor).ToList();
                if (level is null)
                {
                    Assert.Empty(own);
                }
                else
                {
                    Assert.All(own, d => Assert.Equal(DiagnosticSeverity.Hidden, d.Severity));
                    Assert.Equal(expected.Diagnostics.Count(d => d.Id == suppressor), own.Count);
                }
            }
        }
    }

    [Fact]
    public void The_deliberate_restart_stays_deliberate_when_CR2005_is_off_in_the_CLI()
    {
        var capture = Repo("docs", "samples", "ar320-capture.log");
        var plain = RunCli(["analyze", "--model", "AR320", "--format", "json", capture]);
        var off = RunCli(["analyze", "--model", "AR320", "--severity", "CR2005=none", "--format", "json", capture]);

        Assert.Contains("\"id\": \"CR2004\"", plain.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"id\": \"CR2005\"", off.Stdout, StringComparison.Ordinal);
        Assert.Equal(CountOf(plain.Stdout, "CR2004"), CountOf(off.Stdout, "CR2004"));
        Assert.Equal(1, CountOf(off.Stdout, "CR2004"));
    }

    [Fact]
    public void Remediation_texts_use_the_captures_of_a_rule_turned_off()
    {
        // check-www-servers is called for by any warning (here CR2002) and names CR2001's peers.
        const string log = "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.9\nDirBcast Fail 192.0.2.9>198.51.100.255 Prot=6 Int=eth0\n";
        var evidence = new DeviceEvidence { Sources = [EvidenceSource.FromText("log", log)] };
        var options = new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule("CR2001", null) };

        var expected = Pack.Evaluate(evidence).Remediation.Single(s => s.Id == "check-www-servers").Detail;
        var actual = Pack.Evaluate(evidence, options).Remediation.Single(s => s.Id == "check-www-servers").Detail;

        Assert.Contains("192.0.2.9", expected, StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    private static int CountOf(string json, string id)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.GetProperty("diagnostics").EnumerateArray()
            .Where(d => d.GetProperty("id").GetString() == id)
            .Select(d => d.GetProperty("count").GetInt32())
            .SingleOrDefault();
    }

    private static string Describe(AnalysisReport report, string id) =>
        string.Join(" | ", report.Diagnostics.Where(d => d.Id == id).Select(d => $"{d.Severity.ToName()} {d.Source}:{d.Line}:{d.Column} x{d.Count} {d.Message}"));

    /// <summary>The samples of both rules and the bundled captures, each as its own device.</summary>
    private static List<DeviceEvidence> EvidenceFor(params string[] ids) =>
        ids.Select(id => Path.Combine(RulesDir, id, "samples"))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Repo("docs", "samples")))
            .Where(f => !f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => new DeviceEvidence { Sources = [EvidenceSource.FromFile(f)] })
            .ToList();

    /// <summary>The default pack with the suppressor's <c>suppresses</c> removed.</summary>
    private static RulePack PackWithoutSuppresses(string suppressor)
    {
        var files = Directory.EnumerateFiles(RulesDir, "*.yaml", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(RulesDir, f).Replace('\\', '/').Split('/').Contains("samples") && !InNestedPack(f))
            .ToDictionary(f => Path.GetRelativePath(RulesDir, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        var file = Pack.FindRule(suppressor)!.SourceFile.Replace('\\', '/');
        var edited = Regex.Replace(files[file], @"^suppresses:.*$", "", RegexOptions.Multiline);
        Assert.NotEqual(files[file], edited);
        files[file] = edited;
        return RulePack.LoadFromTexts(files);
    }
}
