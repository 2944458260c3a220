using CodeRed.Rules.Model;

namespace CodeRed.Rules.Matching;

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
    public CodeRed.Rules.LocalizedText? ShapeDescription { get; init; }
}

/// <summary>A rule ready to run: its public descriptor plus the compiled matchers behind it.</summary>
internal sealed class CompiledRule
{
    public required RuleDescriptor Descriptor { get; init; }

    /// <summary>The rule as written; null for a rule written in C# (<see cref="Code"/>).</summary>
    public Definitions.RuleDefinition? Definition { get; init; }

    /// <summary>Position in the pack's ID order, set once by the loader.</summary>
    public int Index { get; set; } = -1;
    /// <summary>A device rule's conditions: the definition as written (nothing in it needs compiling).</summary>
    public Definitions.DeviceConditionDefinition? Device { get; init; }
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

/// <summary>One step of remediation, shown when its trigger holds: its definition plus the compiled command forms.</summary>
internal sealed class RemediationSpec
{
    /// <summary>The step as written.</summary>
    public required Definitions.RemediationStepDefinition Definition { get; init; }

    public string Id => Definition.Id;
    public string? Command => Definition.Command;
    public LocalizedText Text => Definition.Text;
    public LocalizedText? Detail => Definition.Detail;
    public LocalizedText? HintIfMissing => Definition.HintIfMissing;
    public IReadOnlyList<string> Rules => Definition.Rules;
    public DiagnosticSeverity? MinSeverity => Definition.MinSeverity;
    public bool RequiresWorkaroundModel => Definition.WorkaroundModel;
    public bool NeedsConfirmation => Definition.NeedsConfirmation;

    /// <summary>Commands that, typed at the device, carry out this step (<c>doneBy</c>), compiled.</summary>
    public IReadOnlyList<CommandForm> DoneBy { get; init; } = [];

    /// <summary>Commands that undo it again (<c>undoneBy</c>), compiled.</summary>
    public IReadOnlyList<CommandForm> UndoneBy { get; init; } = [];
}

/// <summary>
/// How the remediation document recognizes a command typed at the device in a capture: the prompt it is echoed after,
/// and optionally the line the device answers a successful command with.
/// </summary>
internal sealed class CommandEchoSpec
{
    public required Pattern[] Prompts { get; init; }
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
