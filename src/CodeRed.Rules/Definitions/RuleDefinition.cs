using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// A rule as written: the definition model between rule files and the compiled pack. Built by the loader from a
/// <c>kind: rule</c> document (<see cref="RulePack.Definition"/>), or in C# and added with
/// <see cref="RulePack.WithRules(RuleDefinition[])"/>; <see cref="DefinitionYaml.Write(RuleDefinition)"/> gives its
/// rule file. Names (caveats, models, records, facts, rules) are references the binding resolves against the pack,
/// and patterns are text the compilation turns into matchers: nothing here is compiled.
/// <para>
/// Exactly one of <see cref="When"/> (a device rule), <see cref="Match"/> (a line rule) or <see cref="Section"/> (a
/// counted section) is set. Collections compare by reference (record equality); compare two definitions by their
/// YAML (<see cref="DefinitionYaml.Write(RuleDefinition)"/>).
/// </para>
/// </summary>
public sealed record RuleDefinition
{
    /// <summary>The stable ID, e.g. <c>CR2001</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The definition's own version, raised when what the rule detects changes (1 and up).</summary>
    public int Version { get; init; } = 1;

    /// <summary>The pack version that first shipped the rule; null for the pack's version.</summary>
    public string? IntroducedIn { get; init; }

    /// <summary>The rule's release status (<c>experimental</c>, <c>test</c>, <c>stable</c>, <c>deprecated</c>).</summary>
    public RuleStatus Status { get; init; } = RuleStatus.Stable;

    /// <summary>The rule that replaces a deprecated one.</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>The short title.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The message template; placeholders such as <c>{count}</c> name captures, facts, parameters or built-in values.</summary>
    public required LocalizedText Message { get; init; }

    /// <summary>The long description (the advisory's words), or null.</summary>
    public LocalizedText? Description { get; init; }

    /// <summary>The category, e.g. <c>LogSignature</c>.</summary>
    public required string Category { get; init; }

    /// <summary>The default severity.</summary>
    public required DiagnosticSeverity Severity { get; init; }

    /// <summary>False for a rule that is off unless configured on.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The help link; null for the pack's <c>helpUri</c> with the ID filled in.</summary>
    public string? HelpUri { get; init; }

    /// <summary>Tags (lower-case words, e.g. <c>restart</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>References (advisory sections, links).</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Names of the pack manifest's caveats.</summary>
    public IReadOnlyList<string> Caveats { get; init; } = [];

    /// <summary>Names of the models (in the pack's model matrix) the rule applies to; empty for every model.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Named numbers the rule and its message use (e.g. <c>threshold</c>).</summary>
    public IReadOnlyDictionary<string, int> Parameters { get; init; } = new Dictionary<string, int>();

    /// <summary>Rules this one suppresses on a record both share.</summary>
    public IReadOnlyList<string> Suppresses { get; init; } = [];

    /// <summary>The name of the pack's record whose lines the rule's hits belong to, or null.</summary>
    public string? Record { get; init; }

    /// <summary>Conditions on the device (a device rule), or null.</summary>
    public DeviceConditionDefinition? When { get; init; }

    /// <summary>Patterns and column clauses tried in order on every line (a line rule); empty for other kinds.</summary>
    public IReadOnlyList<MatchDefinition> Match { get; init; } = [];

    /// <summary>A counted section (a section rule; its threshold is the parameter <c>threshold</c>), or null.</summary>
    public SectionDefinition? Section { get; init; }

    /// <summary>Per-key counting, threshold, window and recurrence of a line rule, or null for "report the first hit".</summary>
    public CountDefinition? Count { get; init; }

    /// <summary>The kind the definition describes.</summary>
    public RuleKind Kind => When is not null ? RuleKind.Device : Section is not null ? RuleKind.Section : RuleKind.Line;
}

/// <summary>How a pattern's text is read.</summary>
public enum PatternSyntax
{
    /// <summary>A .NET regular expression limited to what the linear-time engine runs.</summary>
    Regex,

    /// <summary>Text matched as is.</summary>
    Literal,
}

/// <summary>A pattern as written: <c>{regex: ...}</c> or <c>{literal: ...}</c>, optionally ignoring case.</summary>
public sealed record PatternDefinition(string Text, PatternSyntax Syntax = PatternSyntax.Regex, bool IgnoreCase = false)
{
    /// <summary>A regular expression.</summary>
    public static PatternDefinition Regex(string text, bool ignoreCase = false) => new(text, PatternSyntax.Regex, ignoreCase);

    /// <summary>Literal text.</summary>
    public static PatternDefinition Literal(string text, bool ignoreCase = false) => new(text, PatternSyntax.Literal, ignoreCase);
}

/// <summary>One item of a line rule's <c>match</c>: a pattern over the line, or a clause over named columns.</summary>
public sealed record MatchDefinition
{
    private MatchDefinition(PatternDefinition? pattern, ColumnClauseDefinition? columns) => (Pattern, Columns) = (pattern, columns);

    /// <summary>The pattern, or null for a column clause.</summary>
    public PatternDefinition? Pattern { get; }

    /// <summary>The column clause, or null for a pattern.</summary>
    public ColumnClauseDefinition? Columns { get; }

    /// <summary>A pattern over the whole line.</summary>
    public static MatchDefinition Of(PatternDefinition pattern) => new(pattern ?? throw new ArgumentNullException(nameof(pattern)), null);

    /// <summary>A clause over named columns.</summary>
    public static MatchDefinition Of(ColumnClauseDefinition columns) => new(null, columns ?? throw new ArgumentNullException(nameof(columns)));

    /// <summary>A pattern over the whole line.</summary>
    public static implicit operator MatchDefinition(PatternDefinition pattern) => Of(pattern);

    /// <summary>A clause over named columns.</summary>
    public static implicit operator MatchDefinition(ColumnClauseDefinition columns) => Of(columns);
}

/// <summary>A clause over the columns of one of the pack's column sets (such as W3C <c>#Fields:</c>).</summary>
public sealed record ColumnClauseDefinition
{
    /// <summary>The column set's name.</summary>
    public required string ColumnSet { get; init; }

    /// <summary>Patterns named columns' values must match, in the order written.</summary>
    public IReadOnlyList<ColumnCondition> Where { get; init; } = [];

    /// <summary>Values taken from columns as captures.</summary>
    public IReadOnlyList<ColumnCapture> Capture { get; init; } = [];

    /// <summary>Columns the header must not name.</summary>
    public IReadOnlyList<string> Absent { get; init; } = [];
}

/// <summary>A column's value must match <paramref name="Pattern"/> (<c>where</c>).</summary>
public sealed record ColumnCondition(string Column, PatternDefinition Pattern);

/// <summary>The capture <paramref name="Name"/> takes the value of <paramref name="Column"/>.</summary>
public sealed record ColumnCapture(string Name, string Column);

/// <summary>How the device's version stands against its model's fix (<c>when: version:</c>).</summary>
public enum VersionCondition
{
    /// <summary>Known and below the fix.</summary>
    BelowFix,
    /// <summary>At or above the fix.</summary>
    Fixed,
    /// <summary>Not given and not read from the evidence.</summary>
    Unknown,
    /// <summary>Known, but outside the versions the model's entry covers.</summary>
    OutOfRange,
}

/// <summary>Whether the fixing patch is installed (<c>when: patch:</c>).</summary>
public enum PatchCondition
{
    /// <summary>The fixing patch is in the device's patch list.</summary>
    Installed,
    /// <summary>The patch list is known and lacks it.</summary>
    Missing,
    /// <summary>No patch list was given or read.</summary>
    Unknown,
}

/// <summary>The conditions of a device rule; every condition given must hold.</summary>
public sealed record DeviceConditionDefinition
{
    /// <summary>Whether the model is known (given or read).</summary>
    public bool? ModelKnown { get; init; }

    /// <summary>The model's status in the matrix.</summary>
    public ModelStatus? Status { get; init; }

    /// <summary>A note of the model matrix the model's row must carry.</summary>
    public string? Note { get; init; }

    /// <summary>Whether a fix is released for the model (<c>fix: available</c> / <c>pending</c>).</summary>
    public bool? FixAvailable { get; init; }

    /// <summary>How the version stands against the fix.</summary>
    public VersionCondition? Version { get; init; }

    /// <summary>Whether the fixing patch is installed.</summary>
    public PatchCondition? Patch { get; init; }
}

/// <summary>Rows of a section (such as a <c>show tcp</c> table) counted against the rule's <c>threshold</c> parameter.</summary>
public sealed record SectionDefinition(PatternDefinition Start, PatternDefinition Row, PatternDefinition Count)
{
    /// <summary>Lines between the start and the first row that may be headers.</summary>
    public int MaxHeaderLines { get; init; } = 4;
}

/// <summary>Counting of a line rule's hits.</summary>
public sealed record CountDefinition
{
    /// <summary>The capture whose value is the key hits are counted by, or null for one count.</summary>
    public string? By { get; init; }

    /// <summary>Hits (of one key) needed before the rule reports.</summary>
    public int Threshold { get; init; } = 1;

    /// <summary>The hits must fall within this time (read from the lines' timestamps), or null for no window.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The rule reports only hits seen again after a restart record (<c>recurs: after-restart</c>).</summary>
    public bool RecursAfterRestart { get; init; }
}
