using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Tooling;

/// <summary>
/// Checks a loaded pack for what loads but should not ship: texts missing a language the pack uses elsewhere,
/// rules without positive and negative samples (found through <see cref="SampleLayout"/>; <c>codered rules test</c>
/// runs them), and sample files that do not parse. The loader's own warnings (patterns without a
/// required literal) come first. Used by <c>codered rules validate</c> and the tests.
/// </summary>
public static class PackLinter
{
    // A loaded pack's patterns compiled once already; compiling the definition again gives the same regex.
    private static Matching.Pattern? Compile(Definitions.PatternDefinition p) =>
        p.Syntax == Definitions.PatternSyntax.Literal ? Matching.Pattern.FromLiteral(p.Text, p.IgnoreCase) : Matching.Pattern.FromRegex(p.Text, p.IgnoreCase, checkConstructs: false, out _);

    /// <summary>Every problem for the pack (warnings, and errors for regexes the linear engine refuses); <paramref name="rulesDirectory"/> enables the sample checks.</summary>
    public static IReadOnlyList<PackProblem> Lint(RulePack pack, string? rulesDirectory)
    {
        var problems = new List<PackProblem>(pack.Warnings);

        // Prove every regex runs on the linear-time engine (evaluation builds it only when needed), in batches. The
        // patterns are the definitions' (as written), compiled again here.
        var definition = pack.Definition;
        var files = new Dictionary<Matching.Pattern, string>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<Definitions.PatternDefinition>();
        var filesById = pack.Rules.ToDictionary(r => r.Id, r => r.SourceFile, StringComparer.Ordinal);
        void Add(Definitions.PatternDefinition p, string file)
        {
            if (seen.Add(p) && Compile(p) is { } compiled)
            {
                files.TryAdd(compiled, file);
            }
        }

        foreach (var rule in definition.Rules)
        {
            var file = filesById[rule.Id];
            foreach (var pattern in rule.Match.Select(m => m.Pattern).OfType<Definitions.PatternDefinition>()
                .Concat(rule.Match.Select(m => m.Columns).OfType<Definitions.ColumnClauseDefinition>().SelectMany(c => c.Where.Select(w => w.Pattern)))
                .Concat(rule.Section is { } s ? [s.Start, s.Row, s.Count] : []))
            {
                Add(pattern, file);
            }
        }

        foreach (var pattern in definition.Records.Select(r => r.Start)
            .Concat(definition.Facts.Select(f => f.Pattern)).Concat(definition.Facts.Select(f => f.Shape).OfType<Definitions.PatternDefinition>())
            .Concat(definition.ColumnSets.Select(c => c.Header)).Concat(definition.ColumnSets.Select(c => c.Comment).OfType<Definitions.PatternDefinition>())
            .Concat(definition.Timestamps.Select(t => t.Pattern))
            .Concat(definition.CommandEcho is { } echo ? echo.Prompts.Append(echo.Confirmation).OfType<Definitions.PatternDefinition>() : []))
        {
            Add(pattern, "pack");
        }

        foreach (var (pattern, refusal) in LinearEngineCheck.Refusals(files.Keys))
        {
            problems.Add(new PackProblem(files[pattern], 1, 1, ProblemSeverity.Error, $"pattern '{ProblemText.Shorten(pattern.Source)}': {refusal}"));
        }

        // A value read from the evidence and typed as part of a command should have a declared shape.
        foreach (var step in definition.Remediation.Where(s => s.Command is not null))
        {
            foreach (var fact in definition.Facts.Where(f => f.Shape is null && step.Command!.Contains("{" + f.Name + "}", StringComparison.Ordinal)))
            {
                problems.Add(Warn("remediation", $"the command of remediation step '{step.Id}' uses fact '{fact.Name}', which declares no 'shape': any text the evidence holds after its pattern would go into the command"));
            }

            foreach (var captured in Definitions.MessageTemplate.Parse(step.Command!).Names.Where(n => n.Contains('.', StringComparison.Ordinal)))
            {
                problems.Add(Warn("remediation", $"the command of remediation step '{step.Id}' uses '{{{ProblemText.Shorten(captured)}}}', a value captured from the evidence that cannot declare a shape: read it through a fact with a 'shape' instead"));
            }
        }

        var languages = pack.Rules.SelectMany(r => r.Title.Languages.Concat(r.MessageFormat.Languages)).ToHashSet(StringComparer.Ordinal);
        var layout = rulesDirectory is not null && Directory.Exists(rulesDirectory) ? SampleLayout.Read(pack, rulesDirectory) : null;
        if (layout is not null)
        {
            problems.AddRange(layout.Problems);
        }

        foreach (var rule in pack.Rules)
        {
            foreach (var (what, text) in new[] { ("title", rule.Title), ("message", rule.MessageFormat), ("description", rule.Description) })
            {
                foreach (var missing in languages.Where(l => !text.Has(l)).Order(StringComparer.Ordinal))
                {
                    problems.Add(Warn(rule.SourceFile, $"rule {rule.Id}: the {what} has no '{missing}' text (other texts of the pack have it)"));
                }
            }

            if (layout is not null)
            {
                // Presence only, through the layout 'codered rules test' runs: comments in cases.yaml are not samples.
                var samples = layout.Of(rule.Id).ToList();
                var positive = samples.Any(s => s.Kind == SampleKind.Positive);
                var negative = samples.Any(s => s.Kind == SampleKind.Negative);
                if (!positive || !negative)
                {
                    var folder = layout.FolderOf(rule.Id);
                    problems.Add(Warn(rule.SourceFile,
                        $"rule {rule.Id} has no {(positive ? "negative" : negative ? "positive" : "positive or negative")} sample (looked in {folder}/positive, {folder}/negative and {folder}/cases.yaml)"));
                }
            }
        }

        return problems;
    }

    private static PackProblem Warn(string file, string message) => new(file, 1, 1, ProblemSeverity.Warning, message);
}
