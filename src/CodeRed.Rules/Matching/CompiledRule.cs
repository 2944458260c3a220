using CodeRed.Rules.Model;

namespace CodeRed.Rules.Matching;

/// <summary>Which firmware state a device rule asks for.</summary>
internal enum FirmwareState
{
    BelowFix,
    Fixed,
    Unknown,

    /// <summary>A known version outside the model entry's <c>versions</c> range.</summary>
    OutOfRange,
}

/// <summary>Which state of a patch fix a device rule asks for.</summary>
internal enum PatchState
{
    /// <summary>The device's patch list holds the fix's patch.</summary>
    Installed,

    /// <summary>The patch list is known (possibly empty) and lacks it.</summary>
    Missing,

    /// <summary>No patch list was given or read.</summary>
    Unknown,
}

/// <summary>Conditions of a device rule; every condition given must hold.</summary>
internal sealed class DeviceCondition
{
    public bool? ModelKnown { get; init; }
    public ModelStatus? Status { get; init; }
    public string? Note { get; init; }
    public bool? FixAvailable { get; init; }
    public FirmwareState? Firmware { get; init; }
    public PatchState? Patch { get; init; }
}

/// <summary>Rows of a recognised section (such as a <c>show tcp</c> table) counted against a threshold.</summary>
internal sealed class SectionSpec
{
    public required Pattern Start { get; init; }
    public required Pattern Row { get; init; }
    public required Pattern Count { get; init; }
    public required int Threshold { get; init; }
    public required int MaxHeaderLines { get; init; }
}

/// <summary>Adjacent lines that belong together, such as a startup banner and the exception line under it.</summary>
internal sealed class RecordSpec
{
    public required string Name { get; init; }
    public required Pattern Start { get; init; }
    public required int MaxLines { get; init; }
}

/// <summary>A named value read from evidence, such as the current configuration file.</summary>
internal sealed class FactSpec
{
    public required string Name { get; init; }
    public required Pattern Pattern { get; init; }
    public required bool TakeLast { get; init; }

    /// <summary>What the fact tells of the device (<c>provides</c>): <c>version</c> or <c>patch</c>, or null for a plain value.</summary>
    public string? Provides { get; init; }

    /// <summary>What a value must look like, whole, to go into a remediation command (anchored at both ends), or null for any value.</summary>
    public Pattern? Shape { get; init; }

    /// <summary>The shape in words (e.g. "a configuration file name"), for the reason a value was kept out of a command.</summary>
    public Model.LocalizedText? ShapeDescription { get; init; }
}

/// <summary>A rule ready to run: its public descriptor plus the compiled matchers behind it.</summary>
internal sealed class CompiledRule
{
    public required RuleDescriptor Descriptor { get; init; }

    /// <summary>The rule as written; null for a rule written in C# (<see cref="Code"/>).</summary>
    public Definitions.RuleDefinition? Definition { get; init; }

    /// <summary>Position in the pack's ID order, set once by the loader.</summary>
    public int Index { get; set; } = -1;
    public DeviceCondition? Device { get; init; }
    public IReadOnlyList<Pattern> Patterns { get; init; } = [];

    /// <summary>Clauses on named columns; with <see cref="Patterns"/>, tried in the order <see cref="MatchOrder"/> gives.</summary>
    public IReadOnlyList<ColumnClause> Columns { get; init; } = [];

    /// <summary>
    /// The items of <c>match</c> as written, when some are column clauses: <c>i</c> is <c>Patterns[i]</c>, <c>~i</c> is
    /// <c>Columns[i]</c>. The first item that matches gives the hit (and its captures).
    /// </summary>
    public IReadOnlyList<int> MatchOrder { get; init; } = [];

    /// <summary>What the prefilter must let through for this rule: its patterns, and its column clauses' search patterns.</summary>
    public IEnumerable<Pattern> SearchPatterns => Columns.Count == 0 ? Patterns : Patterns.Concat(Columns.Select(c => c.Prefilter)).OfType<Pattern>();

    /// <summary>False when some clause gives the prefilter nothing to search for (a column clause without a fragment).</summary>
    public bool AllClausesSearchable => Columns.All(c => c.Prefilter is not null);
    public SectionSpec? Section { get; init; }
    public RecordSpec? Record { get; init; }

    /// <summary>A rule written in C# (its <see cref="Patterns"/> are only its prefilter literals), or null.</summary>
    public CodeRule? Code { get; init; }

    /// <summary>Per-key counting, threshold, window and recurrence of a line rule; null for a rule that reports its first hit.</summary>
    public CountSpec? Counting { get; init; }

    /// <summary>Normalized model keys the rule applies to; null for all models.</summary>
    public IReadOnlySet<string>? ModelKeys { get; init; }

    /// <summary>Indexes of the rules this rule suppresses on a shared record.</summary>
    public IReadOnlyList<int> SuppressedRules { get; set; } = [];

    /// <summary>
    /// Whether one of the rule's own patterns has a capture group of this name: a capture that did not match shows as
    /// missing, never as the built-in placeholder of the same name (CR2004's <c>{version}</c> is the crash banner's).
    /// </summary>
    public bool Captures(string name) =>
        Patterns.Any(p => p.CaptureNames.Contains(name, StringComparer.Ordinal))
        || Columns.Any(c => c.Capture.Any(x => x.Name == name))
        || (Section is { } s && (s.Start.CaptureNames.Contains(name, StringComparer.Ordinal) || s.Row.CaptureNames.Contains(name, StringComparer.Ordinal)));
}

/// <summary>One step of remediation, shown when its trigger holds.</summary>
internal sealed class RemediationSpec
{
    public required string Id { get; init; }
    public string? Command { get; init; }
    public required LocalizedText Text { get; init; }
    public LocalizedText? Detail { get; init; }
    public LocalizedText? HintIfMissing { get; init; }
    public IReadOnlyList<string> Rules { get; init; } = [];
    public DiagnosticSeverity? MinSeverity { get; init; }
    public bool RequiresWorkaroundModel { get; init; }

    /// <summary>Commands that, typed at the device, carry out this step (<c>doneBy</c>).</summary>
    public IReadOnlyList<CommandForm> DoneBy { get; init; } = [];

    /// <summary>Commands that undo it again (<c>undoneBy</c>).</summary>
    public IReadOnlyList<CommandForm> UndoneBy { get; init; } = [];

    /// <summary>False when the device gives no confirmation for this step's commands (<c>needsConfirmation: false</c>).</summary>
    public bool NeedsConfirmation { get; init; } = true;

    /// <summary>The step as written.</summary>
    public required Definitions.RemediationStepDefinition Definition { get; init; }
}

/// <summary>
/// How the remediation document recognizes a command typed at the device in a capture: the prompt it is echoed after,
/// and optionally the line the device answers a successful command with.
/// </summary>
internal sealed class CommandEchoSpec
{
    public required IReadOnlyList<Pattern> Prompts { get; init; }
    public Pattern? Confirmation { get; init; }

    /// <summary>The confirmation must follow within this many lines of the command (before the next prompt).</summary>
    public int ConfirmationWithin { get; init; } = 3;
}

/// <summary>
/// One command of <c>doneBy</c>/<c>undoneBy</c>, as written (<c>create config={currentConfig}</c>), compiled to a regex
/// over the text after the prompt: words match any run of spaces, each placeholder one word that must fit its fact's shape.
/// </summary>
internal sealed class CommandForm
{
    public required string Template { get; init; }

    /// <summary>The pattern the command is matched with (built from escaped text: always valid).</summary>
    public required string Pattern { get; init; }

    public required System.Text.RegularExpressions.RegexOptions Options { get; init; }

    /// <summary>
    /// Built on the first command compared, not at load: building the pack's linear-time command regexes was about a
    /// seventh of a small capture's whole run (perf, docs/performance.md), and most evaluations compare no command.
    /// </summary>
    public System.Text.RegularExpressions.Regex Regex =>
        LazyInitializer.EnsureInitialized(ref _regex, () => new System.Text.RegularExpressions.Regex(Pattern, Options));

    private System.Text.RegularExpressions.Regex? _regex;

    /// <summary>ASCII words of the template outside placeholders: the regex matches only a command holding each of them.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    /// <summary>
    /// False when the command cannot match: it lacks one of <see cref="Words"/>, so no regex is built or run for it. An
    /// ASCII word in an ASCII command compares ordinally (ignoring ASCII case under IgnoreCase), as the regex does; a
    /// command with other characters (which the regex may fold, the Kelvin sign as k) goes to the regex.
    /// </summary>
    public bool MayMatch(string command)
    {
        if (!System.Text.Ascii.IsValid(command))
        {
            return true;
        }

        var comparison = (Options & System.Text.RegularExpressions.RegexOptions.IgnoreCase) != 0 ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var word in Words)
        {
            if (!command.Contains(word, comparison))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The fact behind each placeholder group <c>v0</c>, <c>v1</c>, …</summary>
    public required IReadOnlyList<FactSpec> Placeholders { get; init; }
}

/// <summary>The verdict texts for one level.</summary>
internal sealed record VerdictSpec(string Word, LocalizedText Text);
