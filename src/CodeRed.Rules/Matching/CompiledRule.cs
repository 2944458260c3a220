using CodeRed.Rules.Model;

namespace CodeRed.Rules.Matching;

/// <summary>Which firmware state a device rule asks for.</summary>
internal enum FirmwareState
{
    BelowFix,
    Fixed,
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

    /// <summary>What a value must look like, whole, to go into a remediation command (anchored at both ends), or null for any value.</summary>
    public Pattern? Shape { get; init; }

    /// <summary>The shape in words (e.g. "a configuration file name"), for the reason a value was kept out of a command.</summary>
    public Model.LocalizedText? ShapeDescription { get; init; }
}

/// <summary>A rule ready to run: its public descriptor plus the compiled matchers behind it.</summary>
internal sealed class CompiledRule
{
    public required RuleDescriptor Descriptor { get; init; }
    /// <summary>Position in the pack's ID order, set once by the loader.</summary>
    public int Index { get; set; } = -1;
    public DeviceCondition? Device { get; init; }
    public IReadOnlyList<Pattern> Patterns { get; init; } = [];
    public SectionSpec? Section { get; init; }
    public RecordSpec? Record { get; init; }

    /// <summary>Normalized model keys the rule applies to; null for all models.</summary>
    public IReadOnlySet<string>? ModelKeys { get; init; }

    /// <summary>Indexes of the rules this rule suppresses on a shared record.</summary>
    public IReadOnlyList<int> SuppressedRules { get; set; } = [];
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
}

/// <summary>The verdict texts for one level.</summary>
internal sealed record VerdictSpec(string Word, LocalizedText Text);
