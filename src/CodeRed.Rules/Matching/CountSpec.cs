namespace CodeRed.Rules.Matching;

/// <summary>A line rule's <c>count</c> and <c>recurs</c>: when its hits become a finding.</summary>
internal sealed class CountSpec
{
    /// <summary>The capture group whose values are the keys, or null to count the rule as a whole.</summary>
    public string? By { get; init; }

    /// <summary>Hits a key needs (within <see cref="Window"/> when given) before the rule reports.</summary>
    public int Threshold { get; init; } = 1;

    /// <summary>The span of log time the threshold must be reached in; null for no window.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The rule reports only when a hit comes after a restart that came after an earlier hit.</summary>
    public bool RecursAfterRestart { get; init; }
}
