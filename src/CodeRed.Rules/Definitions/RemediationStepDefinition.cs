using CodeRed.Rules.Model;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// One step of a pack's remediation document, as written: shown when its trigger holds (any of <see cref="Rules"/>
/// fired, or a finding of at least <see cref="MinSeverity"/>), in the document's order.
/// </summary>
public sealed record RemediationStepDefinition
{
    /// <summary>The step's stable ID.</summary>
    public required string Id { get; init; }

    /// <summary>The command to type at the device (placeholders name facts), or null for a step in words only.</summary>
    public string? Command { get; init; }

    /// <summary>What to do.</summary>
    public required LocalizedText Text { get; init; }

    /// <summary>More detail (may name captured values such as <c>{CR2001.peer}</c>), or null.</summary>
    public LocalizedText? Detail { get; init; }

    /// <summary>Shown instead of a value a placeholder needs and the evidence does not hold.</summary>
    public LocalizedText? HintIfMissing { get; init; }

    /// <summary>Rule IDs whose findings show the step.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    /// <summary>Any finding of at least this severity shows the step.</summary>
    public DiagnosticSeverity? MinSeverity { get; init; }

    /// <summary>Only for models whose matrix row says the workaround applies (<c>workaroundModel: true</c>).</summary>
    public bool WorkaroundModel { get; init; }

    /// <summary>Commands that, seen typed at the device, carry out the step (templates with fact placeholders).</summary>
    public IReadOnlyList<string> DoneBy { get; init; } = [];

    /// <summary>Commands that undo it.</summary>
    public IReadOnlyList<string> UndoneBy { get; init; } = [];

    /// <summary>False when the device answers the step's commands with no confirmation.</summary>
    public bool NeedsConfirmation { get; init; } = true;
}
