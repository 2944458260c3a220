using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// A whole pack as written, before binding and compilation: the manifest's values, the model matrix, the rules and
/// the remediation document. <see cref="RulePack.Definition"/> gives it for a loaded pack (what the writers, the docs
/// generator and the linter read); <see cref="RulePack.FromDefinition(PackDefinition)"/> builds a pack from one made in
/// C#, through its rule files (<see cref="DefinitionYaml.WritePack(PackDefinition)"/>) and the loader.
/// </summary>
public sealed record PackDefinition
{
    /// <summary>Pack id, version and content hash (the hash is the loaded files'; a pack built from a definition computes its own).</summary>
    public required PackIdentity Identity { get; init; }

    /// <summary>The version of the rule-file format the definition is written in.</summary>
    public int SchemaVersion { get; init; } = Loading.PackLoader.SupportedSchemaVersion;

    /// <summary>The pack's title.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The advisory the pack encodes (its publisher is the manifest's <c>publisher</c>).</summary>
    public required AdvisoryInfo Advisory { get; init; }

    /// <summary>The advisory's references.</summary>
    public IReadOnlyList<PackReference> References { get; init; } = [];

    /// <summary>The vulnerabilities the advisory is about.</summary>
    public IReadOnlyList<VulnerabilityInfo> Vulnerabilities { get; init; } = [];

    /// <summary>The product: version scheme and the words for it.</summary>
    public ProductInfo Product { get; init; } = ProductInfo.Default;

    /// <summary>The help link of every rule without its own, <c>{id}</c> standing for the rule's ID.</summary>
    public string HelpUri { get; init; } = "docs/rules/{id}.md";

    /// <summary>The caveats rules name.</summary>
    public IReadOnlyList<CaveatDefinition> Caveats { get; init; } = [];

    /// <summary>Report phrases in the pack's words (the engine's own for every other key).</summary>
    public IReadOnlyList<PhraseDefinition> Phrases { get; init; } = [];

    /// <summary>Timestamp forms of the evidence.</summary>
    public IReadOnlyList<TimestampDefinition> Timestamps { get; init; } = [];

    /// <summary>The calendar behind the report's timeline, or null.</summary>
    public CalendarDefinition? Calendar { get; init; }

    /// <summary>Column sets announced by header lines.</summary>
    public IReadOnlyList<ColumnSetDefinition> ColumnSets { get; init; } = [];

    /// <summary>The model matrix's rows.</summary>
    public IReadOnlyList<ModelDefinition> Models { get; init; } = [];

    /// <summary>The model matrix's notes.</summary>
    public IReadOnlyList<ModelNoteDefinition> ModelNotes { get; init; } = [];

    /// <summary>Every rule, in ID order; rules written in C# as <see cref="CodeRule"/> are not among them.</summary>
    public IReadOnlyList<RuleDefinition> Rules { get; init; } = [];

    /// <summary>The remediation steps in the order they are shown.</summary>
    public IReadOnlyList<RemediationStepDefinition> Remediation { get; init; } = [];

    /// <summary>How a capture shows a command typed at the device (needed by steps with <c>DoneBy</c>), or null.</summary>
    public CommandEchoDefinition? CommandEcho { get; init; }

    /// <summary>Shown with the verdict when every step a capture can show was done, or null.</summary>
    public LocalizedText? DoneNote { get; init; }

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
