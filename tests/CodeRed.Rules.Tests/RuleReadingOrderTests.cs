using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The loader reads each rule as soon as its document is parsed (the files that look as if they hold the manifest or the
/// matrix first), falling back to parsing every file first when one shows up later. Both ways must give the same pack, or
/// the same problems in the same order: every edit, every pair and random sets of broken, moved and extra files.
/// </summary>
public class RuleReadingOrderTests
{
    private static readonly IReadOnlyList<PackFile> DefaultFiles = PackFiles.FromPath(RulesDir);

    private static string Rule(string id, string extra = "") => MinimalRule.Replace("CR9001", id) + "\n" + extra + "\n";

    /// <summary>Each edit changes the file list; several are combined at random.</summary>
    private static readonly (string Name, Func<List<PackFile>, List<PackFile>> Apply)[] Edits =
    [
        ("a rule moved to the top folder", f => Replace(f, "CR2001/CR2001.yaml", p => p with { Path = "CR2001.yaml" })),
        ("a sub-folder file with three rules, the last a syntax error",
            f => Add(f, "extra/three.yaml", Rule("CR9101").Replace("- literal: hello", "- regex: '.*y'") + "---\n" + Rule("CR9102", "models: [NoSuchModel]") + "---\nkind: rule\nid: [CR9103\n")),
        ("a rule suppressing one of the failed file", f => Add(f, "later/suppress.yaml", Rule("CR9111", "suppresses: [CR9101]"))),
        ("a later file reusing an id of the failed file", f => Add(f, "later/reuse.yaml", Rule("CR9101"))),
        ("a duplicate id across sub-folders", f => Add(f, "zz/dup.yaml", Rule("CR2002"))),
        ("an unknown model in a sub-folder rule", f => Add(f, "bad/model.yaml", Rule("CR9201", "models: [AR9999]"))),
        ("an unknown kind in a sub-folder file", f => Add(f, "bad/kind.yaml", "kind: rules\nid: x\n")),
        ("an unknown kind before a syntax error", f => Add(f, "bad/kind2.yaml", "kind: rulez\n---\nkind: rule\nid: [x\n")),
        ("a tab-indented sub-folder file", f => Add(f, "bad/tab.yaml", "kind: rule\nid: CR9301\n\ttitle: x\n")),
        ("the manifest in a sub-folder", f => Replace(f, "pack.yaml", p => p with { Path = "meta/pack.yaml" })),
        ("the model matrix in a sub-folder", f => Replace(f, "models.yaml", p => p with { Path = "meta/models.yaml" })),
        ("no manifest", f => f.Where(p => p.Path != "pack.yaml").ToList()),
        ("the manifest's kind written with an escape", f => Replace(f, "pack.yaml", p => p with { Text = p.Text.Replace("kind: pack", "kind: \"pac\\x6b\"") })),
        ("the matrix's kind written with an escape", f => Replace(f, "models.yaml", p => p with { Text = p.Text.Replace("kind: models", "kind: \"model\\x73\"") })),
        ("a rule file that mentions a manifest's kind", f => Replace(f, "CR2002/CR2002.yaml", p => p with { Text = "# not kind: pack\n" + p.Text })),
        ("a second remediation document in a sub-folder", f => Add(f, "more/remediation.yaml", f.Single(p => p.Path == "remediation.yaml").Text)),
        ("a rule in the manifest's file", f => Replace(f, "pack.yaml", p => p with { Text = Rule("CR9401") + "---\n" + p.Text })),
        ("a message naming nothing", f => Add(f, "bad/message.yaml", Rule("CR9501").Replace("Test message", "Saw {nothing}"))),
        ("a good extra rule", f => Add(f, "good/extra.yaml", Rule("CR9601"))),
        ("a rule that suppresses a missing one", f => Add(f, "bad/suppress.yaml", Rule("CR9701", "suppresses: [CR9999]"))),
        ("a slow pattern (a warning)", f => Add(f, "warn/slow.yaml", Rule("CR9801").Replace("- literal: hello", "- regex: '.*x'"))),
    ];

    [Fact]
    public void Reading_rules_as_parsed_gives_what_reading_them_after_all_parsing_gives()
    {
        var random = new Random(20261203);
        // Every edit alone, every pair, then random sets of three to five.
        var combinations = Edits.Select(e => new[] { e }).ToList();
        combinations.AddRange(Edits.SelectMany((a, i) => Edits.Skip(i + 1).Select(b => new[] { a, b })));
        for (var i = 0; i < 60; i++)
        {
            combinations.Add(Edits.OrderBy(_ => random.Next()).Take(random.Next(3, 6)).ToArray());
        }

        var failedBoth = 0;
        foreach (var combination in combinations)
        {
            var files = combination.Aggregate(DefaultFiles.ToList(), (f, e) => e.Apply(f));
            files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path)); // as PackFiles gives them
            var name = string.Join(" + ", combination.Select(e => e.Name));
            var asParsed = Outcome(() => PackLoader.Load(files, "test"));
            var allFirst = Outcome(() => PackLoader.LoadParsingAllFirst(files, "test"));
            Assert.True(allFirst.SequenceEqual(asParsed), $"{name}:\n  all first: {string.Join("\n    ", allFirst)}\n  as parsed: {string.Join("\n    ", asParsed)}");
            failedBoth += asParsed[0] == "failed" ? 1 : 0;
        }

        Assert.InRange(failedBoth, 10, combinations.Count - 3); // both ways were tried on packs that load and on packs that do not
    }

    [Fact]
    public void The_default_layout_reads_rules_as_parsed_and_an_escaped_kind_does_not()
    {
        Assert.NotNull(PackLoader.LoadReadingRulesAsParsed(DefaultFiles, "test"));
        var escaped = Replace(DefaultFiles.ToList(), "models.yaml", p => p with { Text = p.Text.Replace("kind: models", "kind: \"model\\x73\"") });
        Assert.Null(PackLoader.LoadReadingRulesAsParsed(escaped, "test"));
        Assert.Equal(Pack.Rules.Select(r => r.Id), PackLoader.Load(escaped, "test").Rules.Select(r => r.Id));
    }

    // Two outcomes of the loader before rules were read as parsed (main at fe45934), which a review found changed.
    [Fact]
    public void A_missing_manifest_is_named_before_a_second_remediation_document()
    {
        var files = Add(DefaultFiles.Where(p => p.Path != "pack.yaml").ToList(), "more/remediation.yaml", DefaultFiles.Single(p => p.Path == "remediation.yaml").Text);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        Assert.Equal(
            ["failed", "test(0,0): error: no pack manifest (a document with 'kind: pack') was found",
             "remediation.yaml(5,1): error: a second remediation document; a pack has at most one"],
            Outcome(() => PackLoader.Load(files, "test")).Take(3)); // then what the remediation says of facts no manifest defines
    }

    [Fact]
    public void A_broken_file_takes_back_only_the_ids_it_added_even_beside_a_file_of_the_same_path()
    {
        List<PackFile> files =
        [
            .. DefaultFiles,
            new PackFile("zz/r.yaml", Rule("CR9901")),
            new PackFile("zz/r.yaml", Rule("CR9902") + "---\nkind: rule\nid: [x\n"),
            new PackFile("zz/s.yaml", Rule("CR9901")),
        ];
        Assert.Equal(
            ["failed", "zz/r.yaml(13,1): error: YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']'.",
             "zz/s.yaml(2,5): error: duplicate rule id 'CR9901' (first defined at zz/r.yaml(2,5))"],
            Outcome(() => PackLoader.Load(files, "test")));
    }

    /// <summary>What a load gives: every problem in order, or each rule with its definition hash and every warning.</summary>
    private static List<string> Outcome(Func<RulePack> load)
    {
        try
        {
            var pack = load();
            return ["loaded", .. pack.Rules.Select(r => $"{r.Id} {ReleaseTracking.RuleHash(pack, r)}"), .. pack.Warnings.Select(w => w.ToString())];
        }
        catch (RulePackException e)
        {
            return ["failed", .. e.Problems.Select(p => p.ToString())];
        }
    }

    private static List<PackFile> Add(List<PackFile> files, string path, string text) => [.. files, new PackFile(path, text)];

    private static List<PackFile> Replace(List<PackFile> files, string path, Func<PackFile, PackFile> change) =>
        files.Select(p => p.Path == path ? change(p) : p).ToList();
}
