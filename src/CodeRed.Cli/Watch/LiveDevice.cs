using CodeRed.Rules.Syslog;

namespace CodeRed.Cli.Watch;

/// <summary>
/// One device: its evaluation session, how many of its lines were evaluated (at most <c>--max-lines</c>; lines past
/// the cap are counted, not evaluated), and what was last said about it (findings already printed, the verdict word).
/// <c>watch</c> keeps the evaluated lines (<paramref name="keepLines"/>), so that a changed inventory entry can replay
/// them into a new session; a NATS worker does not: its checkpoint is the session's snapshot, which does not grow with
/// the lines.
/// </summary>
internal sealed class LiveDevice(string name, int maxLines, bool keepLines = true)
{
    private readonly List<string> _lines = [];
    private readonly List<string?> _timestamps = [];
    private string? _lastTimestamp;

    public string Name { get; } = name;

    /// <summary>Messages received for the device (kept or not).</summary>
    public long Messages { get; private set; }

    /// <summary>Messages past the line cap: counted and reported, not evaluated.</summary>
    public long NotEvaluated { get; private set; }

    /// <summary>Lines written to the session (the session's line numbers run 1..Evaluated).</summary>
    public long Evaluated { get; private set; }

    public long LastActivity { get; private set; } = Environment.TickCount64;

    public HashSet<string> ReportedRules { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Without kept lines: the syslog timestamps of the evidence lines of findings already printed (one per rule, so
    /// bounded), for a later update of such a finding that points at its first line.
    /// </summary>
    public Dictionary<long, string?> EvidenceTimestamps { get; } = [];

    public string? Verdict { get; set; }

    /// <summary>The lines kept for a replay (empty when the device does not keep lines).</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The device's evaluation session (null when it could not start: counted as an evaluation error).</summary>
    public CodeRed.Rules.EvaluationSession? Session { get; set; }

    /// <summary>Counts the message and returns its line to evaluate; null when the line cap is reached (counted, not evaluated).</summary>
    public string? Add(SyslogMessage message)
    {
        Messages++;
        LastActivity = Environment.TickCount64;
        if (Evaluated >= maxLines)
        {
            NotEvaluated++;
            return null;
        }

        // One message is one line of evidence, whatever an octet-counted frame held.
        var line = message.Line.AsSpan().IndexOfAny('\r', '\n') >= 0
            ? message.Line.Replace('\r', ' ').Replace('\n', ' ')
            : message.Line;
        Evaluated++;
        _lastTimestamp = message.Timestamp;
        if (keepLines)
        {
            _lines.Add(line);
            _timestamps.Add(message.Timestamp);
        }

        return line;
    }

    /// <summary>The syslog timestamp of evidence line <paramref name="line"/> (1-based), when it is known.</summary>
    public string? TimestampOf(long? line)
    {
        if (line is not { } l || l < 1 || l > Evaluated)
        {
            return null;
        }

        if (keepLines)
        {
            return _timestamps[(int)l - 1];
        }

        return l == Evaluated ? _lastTimestamp : EvidenceTimestamps.GetValueOrDefault(l);
    }

    /// <summary>Remembers the timestamp of a printed finding's evidence line, when the lines themselves are not kept.</summary>
    public void RememberEvidence(long? line, string? timestamp)
    {
        if (!keepLines && line is { } l)
        {
            EvidenceTimestamps[l] = timestamp;
        }
    }

    /// <summary>The stream sequence of the last message applied (NATS workers: a redelivered one at or below it is skipped).</summary>
    public ulong LastSequence { get; set; }

    /// <summary>Back to a checkpointed state (the session is restored from its snapshot separately).</summary>
    public void Restore(long messages, long notEvaluated, long evaluated)
    {
        Messages = messages;
        NotEvaluated = notEvaluated;
        Evaluated = evaluated;
    }
}
