using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Definitions;

/// <summary>A caveat of the manifest (<c>caveats:</c>), named by rules.</summary>
/// <param name="Name">The name rules give in <c>caveats</c>.</param>
/// <param name="Text">What the advisory says.</param>
public sealed record CaveatDefinition(string Name, LocalizedText Text);

/// <summary>One of the engine's report phrases in the pack's words (<c>phrases:</c>).</summary>
/// <param name="Key">The phrase's key, such as <c>notGiven</c>.</param>
/// <param name="Text">The text, with the phrase's placeholders.</param>
public sealed record PhraseDefinition(string Key, LocalizedText Text);

/// <summary>A timestamp form of the evidence (<c>timestamps:</c>): groups day, hour, minute and optionally second, month, year.</summary>
/// <param name="Name">The form's name.</param>
/// <param name="Pattern">The pattern with the named groups.</param>
public sealed record TimestampDefinition(string Name, PatternDefinition Pattern);

/// <summary>Phases shaded behind the report's timeline (<c>calendar:</c>), and where they come from.</summary>
/// <param name="Title">The calendar's title.</param>
/// <param name="Source">Who says so.</param>
public sealed record CalendarDefinition(LocalizedText Title, string Source)
{
    /// <summary>A link to the source, or null.</summary>
    public string? Url { get; init; }

    /// <summary>The phases, by day of the month.</summary>
    public IReadOnlyList<CalendarPhaseDefinition> Phases { get; init; } = [];
}

/// <summary>One phase of the calendar: days <paramref name="FromDay"/> to <paramref name="ToDay"/> of the month.</summary>
/// <param name="FromDay">The first day (1 to 31).</param>
/// <param name="ToDay">The last day (1 to 31).</param>
/// <param name="Text">What happens in the phase.</param>
public sealed record CalendarPhaseDefinition(int FromDay, int ToDay, LocalizedText Text);

/// <summary>Named columns announced by a header line (<c>columns:</c>, such as W3C <c>#Fields:</c>).</summary>
/// <param name="Id">The set's id, named by column clauses.</param>
/// <param name="Header">The header pattern; its group <c>names</c> holds the column names.</param>
public sealed record ColumnSetDefinition(string Id, PatternDefinition Header)
{
    /// <summary>Lines that are neither header nor data, or null.</summary>
    public PatternDefinition? Comment { get; init; }

    /// <summary>The one character between columns, or null for runs of spaces and tabs.</summary>
    public char? Separator { get; init; }
}

/// <summary>How a terminal capture shows a command typed at the device (<c>commandEcho:</c> of the remediation document).</summary>
public sealed record CommandEchoDefinition
{
    /// <summary>The prompts a command is echoed after.</summary>
    public required IReadOnlyList<PatternDefinition> Prompts { get; init; }

    /// <summary>The line the device answers a successful command with, or null.</summary>
    public PatternDefinition? Confirmation { get; init; }

    /// <summary>Lines after the command within which the confirmation must come.</summary>
    public int ConfirmationWithin { get; init; } = 3;

    /// <summary>Commands compare without case.</summary>
    public bool IgnoreCase { get; init; }
}

/// <summary>A note of the model matrix (<c>notes:</c>), named by models and device rules.</summary>
/// <param name="Name">The note's name.</param>
/// <param name="Text">The note.</param>
public sealed record ModelNoteDefinition(string Name, LocalizedText Text);

/// <summary>
/// One row of the model matrix as written: versions are text in the pack's version scheme, parsed when the pack loads.
/// </summary>
/// <param name="Name">The model's name.</param>
/// <param name="Status">Affected or not.</param>
/// <param name="Note">The name of the note behind the status.</param>
/// <param name="Workaround">Whether the workaround applies.</param>
public sealed record ModelDefinition(string Name, ModelStatus Status, string Note, bool Workaround)
{
    /// <summary>The first fixed version, or null while no fixed version exists (pending, or a patch fix).</summary>
    public string? FixedIn { get; init; }

    /// <summary>The patch that fixes the model (a fix that is a patch), or null.</summary>
    public string? FixPatch { get; init; }

    /// <summary>Other ids of the fixing patch (such as its knowledge-base article).</summary>
    public IReadOnlyList<string> FixPatchAliases { get; init; } = [];

    /// <summary>The first version the row covers, or null.</summary>
    public string? VersionsFrom { get; init; }

    /// <summary>The first version the row no longer covers, or null.</summary>
    public string? VersionsBefore { get; init; }

    /// <summary>Other names of the model.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}
