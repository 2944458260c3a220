using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 10 item 2: every built-in kind runs behind one abstraction, and the driver isolates each the same way: a rule of
/// any kind that throws becomes one CR0001 and the other rules' findings are as they were. The faults are injected with
/// <see cref="Evaluator.TestFaults"/> (scoped to the test's flow), so the pack's own rules are the ones that throw.
/// </summary>
public class RuleKindTests
{
    private static (string Name, string Text)[] Evidence(RulePack pack) =>
        Directory.EnumerateFiles(pack == TestSupport.Pack ? TestSupport.RulesDir : WebServerPackTests.PackDir, "*.log", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}positive{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => pack != TestSupport.Pack || !TestSupport.InNestedPack(f))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(TestSupport.RulesDir, f), File.ReadAllText(f)))
            .ToArray();

    private static AnalysisReport Evaluate(RulePack pack, string? model, Func<string, string, bool>? fault)
    {
        Evaluator.TestFaults.Value = fault;
        try
        {
            return pack.Evaluate(new DeviceEvidence { Model = model, Sources = Evidence(pack).Select(e => EvidenceSource.FromText(e.Name, e.Text)).ToArray() });
        }
        finally
        {
            Evaluator.TestFaults.Value = null;
        }
    }

    private static string[] Findings(AnalysisReport report, string except) => report.Diagnostics
        .Where(d => d.Id != except && d.Id != "CR0001")
        .Select(d => $"{d.Id} {d.Source}:{d.Line}:{d.Column} x{d.Count} {d.Message}")
        .ToArray();

    [Theory]
    [InlineData("default", "CR2001", "line", null)] // a line rule
    [InlineData("default", "CR2003", "line", null)] // a section rule
    [InlineData("default", "CR2003", "end", null)] // a section rule as its source ends
    [InlineData("default", "CR2004", "line", null)] // a record rule
    [InlineData("default", "CR2004", "end", null)]
    [InlineData("default", "CR1002", "device", "AR320")] // a device rule
    [InlineData("webserver", "CW2001", "line", null)] // a counted rule
    public void A_rule_of_any_kind_that_throws_becomes_one_CR0001_and_the_others_find_what_they_found(string which, string rule, string stage, string? model)
    {
        var pack = which == "default" ? TestSupport.Pack : WebServerPackTests.WebPack;
        var clean = Evaluate(pack, model, null);
        Assert.Contains(clean.Diagnostics, d => d.Id == rule);
        Assert.DoesNotContain(clean.Diagnostics, d => d.Id == "CR0001");

        var faulted = Evaluate(pack, model, (id, at) => id == rule && at == stage);
        var failures = faulted.Diagnostics.Where(d => d.Id == "CR0001").ToArray();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Equal([rule], f.Properties["rule"]));
        Assert.All(failures, f => Assert.Contains("test fault in " + stage, f.Message));
        // Once per source at most (a device rule once per report).
        Assert.Equal(failures.Length, failures.Select(f => f.Source).Distinct().Count());
        if (stage != "end")
        {
            Assert.DoesNotContain(faulted.Diagnostics, d => d.Id == rule); // it ran on nothing
        }

        Assert.Equal(string.Join("\n", Findings(clean, rule)), string.Join("\n", Findings(faulted, rule)));
    }

    [Fact]
    public void A_rule_that_failed_stays_failed_across_a_snapshot()
    {
        var lines = File.ReadAllLines(TestSupport.Repo("rules", "CR2003", "samples", "positive", "show-tcp-flood.log"));
        Evaluator.TestFaults.Value = (id, at) => id == "CR2003" && at == "line";
        EvaluationSession session;
        try
        {
            session = EvaluationSession.Start(TestSupport.Pack);
            session.BeginSource("flood.log");
            foreach (var line in lines)
            {
                session.WriteLine(line);
            }
        }
        finally
        {
            Evaluator.TestFaults.Value = null;
        }

        using (session)
        {
            using var restored = EvaluationSession.Restore([TestSupport.Pack], session.CaptureSnapshot());
            // The same lines again, without the fault: a rule not kept failed would find the section now.
            foreach (var line in lines)
            {
                restored.WriteLine(line);
            }

            var report = restored.Complete()[0];
            Assert.Equal(["CR2003"], Assert.Single(report.Diagnostics, d => d.Id == "CR0001").Properties["rule"]);
            Assert.DoesNotContain(report.Diagnostics, d => d.Id == "CR2003");
        }
    }
}
