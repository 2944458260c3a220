using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Loading: the embedded pack equals the rules/ folder; broken packs fail with every problem, file, line and column.</summary>
public class PackLoadingTests
{
    [Fact]
    public void Embedded_default_pack_is_the_rules_folder()
    {
        var fromDisk = RulePack.LoadFrom(RulesDir);
        Assert.Equal(Pack.Identity, fromDisk.Identity);
        Assert.Equal(Pack.Rules.Select(r => r.Id), fromDisk.Rules.Select(r => r.Id));
    }

    [Fact]
    public void Default_pack_loads_with_no_lint_warning() => Assert.Empty(Pack.Warnings);

    private static RulePackException Broken(string file, string text, bool withDefaults = true)
    {
        using var dir = new TempDir();
        if (withDefaults)
        {
            dir.WithDefaultRules();
        }

        dir.Write(file, text);
        return Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
    }

    private static PackProblem Only(RulePackException e) => Assert.Single(e.Problems, p => p.Severity == ProblemSeverity.Error);

    [Fact]
    public void Yaml_syntax_error_names_file_line_and_column()
    {
        var p = Only(Broken("CR9001.yaml", "kind: rule\nid: [CR9001\ntitle: x\n"));
        Assert.Equal("CR9001.yaml", p.File);
        Assert.True(p.Line >= 2);
        Assert.True(p.Column >= 1);
        Assert.Contains("YAML syntax error", p.Message);
    }

    [Fact]
    public void Unknown_key_is_named_with_its_place()
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule + "\ntitel: typo\n"));
        Assert.Equal(("CR9001.yaml", 9, 1), (p.File, p.Line, p.Column));
        Assert.Contains("unknown key 'titel'", p.Message);
    }

    [Fact]
    public void Duplicate_id_names_both_places()
    {
        var p = Only(Broken("dup.yaml", MinimalRule.Replace("CR9001", "CR2001")));
        Assert.Equal(("dup.yaml", 2, 5), (p.File, p.Line, p.Column));
        Assert.Contains("duplicate rule id 'CR2001'", p.Message);
        Assert.Contains("CR2001/CR2001.yaml(", p.Message);
    }

    [Fact]
    public void Bad_regex_is_named_with_its_place()
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule.Replace("- literal: hello", "- regex: 'Prot=(\\d+'")));
        Assert.Equal(("CR9001.yaml", 8, 12), (p.File, p.Line, p.Column));
        Assert.Contains("does not compile", p.Message);
    }

    [Theory]
    [InlineData("(?<a>a+)+\\k<a>")]
    [InlineData("(?=abc)abc")]
    [InlineData("(?>abc)")]
    public void Constructs_that_backtrack_are_refused(string regex)
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule.Replace("- literal: hello", $"- regex: '{regex}'")));
        Assert.Contains("not allowed", p.Message);
    }

    [Fact]
    public void Unknown_model_in_a_rule_is_named_with_its_place()
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule + "\nmodels: [AR320, AR999]\n"));
        Assert.Equal(("CR9001.yaml", 9, 17), (p.File, p.Line, p.Column));
        Assert.Contains("unknown model 'AR999'", p.Message);
    }

    [Fact]
    public void Bad_fix_threshold_in_the_matrix_is_named_with_its_place()
    {
        var models = File.ReadAllText(Path.Combine(RulesDir, "models.yaml")).Replace("fixedIn: 2.0.7 PL 4 }", "fixedIn: soon }");
        var e = Broken("models.yaml", models);
        Assert.All(e.Problems, p => Assert.Equal("models.yaml", p.File));
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains("'soon' is not a firmware version", e.Problems[0].Message);
    }

    [Fact]
    public void Placeholder_with_nothing_behind_it_is_refused()
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule.Replace("message: Test message", "message: 'from {peer}'")));
        Assert.Contains("'{peer}'", p.Message);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var e = Broken("CR9001.yaml", MinimalRule.Replace("severity: warning", "severity: fatal") + "\nbogus: 1\n");
        Assert.Equal(2, e.Problems.Count(p => p.Severity == ProblemSeverity.Error));
    }

    [Fact]
    public void Aliases_are_refused()
    {
        var p = Only(Broken("CR9001.yaml", "a: &x [1, 2]\nb: *x\n"));
        Assert.Contains("anchors", p.Message);
    }

    [Fact]
    public void A_pack_without_a_manifest_is_refused()
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule, withDefaults: false));
        Assert.Contains("no pack manifest", p.Message);
    }

    [Fact]
    public void A_single_file_pack_with_several_documents_loads()
    {
        using var dir = new TempDir();
        var pack = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        var file = dir.Write("one.yaml", pack + "\n---\n" + MinimalRule + "\n");
        var loaded = RulePack.LoadFrom(file);
        Assert.Equal(["CR9001"], loaded.Rules.Select(r => r.Id));
    }

    [Fact]
    public void The_hash_changes_with_the_content_and_ignores_line_endings()
    {
        using var a = new TempDir();
        a.WithDefaultRules();
        var lf = RulePack.LoadFrom(a.Path).Identity.Sha256;
        Assert.Equal(Pack.Identity.Sha256, lf);
        var path = Path.Combine(a.Path, "CR2001", "CR2001.yaml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\r\n", "\n").Replace("\n", "\r\n"));
        Assert.Equal(lf, RulePack.LoadFrom(a.Path).Identity.Sha256);
        File.AppendAllText(path, "# a comment\r\n");
        Assert.NotEqual(lf, RulePack.LoadFrom(a.Path).Identity.Sha256);
    }

    [Fact]
    public void A_device_condition_on_an_unknown_note_is_refused()
    {
        var rule = "kind: rule\nid: CR9003\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nwhen:\n  note: dmz-server\n";
        var p = Only(Broken("CR9003.yaml", rule));
        Assert.Equal(("CR9003.yaml", 8, 9), (p.File, p.Line, p.Column));
        Assert.Contains("unknown note 'dmz-server'", p.Message);
    }

    [Theory]
    [InlineData("x-")]
    [InlineData("EN")]
    [InlineData("eng")]
    public void Language_codes_are_two_lower_case_letters(string code)
    {
        var p = Only(Broken("CR9001.yaml", MinimalRule.Replace("title: Test rule", $"title: {{ en: Test, {code}: Other }}")));
        Assert.Contains("two-letter language code", p.Message);
    }
}
