using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>A rule parameter the engine does not honour is a load error at the parameter, never silently ignored.</summary>
public sealed class PackParameterTests
{
    /// <summary>Every rule kind with every parameter any kind honours, and one no kind knows.</summary>
    public static TheoryData<RuleKind, string> KindsAndParameters()
    {
        var names = PackLoader.HonouredParameters.Values.SelectMany(p => p).Append("limit").Distinct(StringComparer.Ordinal).ToList();
        var data = new TheoryData<RuleKind, string>();
        foreach (var kind in Enum.GetValues<RuleKind>())
        {
            foreach (var name in names)
            {
                data.Add(kind, name);
            }
        }

        return data;
    }

    [Fact]
    public void Every_rule_kind_says_which_parameters_it_honours() =>
        Assert.Equal(Enum.GetValues<RuleKind>().Order(), PackLoader.HonouredParameters.Keys.Order());

    [Theory]
    [MemberData(nameof(KindsAndParameters))]
    public void A_parameter_loads_only_where_the_engine_uses_it(RuleKind kind, string parameter)
    {
        var (text, line, column) = RuleOfKind(kind, parameter);
        var honoured = PackLoader.HonouredParameters[kind].Contains(parameter);
        if (honoured)
        {
            var pack = RulePack.LoadFromTexts(WithManifest(text));
            Assert.Equal(kind, pack.FindRule("CR9001")!.Kind);
            return;
        }

        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts(WithManifest(text)));
        var problem = Assert.Single(e.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("CR9001.yaml", problem.File);
        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.Contains($"parameter '{parameter}' is not used", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_threshold_on_a_line_rule_is_refused_by_the_CLI_with_file_line_and_column()
    {
        using var dir = new TempDir();
        dir.Write("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml")));
        dir.Write("models.yaml", File.ReadAllText(Path.Combine(RulesDir, "models.yaml")));
        dir.Write("CR9001.yaml", MinimalRule.Replace("message: Test message", "message: '{count} probes (threshold {threshold})'") + "\nparameters:\n  threshold: 5\n");
        var result = RunCli(["rules", "validate", dir.Path]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CR9001.yaml(10,3)", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.Contains("parameter 'threshold' is not used by the engine here (a line rule takes no parameters; 'threshold' is for counted-section rules)", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    private static KeyValuePair<string, string>[] WithManifest(string rule) =>
    [
        new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
        new("models.yaml", File.ReadAllText(Path.Combine(RulesDir, "models.yaml"))),
        new("CR9001.yaml", rule),
    ];

    /// <summary>A valid rule of the kind with the parameter set, and where the parameter's key is.</summary>
    private static (string Text, int Line, int Column) RuleOfKind(RuleKind kind, string parameter)
    {
        var head = """
            kind: rule
            id: CR9001
            title: Test rule
            message: Test message
            category: LogSignature
            severity: warning

            """;
        var body = kind switch
        {
            RuleKind.Line => "match:\n  - literal: hello\n",
            RuleKind.Device => "when:\n  modelKnown: false\n",
            RuleKind.Section => "section:\n  start: { literal: 'Table:' }\n  row: { regex: '^\\d+ ' }\n  count: { literal: established }\n",
            _ => throw new InvalidOperationException($"no test rule for kind {kind}: add one"),
        };
        var parameters = "parameters:\n" + (kind == RuleKind.Section && parameter != "threshold" ? "  threshold: 1\n" : "") + $"  {parameter}: 5\n";
        var text = head + body + parameters;
        var lines = text.Split('\n');
        var line = Array.FindLastIndex(lines, l => l.StartsWith($"  {parameter}:", StringComparison.Ordinal)) + 1;
        return (text, line, 3);
    }
}
