using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>The linter grades problems: errors stop a pack, warnings are reported and fail --strict.</summary>
public class LinterTests
{
    [Fact]
    public void The_default_pack_lints_clean() => Assert.Empty(PackLinter.Lint(RulePack.LoadFrom(RulesDir), RulesDir));

    [Fact]
    public void Missing_translation_and_missing_samples_are_warnings()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", """
            kind: rule
            id: CR9001
            title: English only
            message: hello
            category: LogSignature
            severity: info
            match: [{ literal: hello }]
            """);
        dir.Write("CR9001/samples/positive/hit.log", "hello\n");
        // The copied default rules have no samples here, so look at CR9001's warnings only.
        var problems = PackLinter.Lint(RulePack.LoadFrom(dir.Path), dir.Path).Where(p => p.Message.Contains("CR9001")).ToList();
        Assert.All(problems, p => Assert.Equal(ProblemSeverity.Warning, p.Severity));
        Assert.Contains(problems, p => p.Message.Contains("CR9001: the title has no 'ja' text"));
        Assert.Contains(problems, p => p.Message.Contains("CR9001 has no negative sample"));
        Assert.All(problems, p => Assert.Equal("CR9001/CR9001.yaml", p.File.Replace('\\', '/')));

        var plain = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("no negative sample", plain.Stderr);
    }

    [Fact]
    public void A_pattern_without_a_required_literal_is_a_slow_path_warning()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", "kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{ regex: '\\d+\\s+\\w+' }]\n");
        var warning = Assert.Single(RulePack.LoadFrom(dir.Path).Warnings);
        Assert.Contains("slow path", warning.Message);
        Assert.Equal(("CR9001/CR9001.yaml", 1), (warning.File, warning.Line));
    }

    [Theory]
    [InlineData("kind: rule\nid: CR2001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{ literal: x }]\n", "duplicate rule id")]
    [InlineData("kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{ literal: x }]\nflavour: 1\n", "unknown key 'flavour'")]
    [InlineData("kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{ regex: '(?<a>x)\\k<a>' }]\n", "not allowed")]
    [InlineData("kind: rule\nid: CR9001\ntitle: t\nmessage: '{who}'\ncategory: c\nseverity: info\nmatch: [{ literal: x }]\n", "'{who}'")]
    [InlineData("kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmodels: [AR99]\nmatch: [{ literal: x }]\n", "unknown model 'AR99'")]
    public void Errors_exit_2_with_file_line_and_column(string rule, string message)
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001.yaml", rule);
        var r = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"CR9001\.yaml\(\d+,\d+\): error: ", r.Stderr);
        Assert.Contains(message, r.Stderr);
    }
}
