using System.ComponentModel;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules;

/// <summary>One finding, like a Roslyn diagnostic: which rule, how severe, what it says, and where.</summary>
public sealed class Diagnostic
{
    internal Diagnostic() { }

    /// <summary>The rule that produced the finding.</summary>
    public required RuleDescriptor Descriptor { get; init; }

    /// <summary>The rule ID.</summary>
    public string Id => Descriptor.Id;

    /// <summary>The id of the pack whose evaluation produced the finding (also for the engine's CR0001).</summary>
    public string PackId
    {
        get => field ?? Descriptor.PackId;
        init;
    }

    /// <summary>The effective severity (after configuration).</summary>
    public required DiagnosticSeverity Severity { get; init; }

    /// <summary>The rendered message, in the report's language.</summary>
    public required string Message { get; init; }

    /// <summary>The message in another language, as Roslyn's <c>Diagnostic.GetMessage(IFormatProvider)</c>: the rule's
    /// text in <paramref name="culture"/>'s language (English where the rule has none) with the same values.</summary>
    /// <param name="culture">The language; null for the report's (<see cref="Message"/>).</param>
    public string GetMessage(System.Globalization.CultureInfo? culture = null)
    {
        if (culture is null || MessagesByLanguage.Count == 0)
        {
            return Message;
        }

        return MessagesByLanguage.TryGetValue(CultureLanguage.Of(culture), out var text) ? text
            : MessagesByLanguage.TryGetValue("en", out var english) ? english
            : Message;
    }

    /// <summary>Where the first hit is, or null for findings about the device itself (its model or version).</summary>
    public Location? Location => Source is null ? null : new Location(Source, Line, Column);

    /// <summary>The message in each language the rule has, made with the diagnostic (empty for the engine's own).</summary>
    internal IReadOnlyDictionary<string, string> MessagesByLanguage { get; init; } = new Dictionary<string, string>();

    /// <summary>The evidence source of the first hit, or null for model and firmware findings.</summary>
    public string? Source { get; init; }

    /// <summary>1-based line of the first hit, or null for model and firmware findings. 64-bit: evidence may have more than 2^31 lines.</summary>
    public long? Line { get; init; }

    /// <summary>1-based column (in characters) of the first hit, within its whole line, also of a line longer than 2^31 characters.</summary>
    public long? Column { get; init; }

    /// <summary>The text of the first matching line (cut at 500 characters).</summary>
    public string? LineText { get; init; }

    /// <summary>How many times the rule hit in this source (one for model and firmware findings).</summary>
    public required int Count { get; init; }

    /// <summary>Distinct captured values by capture name, in order of first appearance, and facts behind the finding.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Properties { get; init; }

    /// <summary>True when more distinct values were seen than kept.</summary>
    public bool ValuesTruncated { get; init; }

    /// <summary>The capture names whose values were cut (see <see cref="ValuesTruncated"/>).</summary>
    internal IReadOnlySet<string> TruncatedNames { get; init; } = new HashSet<string>();

    /// <summary>The advisory's caveats for this finding, in the report's language.</summary>
    public required IReadOnlyList<string> Caveats { get; init; }

    /// <summary>
    /// For a rule that counts hits per key (<c>count: {by: ...}</c>): the keys that reached the threshold, most hits
    /// first; at most <see cref="EvaluationOptions.MaxDistinctValues"/> keys are tracked. Empty for other rules.
    /// </summary>
    public IReadOnlyList<KeyCount> Keys { get; init; } = [];

    /// <summary>True when more distinct keys were seen than tracked (see <see cref="Keys"/>).</summary>
    public bool KeysTruncated { get; init; }

    /// <summary>The times of the hits, read by the pack's timestamp patterns, in line order; at most <see cref="Evaluator.MaxTimestamps"/>.</summary>
    internal IReadOnlyList<LogTimestamp> Timestamps { get; init; } = [];

    /// <summary>The lines around the first hit, when <see cref="EvaluationOptions.ContextLines"/> asked for them.</summary>
    internal EvidenceContext? Context { get; init; }
}

/// <summary>A place in the evidence, as Roslyn's <c>Location</c>: a source and, when known, a 1-based line and column.</summary>
/// <param name="Source">The evidence source's name, as given.</param>
/// <param name="Line">The 1-based line, or null.</param>
/// <param name="Column">The 1-based column, or null.</param>
public sealed record Location(string Source, long? Line, long? Column)
{
    /// <summary><c>source:line:column</c> (as grep and compilers print it, and the text report where it names a place).</summary>
    public override string ToString() => Line is { } line
        ? Column is { } column ? $"{Source}:{line}:{column}" : $"{Source}:{line}"
        : Source;
}

/// <summary>One key of a counted rule: its value, its hits, where it was first seen, and the log times of its first and last hit.</summary>
/// <param name="Value">The captured value (such as a client address).</param>
/// <param name="Count">Hits with this key.</param>
/// <param name="FirstLine">The 1-based line of the key's first hit.</param>
/// <param name="FirstSeen">The log time of the first hit with a time, or null.</param>
/// <param name="LastSeen">The log time of the last hit with a time, or null.</param>
public sealed record KeyCount(string Value, int Count, long FirstLine, string? FirstSeen, string? LastSeen);

/// <summary>One step of remediation: a command to type on the router, or an action to take.</summary>
public sealed class RemediationStep
{
    internal RemediationStep() { }

    /// <summary>1-based position: steps are meant to be followed in order.</summary>
    public required int Order { get; init; }

    /// <summary>The step's id in the pack (e.g. <c>disable-http-server</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The command to type, or null for an action that is not a command.</summary>
    public string? Command { get; init; }

    /// <summary>What the step does and why.</summary>
    public required string Text { get; init; }

    /// <summary>Details known from the evidence (e.g. which hosts to check), or null.</summary>
    public string? Detail { get; init; }

    /// <summary>What to do first when the command has a placeholder the evidence could not fill, or null.</summary>
    public string? Hint { get; init; }

    /// <summary>The rule IDs that called for this step.</summary>
    public required IReadOnlyList<string> Rules { get; init; }

    /// <summary>When the model is unknown: the models the step applies to. Empty when the model is known.</summary>
    public required IReadOnlyList<string> AppliesTo { get; init; }

    /// <summary>
    /// Whether the evidence shows the step carried out: a command of the step's <c>doneBy</c> echoed after the device's
    /// prompt (and confirmed, when the pack asks for it). <see cref="RemediationStepStatus.Open"/> for steps the evidence
    /// cannot show (the pack gives them no <c>doneBy</c>).
    /// </summary>
    public RemediationStepStatus Status { get; init; }

    /// <summary>The evidence source of the command that decided <see cref="Status"/>, or null when the step is open.</summary>
    public string? StatusSource { get; init; }

    /// <summary>The 1-based line of that command, or null when the step is open.</summary>
    public long? StatusLine { get; init; }

    /// <summary>Why the step has its status, in the report's language (which command, where), or null when it is open.</summary>
    public string? StatusReason { get; init; }
}

/// <summary>What the evidence shows of a remediation step.</summary>
public enum RemediationStepStatus
{
    /// <summary>Still to do: the evidence does not show it carried out.</summary>
    Open,

    /// <summary>Carried out: a command that does it was entered, and nothing undid it afterwards.</summary>
    Done,

    /// <summary>Carried out and then undone by a later command, so it is to do again.</summary>
    Undone,
}

/// <summary>One evidence source an evaluation read: its name, as given, and how many lines it had.</summary>
/// <param name="Name">The source's name (<see cref="EvidenceSource.Name"/>, or the name a session's source began with).</param>
/// <param name="Lines">The lines read from it; a last line without its end counts. 64-bit: a source may have more than 2^31 lines.</param>
public sealed record SourceRead(string Name, long Lines);

/// <summary>The answer in one word and one sentence.</summary>
public sealed record Verdict(string Word, string Text, DiagnosticSeverity? Severity)
{
    /// <summary>
    /// What the verdict adds once every remediation step the evidence can show was done (the pack's <c>doneNote</c>),
    /// such as the advisory's warning that the lines may still be logged after the workaround; null otherwise.
    /// </summary>
    public string? Note { get; init; }
}

/// <summary>What was concluded about the device itself.</summary>
public sealed record DeviceSummary(string? ModelInput, ModelEntry? Model, FirmwareVersion? Firmware, string? FirmwareSource)
{
    /// <summary>The product version (the same as <see cref="Firmware"/>, the preferred name).</summary>
    public FirmwareVersion? Version => Firmware;

    /// <summary>The patches installed, as given or read from the evidence: null when unknown, empty when none.</summary>
    public IReadOnlyList<string>? Patches { get; init; }

    /// <summary>Where the model was read (<c>source:line</c>) when a pack fact provided it; null when it was given or not known.</summary>
    public string? ModelSource { get; init; }
}

/// <summary>The result of one evaluation. Immutable.</summary>
public sealed class AnalysisReport
{
    internal AnalysisReport() { }

    /// <summary>The pack that produced the report.</summary>
    public required PackIdentity Pack { get; init; }

    /// <summary>
    /// The language the report is written in, every word of it: the culture asked for when the pack carries its
    /// language (<see cref="RulePack.Languages"/>), else English. Writers use it.
    /// </summary>
    public required System.Globalization.CultureInfo Culture { get; init; }

    /// <summary>The engine phrases of the pack, for writers that add words (the text report's labels).</summary>
    internal ReportPhrases Phrases { get; init; } = ReportPhrases.BuiltIn;

    /// <summary>The pack evaluated, for writers that show its advisory, references and calendar (the HTML report).</summary>
    internal RulePack? EvaluatedPack { get; init; }

    /// <summary>The device as judged.</summary>
    public required DeviceSummary Device { get; init; }

    /// <summary>Findings: model and firmware findings first, then each source's in source order, each by rule ID.</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>The verdict.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>Ordered remediation.</summary>
    public required IReadOnlyList<RemediationStep> Remediation { get; init; }

    /// <summary>The evidence sources evaluated, by name, with their line counts (as pairs: use <see cref="SourcesRead"/>).</summary>
    /// <remarks>No longer <c>required</c> (a required member cannot be obsolete): only the library makes reports.</remarks>
    [Obsolete("Use SourcesRead: the same sources as SourceRead records, with Name and Lines instead of Key and Value.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IReadOnlyList<KeyValuePair<string, long>> Sources
    {
        get => field ??= [.. SourcesRead.Select(s => new KeyValuePair<string, long>(s.Name, s.Lines))];
        init;
    }

    /// <summary>The evidence sources evaluated, in the order read: each one's name and the lines read from it.</summary>
    public required IReadOnlyList<SourceRead> SourcesRead { get; init; }

    /// <summary>Facts read from the evidence (e.g. <c>currentConfig</c>), by name.</summary>
    public required IReadOnlyDictionary<string, string> Facts { get; init; }

    /// <summary>The most severe diagnostic shown to users, or null when there is none.</summary>
    public DiagnosticSeverity? MaxSeverity =>
        Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).Select(d => (DiagnosticSeverity?)d.Severity).Max();
}
