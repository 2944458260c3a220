using CodeRed.Rules.Loading;

namespace CodeRed.Rules;

/// <summary>
/// Hands out the rule pack in force. Hosts ask for <see cref="Current"/> once per evaluation and evaluate
/// against that pack: a <see cref="RulePack"/> is immutable, so a pack swapped in by a reload never changes
/// an evaluation already under way, and no evaluation ever sees a half-loaded pack.
/// </summary>
public interface IRulePackProvider
{
    /// <summary>The pack in force: read it once per evaluation.</summary>
    RulePack Current { get; }

    /// <summary>Raised after <see cref="Current"/> was replaced by a pack with different content.</summary>
    event EventHandler<RulePackChangedEventArgs>? PackChanged;

    /// <summary>
    /// Raised when a reload failed: the files are invalid or incomplete, and the pack in force stays. A provider
    /// of a pack that cannot change never raises it.
    /// </summary>
    event EventHandler<RulePackReloadFailedEventArgs>? ReloadFailed
    {
        add { }
        remove { }
    }

    /// <summary>
    /// The problems of the latest reload, or null when it succeeded or none failed yet: what a health check
    /// reports. Null for a provider of a pack that cannot change.
    /// </summary>
    RulePackException? LastError => null;

    /// <summary>
    /// Reads the pack's files again now. Returns true when they loaded (the pack is swapped in if its content
    /// changed), false when they are invalid or incomplete (the last good pack stays in force, and
    /// <see cref="LastError"/> says why). A provider of a pack that cannot change (such as the embedded default)
    /// does nothing and returns true.
    /// </summary>
    bool TryReload();
}

/// <summary>Which pack was replaced by which.</summary>
public sealed class RulePackChangedEventArgs(RulePack previous, RulePack current) : EventArgs
{
    /// <summary>The pack that was in force until now.</summary>
    public RulePack Previous { get; } = previous;

    /// <summary>The pack now in force.</summary>
    public RulePack Current { get; } = current;
}

/// <summary>A reload that failed: every problem, and the pack that stays in force.</summary>
public sealed class RulePackReloadFailedEventArgs(RulePackException error, RulePack current) : EventArgs
{
    /// <summary>Every problem found, with file, line and column.</summary>
    public RulePackException Error { get; } = error;

    /// <summary>The last good pack, still in force.</summary>
    public RulePack Current { get; } = current;
}

/// <summary>A provider of one pack that never changes, such as <see cref="RulePack.Default"/>.</summary>
public sealed class FixedRulePackProvider(RulePack pack) : IRulePackProvider
{
    /// <summary>A provider of the embedded default pack.</summary>
    public static FixedRulePackProvider Default { get; } = new(RulePack.Default);

    /// <inheritdoc />
    public RulePack Current { get; } = pack ?? throw new ArgumentNullException(nameof(pack));

    /// <summary>Never raised: the pack does not change.</summary>
    public event EventHandler<RulePackChangedEventArgs>? PackChanged
    {
        add { }
        remove { }
    }

    /// <summary>Does nothing: the pack does not change.</summary>
    public bool TryReload() => true;
}
