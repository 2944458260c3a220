using System.Text;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The linter's proof that every regex runs on the linear-time engine stays bounded on large packs (issue 14 item 3):
/// engines are built in batches and dropped. tests/scripts/generate-regex-pack.sh writes the 10,000-rule pack the
/// numbers in docs/robustness.md were measured with; these tests use a few hundred rules.
/// It runs alone (the hostile-input collection): the retained-memory measure counts the whole process.
/// </summary>
[Collection(HostileCollection.Name)]
public class LinterScaleTests
{
    /// <summary>The default pack's manifest and matrix plus <paramref name="count"/> distinct regex rules, as texts.</summary>
    private static Dictionary<string, string> GeneratedPack(int count, Func<int, string>? regex = null)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pack.yaml"] = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml")),
            ["models.yaml"] = File.ReadAllText(Path.Combine(RulesDir, "models.yaml")),
        };
        var rules = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            var pattern = regex?.Invoke(i) ?? $@"HTTP\s+ERROR\s+code{i}\s+No\s+free\s+sessions\s*-\s*rejecting\s+from\s+(?<peer>[^\s,;]+)";
            rules.Append($"---\nkind: rule\nid: GEN{i:D5}\ntitle: Generated rule {i}\nmessage: \"seen {{count}} time(s)\"\ncategory: Generated\nseverity: warning\nmatch:\n  - regex: '{pattern}'\n");
        }

        texts["generated.yaml"] = rules.ToString();
        return texts;
    }

    [Fact]
    public void Linting_hundreds_of_regexes_keeps_no_linear_engine_alive()
    {
        var pack = RulePack.LoadFromTexts(GeneratedPack(300));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var problems = PackLinter.Lint(pack, null);
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(pack);

        Assert.DoesNotContain(problems, p => p.Severity == ProblemSeverity.Error);
        // One linear engine kept per regex was about 1.6 MB each (480 MB here); built in batches and dropped, nothing stays.
        Assert.True(retained < 50L * 1024 * 1024, $"linting kept {retained / (1024 * 1024)} MB alive");
    }

    [Fact]
    public void A_regex_the_linear_engine_refuses_inside_a_batch_is_named_alone()
    {
        // The loader's quick scan refuses \G already (RegexSafetyTests); built without it, the pattern reaches the
        // linter's proof on the engine, which must name it alone among 150.
        var patterns = Enumerable.Range(1, 150).Select(i => Matching.Pattern.FromRegex(
            i == 77 ? @"\Gcode77\s+seen" : $@"HTTP\s+code{i}\s+(?<peer>\S+)", ignoreCase: false, checkConstructs: false, out _)!).ToList();
        var (pattern, refusal) = Assert.Single(LinearEngineCheck.Refusals(patterns));
        Assert.Equal(@"\Gcode77\s+seen", pattern.Source);
        Assert.Contains("NonBacktracking", refusal);
    }
}
