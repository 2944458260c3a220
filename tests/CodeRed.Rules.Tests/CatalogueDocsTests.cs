using System.Globalization;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Docs per rule, bilingual text and severity configuration files.</summary>
public class CatalogueDocsTests
{
    private const string Regenerate = "run: dotnet run --project src/CodeRed.Cli -- rules docs docs --rules rules";

    /// <summary>The packs of the repository as `rules docs docs --rules rules` finds them: rules/ and the packs nested in it.</summary>
    private static IReadOnlyList<DocsPack> RepoPacks() => MarkdownDocsWriter.WithNested(Pack, RulesDir, "rules");

    [Fact]
    public void Committed_docs_are_what_the_pack_generates()
    {
        var packs = RepoPacks();
        Assert.Equal(RulePack.BuiltIn.Select(p => p.Identity.Sha256), packs.Select(p => p.Pack.Identity.Sha256)); // every built-in pack, nested ones found
        foreach (var (relative, text) in MarkdownDocsWriter.Generate(packs))
        {
            var path = Repo("docs", relative);
            Assert.True(File.Exists(path), $"docs/{relative} is missing; {Regenerate}");
            Assert.True(text == File.ReadAllText(path).Replace("\r\n", "\n"), $"docs/{relative} is stale; {Regenerate}");
        }
    }

    [Fact]
    public void Docs_regenerated_into_a_folder_are_the_committed_docs_file_for_file()
    {
        using var dir = new TempDir();
        MarkdownDocsWriter.WriteTo(RepoPacks(), dir.Path);
        var written = Directory.GetFiles(dir.Path, "*.md", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.Path, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        var committed = Directory.GetFiles(Repo("docs", "rules"), "*.md").Select(f => "rules/" + Path.GetFileName(f)).Append("catalogue.md").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(committed, written);
        Assert.All(written, relative => Assert.True(
            File.ReadAllText(Path.Combine(dir.Path, relative)) == File.ReadAllText(Repo("docs", relative)).Replace("\r\n", "\n"), $"{relative} differs from docs/{relative}; {Regenerate}"));
    }

    [Fact]
    public void The_catalogue_has_a_section_per_built_in_pack_and_pages_name_their_pack_and_real_paths()
    {
        var catalogue = File.ReadAllText(Repo("docs", "catalogue.md"));
        foreach (var pack in RulePack.BuiltIn)
        {
            Assert.Contains($"## Pack `{pack.Identity.Id}`", catalogue);
            Assert.All(pack.Rules, r => Assert.Contains($"| Pack | `{pack.Identity.Id}` |", File.ReadAllText(Repo("docs", "rules", r.Id + ".md"))));
        }

        var cw = File.ReadAllText(Repo("docs", "rules", "CW2001.md"));
        Assert.Contains("| Rule file | `rules/webserver/CW2001/CW2001.yaml` |", cw);
        Assert.Contains("`rules/webserver/CW2001/samples/positive/", cw);
        Assert.DoesNotContain("`rules/CW2001/", cw);
        Assert.Contains("| Rule file | `rules/CR2001/CR2001.yaml` |", File.ReadAllText(Repo("docs", "rules", "CR2001.md")));
    }

    [Fact]
    public void A_one_pack_run_leaves_the_other_packs_pages_and_catalogue_section_intact()
    {
        using var dir = new TempDir();
        foreach (var page in Directory.GetFiles(Repo("docs", "rules"), "*.md"))
        {
            dir.Write("rules/" + Path.GetFileName(page), File.ReadAllText(page));
        }

        dir.Write("catalogue.md", File.ReadAllText(Repo("docs", "catalogue.md")));
        // A page of a web-server rule that is gone (removed by the web-server run) and a page of a pack not in any run (kept).
        dir.Write("rules/CW9999.md", "# CW9999: gone\n\n| Property | Value |\n|---|---|\n| Rule ID | CW9999 |\n| Pack | `codered.webserver` |\n\n## Cause\n");
        dir.Write("rules/ZZ0001.md", "# ZZ0001: another pack's\n\n| Property | Value |\n|---|---|\n| Rule ID | ZZ0001 |\n| Pack | `someone.else` |\n\n## Cause\n");
        string Read(string relative) => File.ReadAllText(Path.Combine(dir.Path, relative));
        var before = Directory.GetFiles(Path.Combine(dir.Path, "rules")).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        var web = RunCli(["rules", "docs", dir.Path, "--pack", "codered.webserver"]);
        Assert.True(web.ExitCode == 0, web.Stdout + web.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "rules", "CW9999.md")), "the page of a rule the web-server pack no longer has stays");
        Assert.Equal(before["ZZ0001.md"], Read("rules/ZZ0001.md"));
        Assert.All(Pack.Rules, r => Assert.Equal(before[r.Id + ".md"], Read($"rules/{r.Id}.md")));
        // The embedded web-server pack names its folder in the repository; without --rules its pages have no samples.
        Assert.Contains("| Rule file | `rules/webserver/CW2001/CW2001.yaml` |", Read("rules/CW2001.md"));
        Assert.Equal(File.ReadAllText(Repo("docs", "catalogue.md")), Read("catalogue.md"));

        var ar = RunCli(["rules", "docs", dir.Path, "--rules", RulesDir]);
        Assert.True(ar.ExitCode == 0, ar.Stdout + ar.Stderr);
        Assert.Contains("## Pack `codered.alliedtelesis.ar`", Read("catalogue.md"));
        Assert.Contains("## Pack `codered.webserver`", Read("catalogue.md"));
        Assert.Equal(before["ZZ0001.md"], Read("rules/ZZ0001.md"));
        Assert.All(RulePack.FindBuiltIn("codered.webserver")!.Rules, r => Assert.True(File.Exists(Path.Combine(dir.Path, "rules", r.Id + ".md"))));

        var arOnly = RunCli(["rules", "docs", dir.Path, "--pack", "codered.alliedtelesis.ar"]);
        Assert.True(arOnly.ExitCode == 0, arOnly.Stdout + arOnly.Stderr);
        Assert.All(RulePack.FindBuiltIn("codered.webserver")!.Rules, r => Assert.True(File.Exists(Path.Combine(dir.Path, "rules", r.Id + ".md")), $"{r.Id}.md was deleted by a run for the AR pack"));
        Assert.Contains("## Pack `codered.webserver`", Read("catalogue.md"));
    }

    [Fact]
    public void A_run_never_overwrites_the_page_of_another_packs_rule_of_the_same_id()
    {
        using var dir = new TempDir();
        var page = dir.Write("out/rules/CR2001.md", "# CR2001: someone else's\n\n| Property | Value |\n|---|---|\n| Rule ID | CR2001 |\n| Pack | `someone.else` |\n");
        var r = RunCli(["rules", "docs", Path.Combine(dir.Path, "out")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pack 'someone.else'", r.Stderr);
        Assert.Contains("someone else's", File.ReadAllText(page));
    }

    [Fact]
    public void Every_rule_has_a_page_and_every_page_a_rule()
    {
        var pages = Directory.GetFiles(Repo("docs", "rules"), "*.md").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        // docs/rules holds the pages of every built-in pack (CW*.md are codered.webserver's, WebServerPackTests checks them).
        Assert.Equal(RulePack.BuiltIn.SelectMany(p => p.Rules).Select(r => r.Id).Order(), pages);
        Assert.All(Pack.Rules, r => Assert.True(File.Exists(Repo(r.HelpUri)), $"{r.Id}'s help link {r.HelpUri} leads nowhere"));
    }

    [Fact]
    public void Every_text_exists_in_English_and_Japanese()
    {
        var missing = new List<string>();
        void Check(string what, LocalizedText? text)
        {
            if (text is not null && (!text.Has("en") || !text.Has("ja")))
            {
                missing.Add(what);
            }
        }

        foreach (var r in Pack.Rules)
        {
            Check($"{r.Id} title", r.Title);
            Check($"{r.Id} message", r.MessageFormat);
            Check($"{r.Id} description", r.Description);
            foreach (var c in r.Caveats)
            {
                Check($"{r.Id} caveat", c);
            }
        }

        foreach (var (id, note) in Pack.Models.Notes)
        {
            Check($"note {id}", note);
        }

        foreach (var step in Pack.Remediation)
        {
            Check($"step {step.Id} text", step.Text);
            Check($"step {step.Id} detail", step.Detail);
            Check($"step {step.Id} hint", step.HintIfMissing);
        }

        foreach (var (level, verdict) in Pack.Verdicts)
        {
            Check($"verdict {level}", verdict.Text);
        }

        Check("pack title", Pack.Title);
        Check("advisory title", Pack.Advisory.Title);
        Assert.Empty(missing);
    }

    [Fact]
    public void Culture_chooses_the_language_and_English_is_the_fallback()
    {
        AnalysisReport In(string culture) => Pack.Evaluate(new DeviceEvidence { Model = "AR130" }, new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(culture) });
        Assert.Contains("対策ファームウエア", In("ja-JP").Diagnostics.Single().Message);
        Assert.Contains("no fixed firmware yet", In("en-US").Diagnostics.Single().Message);
        Assert.Contains("no fixed firmware yet", In("fr-FR").Diagnostics.Single().Message);
        Assert.Contains("HTTP サーバ", In("ja").Remediation[0].Text);
    }

    [Fact]
    public void Severity_file_uses_the_editorconfig_keys_with_rule_over_category_over_all()
    {
        var config = SeverityConfigurationFile.Parse("""
            # codered severity settings
            [*]
            dotnet_analyzer_diagnostic.severity = hidden
            dotnet_analyzer_diagnostic.category-LogSignature.severity = info
            dotnet_diagnostic.CR2001.severity = error   # the one we page on
            dotnet_diagnostic.CR2005.severity = none
            """, "codered.ini", Pack);
        Assert.Equal(DiagnosticSeverity.Error, config.Resolve(Pack.FindRule("CR2001")!));
        Assert.Equal(DiagnosticSeverity.Info, config.Resolve(Pack.FindRule("CR2002")!));
        Assert.Equal(DiagnosticSeverity.Hidden, config.Resolve(Pack.FindRule("CR1001")!));
        Assert.Null(config.Resolve(Pack.FindRule("CR2005")!));
    }

    [Fact]
    public void Severity_file_errors_name_file_line_and_column()
    {
        var e = Assert.Throws<SeverityConfigurationException>(() => SeverityConfigurationFile.Parse(
            "dotnet_diagnostic.CR2001.severity = loud\n  dotnet_diagnostic.CR9999.severity = error\nnot a setting\n", "my.ini", Pack));
        Assert.Equal([("my.ini", 1), ("my.ini", 2), ("my.ini", 3)], e.Problems.Select(p => (p.File, p.Line)));
        Assert.Equal(3, e.Problems[1].Column);
        Assert.Contains("'loud' is not a severity", e.Problems[0].Message);
    }

    [Fact]
    public void Cli_reads_a_severity_file_and_options_win_over_it()
    {
        using var dir = new TempDir();
        var file = dir.Write("sev.ini", "dotnet_diagnostic.CR1001.severity = info\n");
        Assert.Equal(0, RunCli(["analyze", "--model", "AR130", "--config", file]).ExitCode);
        Assert.Equal(1, RunCli(["analyze", "--model", "AR130", "--config", file, "--severity", "CR1001=warning"]).ExitCode);
        var bad = dir.Write("bad.ini", "dotnet_diagnostic.CR1001.severity = maybe\n");
        var r = RunCli(["analyze", "--model", "AR130", "--config", bad]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bad.ini(1,", r.Stderr);
    }

    [Fact]
    public void Rules_list_filters_by_status()
    {
        var stable = RunCli(["rules", "list", "--status", "stable"]);
        Assert.Contains("CR2001", stable.Stdout);
        var experimental = RunCli(["rules", "list", "--status", "experimental"]);
        Assert.DoesNotContain("CR2001", experimental.Stdout);
        Assert.Equal(2, RunCli(["rules", "list", "--status", "shiny"]).ExitCode);
    }

    [Fact]
    public void A_deprecated_rule_stays_resolvable_and_names_its_replacement()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9002/CR9002.yaml", """
            kind: rule
            id: CR9002
            status: deprecated
            replacedBy: CR2001
            title: Old HTTP signature
            message: old
            category: LogSignature
            severity: warning
            match: [{ literal: No free HTTP sessions }]
            """);
        var pack = RulePack.LoadFrom(dir.Path);
        Assert.Equal("CR2001", pack.FindRule("CR9002")!.ReplacedBy);
        Assert.Contains("deprecated: use CR2001", RunCli(["rules", "list", "--rules", dir.Path, "--status", "deprecated"]).Stdout);

        dir.Write("CR9002/CR9002.yaml", File.ReadAllText(Path.Combine(dir.Path, "CR9002", "CR9002.yaml")).Replace("replacedBy: CR2001\n", ""));
        var e = Assert.Throws<CodeRed.Rules.RulePackException>(() => RulePack.LoadFrom(dir.Path));
        Assert.Contains(e.Problems, p => p.Message.Contains("must name its replacement"));
    }
}
