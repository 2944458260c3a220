using CodeRed.Rules.Loading;
using CodeRed.Rules.Output;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Samples are executed (issue 9 item 3): <c>codered rules test [PATH]</c> runs every positive and negative sample through
/// the one sample layout (<see cref="SampleLayout"/>) that the linter and the docs also use.
/// </summary>
public class RulesTestCommandTests
{
    private const string HelloRule = """
        kind: rule
        id: CR9001
        title: Test rule
        message: hello seen {count} time(s)
        category: LogSignature
        severity: warning
        match:
          - literal: hello
        """;

    private static TempDir PackWithHelloRule(string ruleFile = "CR9001/CR9001.yaml")
    {
        var dir = new TempDir().WithDefaultRules();
        dir.Write(ruleFile, HelloRule);
        return dir;
    }

    [Fact]
    public void The_default_pack_passes_rules_test()
    {
        var r = RunCli(["rules", "test", RulesDir]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var rule in Pack.Rules)
        {
            Assert.Contains($"pass  {rule.Id} positive ", r.Stdout);
            Assert.Contains($"pass  {rule.Id} negative ", r.Stdout);
        }

        Assert.DoesNotContain("FAIL", r.Stdout);
        Assert.Matches(@"\n(\d+) sample\(s\) of 12 rule\(s\): \1 passed, 0 failed\n", r.Stdout);
        // The expectations beside the samples are checked, not only read.
        Assert.Contains("pass  CR2001 positive CR2001/samples/positive/syslog-with-columns.log: reported 3 time(s), first at line 1, column 22", r.Stdout);
    }

    [Fact]
    public void A_positive_sample_that_matches_nothing_fails_naming_rule_and_sample()
    {
        using var dir = PackWithHelloRule();
        dir.Write("CR9001/samples/positive/miss.log", "goodbye\n");
        dir.Write("CR9001/samples/negative/quiet.log", "goodbye\n");
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL  CR9001 positive CR9001/samples/positive/miss.log: not reported, but the sample is positive", r.Stdout);
        Assert.Contains("pass  CR9001 negative CR9001/samples/negative/quiet.log", r.Stdout);
        Assert.Contains("codered: rule CR9001: positive sample CR9001/samples/positive/miss.log failed", r.Stderr);
        Assert.Contains("1 passed, 1 failed", r.Stdout);
    }

    [Fact]
    public void A_negative_sample_with_hits_fails_naming_rule_and_sample()
    {
        using var dir = PackWithHelloRule();
        dir.Write("CR9001/samples/positive/hit.log", "hello\n");
        dir.Write("CR9001/samples/negative/full-of-hits.log", "x\nhello\nhello\n");
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL  CR9001 negative CR9001/samples/negative/full-of-hits.log: reported 2 time(s), first at line 2, column 1, but the sample is negative", r.Stdout);
        Assert.Contains("codered: rule CR9001: negative sample CR9001/samples/negative/full-of-hits.log failed", r.Stderr);
    }

    [Fact]
    public void Expected_count_line_and_column_are_checked()
    {
        using var dir = PackWithHelloRule();
        dir.Write("CR9001/samples/positive/two.log", "x\n  hello\nhello\n");
        dir.Write("CR9001/samples/positive/two.expect.yaml", "count: 2\nline: 2\ncolumn: 3\n");
        dir.Write("CR9001/samples/positive/wrong.log", "x\nhello\n");
        dir.Write("CR9001/samples/positive/wrong.expect.yaml", "count: 3\nline: 1\n");
        dir.Write("CR9001/samples/negative/quiet.log", "x\n");
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("pass  CR9001 positive CR9001/samples/positive/two.log: reported 2 time(s), first at line 2, column 3", r.Stdout);
        Assert.Contains("FAIL  CR9001 positive CR9001/samples/positive/wrong.log: reported 1 time(s), first at line 2, column 1, but the sample expects count 3, line 1", r.Stdout);
    }

    [Fact]
    public void A_sample_can_name_the_model_it_comes_from()
    {
        using var dir = new TempDir().WithDefaultRules();
        // CR2001 applies to the affected models only: on an AR100 the same line is not reported.
        dir.Write("CR2001/samples/negative/ar100.log", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.9\n");
        dir.Write("CR2001/samples/negative/ar100.expect.yaml", "model: AR100\n");
        dir.Write("CR2001/samples/positive/ar320.log", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.9\n");
        dir.Write("CR2001/samples/positive/ar320.expect.yaml", "model: AR320\ncount: 1\n");
        var results = SampleTester.Run(RulePack.LoadFrom(dir.Path), SampleLayout.Read(RulePack.LoadFrom(dir.Path), dir.Path)).Where(x => x.Sample.RuleId == "CR2001").ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, x => Assert.True(x.Passed, x.Detail));
    }

    [Fact]
    public void A_rule_disabled_by_default_is_still_tested()
    {
        using var dir = new TempDir().WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", HelloRule + "\nenabled: false\n");
        dir.Write("CR9001/samples/positive/hit.log", "hello\n");
        dir.Write("CR9001/samples/negative/quiet.log", "x\n");
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Contains("pass  CR9001 positive CR9001/samples/positive/hit.log: reported 1 time(s)", r.Stdout);
    }

    [Fact]
    public void Samples_give_a_version_and_the_installed_patches_and_rules_test_uses_them()
    {
        var cases = SampleLayout.Read(WebServerPackTests.WebPack, WebServerPackTests.PackDir).Of("CW1003").ToList();
        var first = cases.First(s => s.Kind == SampleKind.Positive && s.Name.Contains("cases.yaml", StringComparison.Ordinal));
        Assert.Equal(("Microsoft IIS", "5.0"), (first.Model, first.Firmware));
        Assert.Equal(["MS01-033"], first.Patches);
        Assert.Contains(cases, s => s.Kind == SampleKind.Negative && s.Patches is { Count: 0 }); // patches: [] is none installed
        Assert.Contains(cases, s => s.Kind == SampleKind.Negative && s.Patches is null); // no key: not known

        // In an expectation file too; 'firmware' is still read, and giving both is an error with file, line and column.
        using var dir = new TempDir().WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", HelloRule);
        dir.Write("CR9001/samples/positive/hit.log", "hello\n");
        dir.Write("CR9001/samples/positive/hit.expect.yaml", "model: AR320\nversion: 2.0.4 PL 7\npatches: [P1, P2]\n");
        dir.Write("CR9001/samples/negative/quiet.log", "x\n");
        dir.Write("CR9001/samples/negative/quiet.expect.yaml", "firmware: 2.0.4 PL 6\n");
        var pack = RulePack.LoadFrom(dir.Path);
        var samples = SampleLayout.Read(pack, dir.Path).Of("CR9001").ToList();
        Assert.Equal(["P1", "P2"], samples.Single(s => s.Kind == SampleKind.Positive).Patches);
        Assert.Equal("2.0.4 PL 7", samples.Single(s => s.Kind == SampleKind.Positive).Firmware);
        Assert.Equal("2.0.4 PL 6", samples.Single(s => s.Kind == SampleKind.Negative).Firmware);
        Assert.Contains("patches P1, P2", MarkdownDocsWriter.Generate(pack, dir.Path)["rules/CR9001.md"]);

        dir.Write("CR9001/samples/negative/quiet.expect.yaml", "firmware: 2.0.4 PL 6\nversion: 2.0.4 PL 7\n");
        var problem = Assert.Single(SampleLayout.Read(pack, dir.Path).Problems);
        Assert.Contains("give 'version' or 'firmware' (the same thing), not both", problem.Message);
        Assert.Equal(("CR9001/samples/negative/quiet.expect.yaml", 1), (problem.File, problem.Line));
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("not both", r.Stdout + r.Stderr);
    }

    [Fact]
    public void A_comment_in_the_cases_is_not_a_sample()
    {
        using var dir = new TempDir().WithDefaultRules();
        dir.Write("CR1001/samples/cases.yaml", "# positive: none yet\nnegative:\n  - { model: AR100 }\n");
        var pack = RulePack.LoadFrom(dir.Path);
        var warning = Assert.Single(PackLinter.Lint(pack, dir.Path), p => p.Message.Contains("CR1001 has no"));
        Assert.Contains("rule CR1001 has no positive sample (looked in CR1001/samples/positive, CR1001/samples/negative and CR1001/samples/cases.yaml)", warning.Message);
        Assert.DoesNotContain(SampleLayout.Read(pack, dir.Path).Of("CR1001"), s => s.Kind == SampleKind.Positive);
    }

    [Fact]
    public void A_rule_outside_an_id_named_folder_finds_its_samples_for_the_linter_the_docs_and_rules_test()
    {
        using var dir = PackWithHelloRule("http/hello.yaml");
        dir.Write("http/samples/positive/hit.log", "hello\n");
        dir.Write("http/samples/negative/quiet.log", "goodbye\n");
        var pack = RulePack.LoadFrom(dir.Path);

        Assert.DoesNotContain(PackLinter.Lint(pack, dir.Path), p => p.Message.Contains("CR9001 has no"));
        var page = MarkdownDocsWriter.Generate(pack, dir.Path)["rules/CR9001.md"];
        Assert.Contains("Reported: `rules/http/samples/positive/hit.log`", page);
        Assert.Contains("Not reported: `rules/http/samples/negative/quiet.log`", page);
        Assert.DoesNotContain("No samples.", page);
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Contains("pass  CR9001 positive http/samples/positive/hit.log", r.Stdout);
    }

    [Fact]
    public void Rules_sharing_a_folder_keep_their_samples_under_their_id()
    {
        using var dir = PackWithHelloRule("shared/hello.yaml");
        dir.Write("shared/bye.yaml", HelloRule.Replace("CR9001", "CR9002").Replace("hello", "goodbye"));
        dir.Write("shared/samples/CR9001/positive/hit.log", "hello\n");
        dir.Write("shared/samples/CR9002/positive/hit.log", "goodbye\n");
        dir.Write("shared/samples/positive/whose.log", "hello\n");
        var pack = RulePack.LoadFrom(dir.Path);
        var layout = SampleLayout.Read(pack, dir.Path);
        Assert.Equal(["shared/samples/CR9001/positive/hit.log"], layout.Of("CR9001").Select(s => s.Name));
        Assert.Equal(["shared/samples/CR9002/positive/hit.log"], layout.Of("CR9002").Select(s => s.Name));
        var warning = Assert.Single(layout.Problems);
        Assert.Contains("samples beside several rules (CR9001, CR9002) belong to none of them: put each rule's samples in shared/samples/<ID>/", warning.Message);
        Assert.Contains(PackLinter.Lint(pack, dir.Path), p => p.Message.Contains("rule CR9002 has no negative sample (looked in shared/samples/CR9002/positive"));
    }

    [Theory]
    [InlineData("positive/hit.expect.yaml", "count: 1\nflavour: x\n", "positive/hit.expect.yaml(2,1): error: unknown key 'flavour'")]
    [InlineData("positive/hit.expect.yaml", "count: lots\n", "positive/hit.expect.yaml(1,8): error: 'count' must be a whole number")]
    [InlineData("negative/quiet.expect.yaml", "count: 1\n", "negative/quiet.expect.yaml(1,1): error: a negative sample expects the rule not to be reported")]
    [InlineData("positive/ghost.expect.yaml", "count: 1\n", "positive/ghost.expect.yaml(0,0): error: expectations for a sample that does not exist")]
    [InlineData("cases.yaml", "positive:\n  - { modle: AR320 }\n", "cases.yaml(2,7): error: unknown key 'modle' in a device case")]
    public void Broken_sample_files_are_pack_errors_with_file_line_and_column(string file, string text, string expected)
    {
        using var dir = PackWithHelloRule();
        dir.Write("CR9001/samples/positive/hit.log", "hello\n");
        dir.Write("CR9001/samples/negative/quiet.log", "x\n");
        dir.Write("CR9001/samples/" + file, text);
        var r = RunCli(["rules", "test", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("CR9001/samples/" + expected, r.Stderr);
        var validate = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("CR9001/samples/" + expected, validate.Stderr);
    }

    [Fact]
    public void Help_shows_the_usage_and_exits_0()
    {
        var r = RunCli(["rules", "test", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("usage: codered rules test [PATH]", r.Stdout);
        Assert.Equal(2, RunCli(["rules", "test", "--strict"]).ExitCode);
    }

    [Fact]
    public void Nothing_to_test_and_a_file_instead_of_a_folder_are_refused()
    {
        using var dir = new TempDir().WithDefaultRules();
        var none = RunCli(["rules", "test", dir.Path]);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no samples found", none.Stderr);
        Assert.Contains("no samples for CR1001, CR1002", none.Stdout);

        var file = RunCli(["rules", "test", Path.Combine(dir.Path, "pack.yaml")]);
        Assert.Equal(2, file.ExitCode);
        Assert.Contains("is not a directory", file.Stderr);
    }
}
