using CodeRed.Rules.Model;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// What a pack's files define, before binding and compilation: its rules and remediation steps as written, beside
/// the pack-level values (identity, product, models) already public on <see cref="RulePack"/>. Writers, the docs
/// generator and the linter read this, never the compiled matchers.
/// </summary>
public sealed record PackDefinition
{
    /// <summary>Pack id, version and content hash.</summary>
    public required PackIdentity Identity { get; init; }

    /// <summary>The pack's title.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The product: version scheme and the words for it.</summary>
    public required ProductInfo Product { get; init; }

    /// <summary>The model matrix.</summary>
    public required ModelMatrix Models { get; init; }

    /// <summary>Every rule, in ID order; rules written in C# as <see cref="CodeRule"/> are not among them.</summary>
    public IReadOnlyList<RuleDefinition> Rules { get; init; } = [];

    /// <summary>The remediation steps in the order they are shown.</summary>
    public IReadOnlyList<RemediationStepDefinition> Remediation { get; init; } = [];

    /// <summary>The records rules may share.</summary>
    public IReadOnlyList<RecordDefinition> Records { get; init; } = [];

    /// <summary>The facts read from evidence.</summary>
    public IReadOnlyList<FactDefinition> Facts { get; init; } = [];

    /// <summary>Verdict texts by level, from the highest (error) to no finding (null level).</summary>
    public IReadOnlyList<VerdictDefinition> Verdicts { get; init; } = [];

    /// <summary>The rule with this ID, or null.</summary>
    public RuleDefinition? FindRule(string id)
    {
        ArgumentNullException.ThrowIfNull(id);

        // Built once per rule list (kept beside it, not in the record, so equality and 'with' stay plain): a catalogue
        // of thousands of rules looks each one up.
        var index = Indexes.GetValue(Rules, rules => rules.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));
        return index.GetValueOrDefault(id);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<RuleDefinition>, Dictionary<string, RuleDefinition>> Indexes = new();
}

/// <summary>Adjacent lines that belong together (<c>records:</c> of the manifest), starting at a line <see cref="Start"/> matches.</summary>
public sealed record RecordDefinition(string Name, PatternDefinition Start, int MaxLines);

/// <summary>A named value read from evidence (<c>facts:</c> of the manifest): the pattern's <c>value</c> capture.</summary>
public sealed record FactDefinition(string Name, PatternDefinition Pattern)
{
    /// <summary>The last line that matches gives the value (<c>take: last</c>), else the first.</summary>
    public bool TakeLast { get; init; }

    /// <summary>What the fact tells of the device (<c>version</c>, <c>patch</c> or <c>model</c>), or null for a plain value.</summary>
    public string? Provides { get; init; }

    /// <summary>What a value must look like, whole, to go into a remediation command, or null for any value.</summary>
    public PatternDefinition? Shape { get; init; }

    /// <summary>The shape in words, for the reason a value was kept out of a command.</summary>
    public LocalizedText? ShapeDescription { get; init; }
}

/// <summary>The verdict's word and text for one level: the highest severity found, or null for no finding.</summary>
public sealed record VerdictDefinition(DiagnosticSeverity? Level, string Word, LocalizedText Text);
