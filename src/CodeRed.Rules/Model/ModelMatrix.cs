namespace CodeRed.Rules.Model;

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

    /// <summary>The first firmware with the fix, or null while the fix is pending ("under internal coordination").</summary>
    public FirmwareVersion? FixedIn { get; }
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
    }

    /// <summary>Every model, in the advisory's order.</summary>
    public IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>The advisory's notes, by id.</summary>
    public IReadOnlyDictionary<string, LocalizedText> Notes { get; }

    /// <summary>Finds a model by any spelling that normalizes to its name.</summary>
    public ModelEntry? Find(string? name) =>
        name is not null && _byKey.TryGetValue(ModelName.Normalize(name), out var entry) ? entry : null;
}
