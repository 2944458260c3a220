using CodeRed.Rules.Model;
namespace CodeRed.Rules.Products;

/// <summary>What the advisory says of a model.</summary>
public enum ModelStatus
{
    /// <summary>Customers reported the symptoms on this model.</summary>
    Affected,

    /// <summary>No damage was reported on this model.</summary>
    NotAffected,
}

/// <summary>One row of the advisory's model matrix.</summary>
public sealed class ModelEntry
{
    internal ModelEntry(string name, ModelStatus status, string noteId, LocalizedText note, bool workaroundApplies, FirmwareVersion? fixedIn)
    {
        Name = name;
        Key = ModelName.Normalize(name);
        Status = status;
        NoteId = noteId;
        Note = note;
        WorkaroundApplies = workaroundApplies;
        FixedIn = fixedIn;
    }

    /// <summary>The model name as the advisory writes it, e.g. <c>AR300L V2</c>.</summary>
    public string Name { get; }

    /// <summary>The normalized comparison key, e.g. <c>AR300LV2</c>.</summary>
    public string Key { get; }

    /// <summary>Whether customers reported the symptoms on this model.</summary>
    public ModelStatus Status { get; }

    /// <summary>The id of the advisory's note behind the status (e.g. <c>port80-discarded</c>).</summary>
    public string NoteId { get; }

    /// <summary>The note behind the status.</summary>
    public LocalizedText Note { get; }

    /// <summary>Whether the advisory's workaround commands apply to this model.</summary>
    public bool WorkaroundApplies { get; }

    /// <summary>The first version with the fix, or null when the fix is a patch (<see cref="FixPatch"/>) or pending ("under internal coordination").</summary>
    public FirmwareVersion? FixedIn { get; }

    /// <summary>The patch that fixes the model (<c>fixedIn: {patch: MS01-033}</c>), or null.</summary>
    public string? FixPatch { get; init; }

    /// <summary>Other ids of the same patch (<c>fixedIn: {patch: MS01-033, aliases: [Q300972]}</c>: a Knowledge Base number).</summary>
    internal IReadOnlyList<string> FixPatchAliases { get; init; } = [];

    /// <summary>Whether <paramref name="patches"/> holds the fixing patch, under its id or an alias (case ignored).</summary>
    internal bool IsFixPatch(IReadOnlyList<string> patches) => FixPatch is { } id
        && patches.Any(p => p.Equals(id, StringComparison.OrdinalIgnoreCase) || FixPatchAliases.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>The fix as the matrix writes it: the version, else the patch id, else <c>pending</c>.</summary>
    internal string FixText => FixedIn?.ToString() ?? FixPatch ?? WireNames.FixName(false);

    /// <summary>Whether a fix exists: a version or a patch.</summary>
    public bool HasFix => FixedIn is not null || FixPatch is not null;

    /// <summary>The first version the entry's status holds for (<c>versions.from</c>), or null for no lower bound.</summary>
    public FirmwareVersion? VersionsFrom { get; init; }

    /// <summary>The first version the entry's status no longer holds for (<c>versions.before</c>), or null for no upper bound.</summary>
    public FirmwareVersion? VersionsBefore { get; init; }

    /// <summary>Whether <paramref name="version"/> is inside the entry's <c>versions</c> range (always, without one).</summary>
    public bool InRange(FirmwareVersion version) =>
        (VersionsFrom is null || version >= VersionsFrom) && (VersionsBefore is null || version < VersionsBefore);

    /// <summary>More spellings of the model name (<c>aliases</c>), found like the name.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

/// <summary>The advisory's model matrix, looked up by normalized model name.</summary>
public sealed class ModelMatrix
{
    private readonly Dictionary<string, ModelEntry> _byKey;

    internal ModelMatrix(IReadOnlyList<ModelEntry> models, IReadOnlyDictionary<string, LocalizedText> notes)
    {
        Models = models;
        Notes = notes;
        _byKey = models.ToDictionary(m => m.Key, StringComparer.Ordinal);
        foreach (var model in models)
        {
            foreach (var alias in model.Aliases)
            {
                _byKey.TryAdd(ModelName.Normalize(alias), model);
            }
        }
    }

    /// <summary>Every model, in the advisory's order.</summary>
    public IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>The advisory's notes, by id.</summary>
    public IReadOnlyDictionary<string, LocalizedText> Notes { get; }

    /// <summary>Finds a model by any spelling that normalizes to its name.</summary>
    public ModelEntry? Find(string? name) =>
        name is not null && _byKey.TryGetValue(ModelName.Normalize(name), out var entry) ? entry : null;
}
