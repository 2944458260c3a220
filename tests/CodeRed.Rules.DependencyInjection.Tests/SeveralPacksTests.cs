using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static CodeRed.Rules.DependencyInjection.Tests.Support;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>Several pack sources: built-in ids and more paths beside RulesPath; EvaluateAll gives one report per pack.</summary>
public class SeveralPacksTests
{
    private static string TestPack(string name) => Path.Combine(RepoRoot, "tests", "CodeRed.Rules.Tests", "TestPacks", name);

    [Fact]
    public void More_paths_and_built_in_ids_are_evaluated_after_the_primary_pack()
    {
        using var sp = new ServiceCollection().AddCodeRedRules(o =>
        {
            o.PackIds = [RulePack.Default.Identity.Id];
            o.AdditionalRulesPaths = [TestPack("nested")];
            o.SeverityOverrides["TO9001"] = "error";
        }).BuildServiceProvider();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        Assert.Equal([RulePack.Default.Identity.Id, "test.nested.outer"], evaluator.Packs.Select(p => p.Identity.Id));

        var reports = evaluator.EvaluateAll(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("log", "outer\n"), EvidenceSource.FromFile(CapturePath)] });
        Assert.Equal(2, reports.Count);
        Assert.Contains(reports[0].Diagnostics, d => d.Id == "CR2001" && d.PackId == RulePack.Default.Identity.Id);
        var outer = reports[1].Diagnostics.First(d => d.Id == "TO9001" && d.Source == "log");
        Assert.Equal("test.nested.outer", outer.PackId);
        Assert.Equal(DiagnosticSeverity.Error, outer.Severity);
    }

    [Fact]
    public void A_colliding_pack_or_an_unknown_id_fails_validation_naming_it()
    {
        using var sp = new ServiceCollection().AddCodeRedRules(o =>
        {
            o.PackIds = ["no.such.pack"];
            o.AdditionalRulesPaths = [TestPack("nested"), TestPack("collision")];
        }).BuildServiceProvider();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var e = Assert.Throws<OptionsValidationException>(() => evaluator.Packs);
        Assert.Contains(e.Failures, f => f.Contains("no built-in pack 'no.such.pack'", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("rule id 'TO9001' of pack test.collision", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_more_packs_evaluate_all_is_evaluate()
    {
        using var sp = new ServiceCollection().AddCodeRedRules().BuildServiceProvider();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var report = Assert.Single(evaluator.EvaluateAll(CaptureEvidence));
        Assert.Equal(evaluator.Evaluate(CaptureEvidence).Diagnostics.Select(d => d.Message), report.Diagnostics.Select(d => d.Message));
    }
}
