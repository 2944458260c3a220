namespace CodeRed.Rules;

/// <summary>What a rule looks at.</summary>
public enum RuleKind
{
    /// <summary>The device's model and firmware, judged against the model matrix.</summary>
    Device,

    /// <summary>Lines of evidence matching one of the rule's patterns.</summary>
    Line,

    /// <summary>Rows counted inside a recognised section of output (e.g. a <c>show tcp</c> table).</summary>
    Section,
}

/// <summary>Lifecycle of a rule.</summary>
public enum RuleStatus
{
    /// <summary>New, may change or go.</summary>
    Experimental,

    /// <summary>Being tested on real evidence.</summary>
    Test,

    /// <summary>Stable: the meaning does not change without a version bump.</summary>
    Stable,

    /// <summary>Kept resolvable by ID; replaced by another rule.</summary>
    Deprecated,
}

/// <summary>
/// The public description of a rule, modelled on Roslyn's <c>DiagnosticDescriptor</c>: a stable ID, title,
/// message format, category, default severity, help link. Immutable.
/// </summary>
public sealed class RuleDescriptor
{
    internal RuleDescriptor() { }

    /// <summary>The stable ID, e.g. <c>CR2001</c>. IDs are public API.</summary>
    public required string Id { get; init; }

    /// <summary>Short title.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>Message template; <c>{name}</c> placeholders are filled from captures and facts.</summary>
    public required LocalizedText MessageFormat { get; init; }

    /// <summary>Longer description.</summary>
    public required LocalizedText Description { get; init; }

    /// <summary>Category, e.g. <c>Exposure</c> or <c>LogSignature</c>.</summary>
    public required string Category { get; init; }

    /// <summary>Severity when no configuration says otherwise.</summary>
    public required DiagnosticSeverity DefaultSeverity { get; init; }

    /// <summary>Whether the rule runs when no configuration says otherwise.</summary>
    public required bool IsEnabledByDefault { get; init; }

    /// <summary>Link to the rule's documentation page.</summary>
    public required string HelpUri { get; init; }

    /// <summary>What the rule looks at.</summary>
    public required RuleKind Kind { get; init; }

    /// <summary>Lifecycle status.</summary>
    public required RuleStatus Status { get; init; }

    /// <summary>For a deprecated rule, the ID that replaces it.</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>The rule's own version, moved whenever its meaning changes.</summary>
    public required int Version { get; init; }

    /// <summary>The pack version that introduced the rule.</summary>
    public required string IntroducedIn { get; init; }

    /// <summary>Models the rule applies to; empty means all.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>The advisory's caveats that apply to this rule's findings.</summary>
    public required IReadOnlyList<LocalizedText> Caveats { get; init; }

    /// <summary>References (advisories, articles).</summary>
    public required IReadOnlyList<string> References { get; init; }

    /// <summary>Numeric parameters, e.g. <c>threshold</c>.</summary>
    public required IReadOnlyDictionary<string, int> Parameters { get; init; }

    /// <summary>Rules whose findings this rule suppresses on the same record.</summary>
    public required IReadOnlyList<string> Suppresses { get; init; }

    /// <summary>
    /// The rule's tags, as Roslyn's custom tags: words writers act on. The HTML report's timeline marks the hits of a
    /// rule tagged <c>restart</c> as restarts of the device.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The file the rule was loaded from, relative to the pack root.</summary>
    public required string SourceFile { get; init; }

    /// <summary>The id of the pack the rule belongs to (its manifest's <c>id</c>); empty for the engine's own rules (CR0001).</summary>
    public string PackId { get; init; } = "";

    /// <summary>The 1-based line of the rule's <c>id</c> in <see cref="SourceFile"/> (1 when unknown).</summary>
    internal int SourceLine { get; init; } = 1;

    /// <summary>
    /// The SHA-256 of the rule's definition as written (see <c>Loading.DefinitionHash</c>); null for rules built in C#.
    /// Computed on first use: only <c>rules lock</c> and a lock check need it, and computing it for every rule at load
    /// cost about a tenth of a JIT process's start-up (docs/performance.md).
    /// </summary>
    internal Loading.DefinitionHash? DefinitionHash { get; init; }

    /// <summary>The 1-based column of the rule's <c>id</c> in <see cref="SourceFile"/> (1 when unknown).</summary>
    internal int SourceColumn { get; init; } = 1;
}
