using System.Text;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Products;
using CodeRed.Rules.Tooling;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The definition model (issue 10, item 1): rules, steps, records, facts and verdicts as written, public and
/// immutable; rules buildable in C# and loaded through the same path as a rule file.
/// </summary>
public class DefinitionTests
{
    public static TheoryData<string> BuiltInPacks() => [.. RulePack.BuiltIn.Select(p => p.Identity.Id)];

    private static string Catalogue(RulePack pack)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.WriteCatalogue(stream, pack);
        return Encoding.UTF8.GetString(stream.ToArray()).Replace(pack.Identity.Sha256, "<sha256>", StringComparison.Ordinal);
    }

    private static string RulesDirectoryOf(RulePack pack) =>
        pack == RulePack.Default ? TestSupport.RulesDir : Path.Combine(TestSupport.RulesDir, pack.Origin["embedded:rules/".Length..]);

    [Theory]
    [MemberData(nameof(BuiltInPacks))]
    public void Every_rule_written_from_its_definition_loads_to_the_same_rule(string id)
    {
        var pack = RulePack.FindBuiltIn(id)!;
        Assert.Equal(pack.Rules.Count, pack.Definition.Rules.Count);

        // Every rule file replaced by the YAML its definition writes: the same catalogue, and every sample still passes.
        var ruleFiles = pack.Rules.Select(r => r.SourceFile).ToHashSet(StringComparer.Ordinal);
        var texts = pack.Files.Where(f => !ruleFiles.Contains(f.Path))
            .Select(f => KeyValuePair.Create(f.Path, f.Text))
            .Concat(pack.Definition.Rules.Select(r => KeyValuePair.Create($"{r.Id}/{r.Id}.yaml", DefinitionYaml.Write(r))))
            .ToList();
        var rebuilt = RulePack.LoadFromTexts(texts);

        Assert.Equal(Catalogue(pack), Catalogue(rebuilt));
        foreach (var rule in pack.Definition.Rules)
        {
            Assert.Equal(DefinitionYaml.Write(rule), DefinitionYaml.Write(rebuilt.Definition.FindRule(rule.Id)!));
        }

        var layout = SampleLayout.Read(rebuilt, RulesDirectoryOf(pack));
        var results = SampleTester.Run(rebuilt, layout);
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Sample}: {r.Detail}"));
    }

    [Fact]
    public void Definitions_say_what_the_rule_files_say()
    {
        var pack = RulePack.Default.Definition;
        var cr2001 = pack.FindRule("CR2001")!;
        Assert.Equal(RuleKind.Line, cr2001.Kind);
        var pattern = Assert.Single(cr2001.Match).Pattern!;
        Assert.Equal(PatternSyntax.Regex, pattern.Syntax);
        Assert.StartsWith(@"HTTP\s+ERROR\s+No\s+free\s+HTTP\s+sessions", pattern.Text, StringComparison.Ordinal);
        Assert.Equal(["healthy-router", "other-attack", "after-workaround"], cr2001.Caveats);
        Assert.Contains("AR300 V2", cr2001.Models);

        var cr1001 = pack.FindRule("CR1001")!;
        Assert.Equal(new DeviceConditionDefinition { Status = ModelStatus.Affected, FixAvailable = false }, cr1001.When);
        Assert.Empty(cr1001.Match);

        var step = pack.Remediation.Single(s => s.Id == "disable-http-server");
        Assert.Equal(("disable http server", true), (step.Command, step.WorkaroundModel));
        Assert.Equal(["disable http server"], step.DoneBy);
        Assert.Equal(["enable http server"], step.UndoneBy);
        Assert.Equal(DiagnosticSeverity.Warning, step.MinSeverity);
        Assert.Contains(pack.Facts, f => f.Name == "currentConfig" && f.Shape is not null);
        Assert.Equal([DiagnosticSeverity.Error, DiagnosticSeverity.Warning, DiagnosticSeverity.Info, (DiagnosticSeverity?)null], pack.Verdicts.Select(v => v.Level));

        var web = RulePack.FindBuiltIn("codered.webserver")!.Definition;
        Assert.Contains(web.Rules, r => r.When?.Patch == PatchCondition.Installed);
        Assert.Contains(web.Rules, r => r.Match.Any(m => m.Columns is { Where.Count: > 0 }));
        Assert.Contains(web.Rules, r => r.Count is { By: "client" });
    }

    private static readonly RuleDefinition ProbeRule = new()
    {
        Id = "XD1001",
        Title = LocalizedText.Of("Repeated probe").With("ja", "繰り返しのプローブ"),
        Message = LocalizedText.Of("{key} probed {count} time(s) within ten minutes"),
        Category = "LogSignature",
        Severity = DiagnosticSeverity.Warning,
        Match = [PatternDefinition.Regex(@"probe from (?<peer>\d+\.\d+\.\d+\.\d+)")],
        Count = new CountDefinition { By = "peer", Threshold = 3, Window = TimeSpan.FromMinutes(10) },
    };

    [Fact]
    public void A_rule_built_in_csharp_is_checked_and_evaluated_like_a_rule_file()
    {
        var pack = TestSupport.Pack.WithRules(ProbeRule);
        Assert.DoesNotContain(TestSupport.Pack.Rules, r => r.Id == "XD1001");
        Assert.NotEqual(TestSupport.Pack.Identity.Sha256, pack.Identity.Sha256);
        var descriptor = pack.Rules.Single(r => r.Id == "XD1001");
        Assert.Equal("<definitions>/XD1001.yaml", descriptor.SourceFile);
        Assert.Equal("繰り返しのプローブ", descriptor.Title.Get(System.Globalization.CultureInfo.GetCultureInfo("ja")));
        Assert.Equal(DefinitionYaml.Write(ProbeRule), DefinitionYaml.Write(pack.Definition.FindRule("XD1001")!));

        // The AR log's timestamps ("DD HH:MM:SS") place the hits: three from one peer within ten minutes, two from another.
        var log = string.Join('\n',
            "01 10:00:00 probe from 10.0.0.1",
            "01 10:04:00 probe from 10.0.0.1",
            "01 10:05:00 probe from 10.0.0.2",
            "01 10:09:00 probe from 10.0.0.1",
            "01 10:30:00 probe from 10.0.0.2") + "\n";
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("app.log", log)] });
        var finding = Assert.Single(report.Diagnostics, d => d.Id == "XD1001");
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);
        Assert.Contains("10.0.0.1", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.2", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_rules_added_before_are_kept_when_definitions_are_added()
    {
        var withCode = TestSupport.Pack.WithRules(new EchoRule());
        var both = withCode.WithRules(ProbeRule);
        Assert.Contains(both.Rules, r => r.Id == "XD1002");
        Assert.Contains(both.Rules, r => r.Id == "XD1001");
        Assert.DoesNotContain(both.Definition.Rules, r => r.Id == "XD1002"); // a C# CodeRule has no definition
    }

    [Fact]
    public void A_wrong_definition_fails_with_the_loaders_message_naming_its_file()
    {
        var unknownCaveat = ProbeRule with { Caveats = ["no-such-caveat"] };
        var error = Assert.Throws<RulePackException>(() => TestSupport.Pack.WithRules(unknownCaveat));
        var problem = Assert.Single(error.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("<definitions>/XD1001.yaml", problem.File);
        Assert.Contains("unknown caveat 'no-such-caveat'", problem.Message, StringComparison.Ordinal);

        var duplicate = ProbeRule with { Id = "CR2001" };
        error = Assert.Throws<RulePackException>(() => TestSupport.Pack.WithRules(duplicate));
        Assert.Contains(error.Problems, p => p.Message.Contains("duplicate rule id 'CR2001'", StringComparison.Ordinal));

        var badRegex = ProbeRule with { Match = [PatternDefinition.Regex("(?<=x)probe")], Count = null };
        error = Assert.Throws<RulePackException>(() => TestSupport.Pack.WithRules(badRegex));
        Assert.Contains(error.Problems, p => p.File == "<definitions>/XD1001.yaml" && p.Severity == ProblemSeverity.Error);

        var notWhole = ProbeRule with { Count = ProbeRule.Count! with { Window = TimeSpan.FromMilliseconds(1500) } };
        error = Assert.Throws<RulePackException>(() => TestSupport.Pack.WithRules(notWhole));
        Assert.Contains(error.Problems, p => p.Message.Contains("'window' must be a whole number", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_that_yaml_would_read_otherwise_is_written_quoted()
    {
        var tricky = ProbeRule with
        {
            Id = "XD1003",
            Message = LocalizedText.Of("yes: {count} # not a comment \"quoted\" \\ back — ünïcode"),
            Category = "null",
            Match = [PatternDefinition.Literal("- [x]: {y}"), PatternDefinition.Regex(@"a\s+'b'", ignoreCase: true)],
            Count = null,
        };
        var loaded = TestSupport.Pack.WithRules(tricky).Definition.FindRule("XD1003")!;
        Assert.Equal(tricky.Message.English, loaded.Message.English);
        Assert.Equal("null", loaded.Category);
        Assert.Equal(tricky.Match.Select(m => m.Pattern), loaded.Match.Select(m => m.Pattern));
    }

    private sealed class EchoRule() : CodeRule(new CodeRuleDescriptor
    {
        Id = "XD1002",
        Title = LocalizedText.Of("Echo"),
        Message = LocalizedText.Of("echo"),
        Category = "LogSignature",
        DefaultSeverity = DiagnosticSeverity.Info,
    })
    {
        public override void Analyze(CodeRuleLine line)
        {
        }
    }
}

/// <summary>Templates are parsed once (by hand, not by the placeholder regex) and rendered from their parts: the same
/// names and text as replacing the regex's placeholders each time.</summary>
public class MessageTemplateTests
{
    // The rendering before templates were parsed: one regex replacement per render.
    private static string Reference(string template, Func<string, string?> lookup) =>
        CodeRed.Rules.Loading.PackLoader.Placeholder().Replace(template, m => m.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => lookup(m.Groups["name"].Value) ?? MessageTemplate.Missing,
        });

    [Fact]
    public void Parsed_templates_render_as_the_replacement_did_on_random_text()
    {
        var random = new Random(2001);
        const string alphabet = "{}ab {c}x";
        string? Lookup(string name) => name switch { "a" => "A", "count" => "7", "" => null, _ => name.Length == 1 ? null : $"<{name}>" };
        for (var i = 0; i < 5000; i++)
        {
            var template = new string([.. Enumerable.Range(0, random.Next(0, 16)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            Assert.Equal(Reference(template, Lookup), MessageTemplate.Render(template, Lookup));
            var names = CodeRed.Rules.Loading.PackLoader.Placeholder().Matches(template).Where(m => m.Groups["name"].Success).Select(m => m.Groups["name"].Value);
            Assert.Equal(names, MessageTemplate.ParseOnce(template).Names);
        }

        Assert.Equal(["count", "peer", "count"], MessageTemplate.Parse("{count} from {peer} ({{literal}}) {count}").Names);
        Assert.Equal("3 {x} —", MessageTemplate.Render("{n} {{x}} {missing}", _ => null, new Dictionary<string, int> { ["n"] = 3 }));
    }
}

/// <summary>A whole pack built from its definition (issue 10, item 1): the manifest, models, remediation and rules.</summary>
public class PackDefinitionTests
{
    public static TheoryData<string> BuiltInPacks() => [.. RulePack.BuiltIn.Select(p => p.Identity.Id)];

    private static string Written(PackDefinition definition) =>
        string.Join("\n---\n", DefinitionYaml.WritePack(definition).Select(f => f.Path + "\n" + f.Text));

    private static string Json(RulePack pack, Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray()).Replace(pack.Identity.Sha256, "<sha256>", StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BuiltInPacks))]
    public void A_built_in_pack_rebuilt_from_its_definition_is_the_same_pack(string id)
    {
        var pack = RulePack.FindBuiltIn(id)!;
        var rebuilt = RulePack.FromDefinition(pack.Definition);

        Assert.Equal(pack.Identity with { Sha256 = "" }, rebuilt.Identity with { Sha256 = "" });
        Assert.Equal(Written(pack.Definition with { Identity = rebuilt.Identity }), Written(rebuilt.Definition));
        Assert.Equal(Json(pack, s => JsonReportWriter.WriteCatalogue(s, pack)), Json(rebuilt, s => JsonReportWriter.WriteCatalogue(s, rebuilt)));
        foreach (var kind in Enum.GetValues<CsafDocumentKind>())
        {
            Assert.Equal(Json(pack, s => CsafWriter.Write(s, pack, kind)), Json(rebuilt, s => CsafWriter.Write(s, rebuilt, kind)));
        }
        Assert.Equal(pack.Models.Models.Select(m => (m.Name, m.Status, m.FixedIn?.ToString(), m.FixPatch, m.WorkaroundApplies)),
            rebuilt.Models.Models.Select(m => (m.Name, m.Status, m.FixedIn?.ToString(), m.FixPatch, m.WorkaroundApplies)));

        var folder = pack == RulePack.Default ? TestSupport.RulesDir : Path.Combine(TestSupport.RulesDir, pack.Origin["embedded:rules/".Length..]);
        var results = SampleTester.Run(rebuilt, SampleLayout.Read(rebuilt, folder));
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Sample}: {r.Detail}"));
    }

    [Fact]
    public void A_pack_made_in_csharp_evaluates_and_a_wrong_one_is_refused_with_the_loaders_message()
    {
        var definition = new PackDefinition
        {
            Identity = new PackIdentity("example.probes", "0.1.0", ""),
            Title = LocalizedText.Of("Example probes"),
            Advisory = new AdvisoryInfo(LocalizedText.Of("An example advisory"), "Example", new DateOnly(2026, 12, 2), null),
            Product = new ProductInfo(VersionScheme.Find("dotted")!, ProductTerms.Neutral),
            ModelNotes = [new ModelNoteDefinition("reported", LocalizedText.Of("Reported by the vendor."))],
            Models = [new ModelDefinition("Box 1", ModelStatus.Affected, "reported", Workaround: false) { FixedIn = "2.1" }],
            Verdicts =
            [
                new(DiagnosticSeverity.Error, "Compromised", LocalizedText.Of("Act now.")),
                new(DiagnosticSeverity.Warning, "Probed", LocalizedText.Of("Look at it.")),
                new(DiagnosticSeverity.Info, "Noted", LocalizedText.Of("Nothing to do.")),
                new(null, "Clean", LocalizedText.Of("Nothing found.")),
            ],
            Rules =
            [
                new RuleDefinition
                {
                    Id = "XP1001", Title = LocalizedText.Of("Below the fix"), Message = LocalizedText.Of("{model} runs a version below {fixedIn}"),
                    Category = "Exposure", Severity = DiagnosticSeverity.Warning,
                    When = new DeviceConditionDefinition { Status = ModelStatus.Affected, Version = VersionCondition.BelowFix },
                },
                new RuleDefinition
                {
                    Id = "XP2001", Title = LocalizedText.Of("A probe"), Message = LocalizedText.Of("{count} probe(s)"),
                    Category = "LogSignature", Severity = DiagnosticSeverity.Warning, Match = [PatternDefinition.Literal("GET /probe")],
                },
            ],
            Remediation = [new RemediationStepDefinition { Id = "upgrade", Text = LocalizedText.Of("Upgrade to {fixedIn}."), Rules = ["XP1001"] }],
        };

        var pack = RulePack.FromDefinition(definition);
        Assert.Equal("example.probes", pack.Identity.Id);
        Assert.Equal(64, pack.Identity.Sha256.Length);
        var report = pack.Evaluate(new DeviceEvidence { Model = "Box 1", Version = "2.0", Sources = [EvidenceSource.FromText("access.log", "GET /probe\nGET /index\n")] });
        Assert.Equal(["XP1001", "XP2001"], report.Ids().Order(StringComparer.Ordinal));
        Assert.Equal("Box 1 runs a version below 2.1", report.Diagnostics.Single(d => d.Id == "XP1001").Message);
        Assert.Equal("Upgrade to 2.1.", Assert.Single(report.Remediation).Text);

        var unknownNote = definition with { Models = [definition.Models[0] with { Note = "no-such-note" }] };
        var error = Assert.Throws<RulePackException>(() => RulePack.FromDefinition(unknownNote));
        var problem = Assert.Single(error.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("models.yaml", problem.File);
        Assert.Contains("unknown note 'no-such-note'", problem.Message, StringComparison.Ordinal);

        var badVersion = definition with { Models = [definition.Models[0] with { FixedIn = "2.0.4 PL 7" }] };
        error = Assert.Throws<RulePackException>(() => RulePack.FromDefinition(badVersion));
        Assert.Contains(error.Problems, p => p.File == "models.yaml" && p.Message.Contains("dotted", StringComparison.Ordinal));
    }
}
