using CodeRed.Rules.Evaluation;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Patterns that backtrack catastrophically cost one timeout, then run on the linear engine; no match is lost.</summary>
public class RegexSafetyTests
{
    [Fact]
    public void A_line_that_makes_a_pattern_backtrack_switches_it_to_the_linear_engine_without_losing_matches()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", """
            kind: rule
            id: CR9001
            title: Nested repetition
            message: "evil {count}"
            category: LogSignature
            severity: warning
            match:
              - regex: 'EVIL:(x+|x+x)+y'
            """);
        var pack = RulePack.LoadFrom(dir.Path);
        // Thousands of x then no y where the group can end: the backtracking interpreter tries every split.
        var hostile = "EVIL:" + new string('x', 5000) + "!y\n";
        var log = hostile + "EVIL:xxxy\n" + hostile + "EVIL:!y\n";

        var started = DateTime.UtcNow;
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("hostile.log", log)] });
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));

        var d = Assert.Single(report.Diagnostics, x => x.Id == "CR9001");
        Assert.Equal(1, d.Count); // only "EVIL:xxxy" matches
        Assert.Equal(2, d.Line);
        Assert.True(pack.CompiledRules.Single(r => r.Descriptor.Id == "CR9001").Patterns[0].FastPathDisabled);
    }

    [Theory]
    [InlineData(@"(?<a>x)\k<a>", "a backreference")]
    [InlineData(@"(x)\1", "a backreference")]
    [InlineData(@"x(?=y)", "a lookaround")]
    [InlineData(@"x(?<!y)", "a lookaround")]
    [InlineData(@"(?>x+)y", "an atomic group")]
    [InlineData(@"(?(x)y|z)", "a conditional")]
    [InlineData(@"(?<o>x)(?<c-o>y)", "a balancing group")]
    [InlineData(@"(?'o'x)(?'c-o'y)", "a balancing group")]
    [InlineData(@"\Gcode", "a \\G anchor")]
    [InlineData(@"[(?=]x\(\?=", null)]
    public void Constructs_the_linear_engine_cannot_run_are_named(string regex, string? construct) =>
        Assert.Equal(construct, Matching.Pattern.LinearEngineRefuses(regex));

    [Fact]
    public void Every_default_pattern_runs_on_the_linear_engine()
    {
        var patterns = Pack.CompiledRules.SelectMany(r => r.Patterns.Concat(r.Section is { } s ? [s.Start, s.Row, s.Count] : []))
            .Concat(Pack.Records.Select(r => r.Start)).Concat(Pack.Facts.Select(f => f.Pattern));
        Assert.All(patterns, p => Assert.Null(p.VerifyLinear()));
    }
}
