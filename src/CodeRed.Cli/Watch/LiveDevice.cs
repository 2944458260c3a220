using CodeRed.Rules.Syslog;

namespace CodeRed.Cli.Watch;

/// <summary>
/// One device: its evaluation session, its lines as received (kept, bounded by <c>--max-lines</c>, so that a changed
/// inventory entry or a NATS checkpoint can replay them into a new session; lines past the cap are counted, not
/// evaluated), and what was last said about it (findings already printed, the verdict word).
/// </summary>
internal sealed class LiveDevice(string name, int maxLines)
{
    private readonly List<string> _lines = [];
    private readonly List<string?> _timestamps = [];

    public string Name { get; } = name;

    /// <summary>Messages received for the device (kept or not).</summary>
    public long Messages { get; private set; }

    /// <summary>Messages past the line cap: counted and reported, not evaluated.</summary>
    public long NotEvaluated { get; private set; }

    public long LastActivity { get; private set; } = Environment.TickCount64;

    public HashSet<string> ReportedRules { get; } = new(StringComparer.Ordinal);

    public string? Verdict { get; set; }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The device's evaluation session (null when it could not start: counted as an evaluation error).</summary>
    public CodeRed.Rules.EvaluationSession? Session { get; set; }

    /// <summary>Counts the message and keeps its line; null when the line cap is reached (counted, not evaluated).</summary>
    public string? Add(SyslogMessage message)
    {
        Messages++;
        LastActivity = Environment.TickCount64;
        if (_lines.Count >= maxLines)
        {
            NotEvaluated++;
            return null;
        }

        // One message is one line of evidence, whatever an octet-counted frame held.
        var line = message.Line.AsSpan().IndexOfAny('\r', '\n') >= 0
            ? message.Line.Replace('\r', ' ').Replace('\n', ' ')
            : message.Line;
        _lines.Add(line);
        _timestamps.Add(message.Timestamp);
        return line;
    }

    /// <summary>The syslog timestamp of evidence line <paramref name="line"/> (1-based).</summary>
    public string? TimestampOf(long? line) => line is { } l && l >= 1 && l <= _timestamps.Count ? _timestamps[(int)l - 1] : null;

    public string Text() => string.Join('\n', _lines);

    /// <summary>The stream sequence of the last message applied (NATS workers: a redelivered one at or below it is skipped).</summary>
    public ulong LastSequence { get; set; }

    public IReadOnlyList<string?> Timestamps => _timestamps;

    /// <summary>Back to a checkpointed state: what was received before, and what was already printed.</summary>
    public void Restore(long messages, long notEvaluated, IEnumerable<string> lines, IEnumerable<string?> timestamps)
    {
        Messages = messages;
        NotEvaluated = notEvaluated;
        _lines.AddRange(lines);
        _timestamps.AddRange(timestamps);
    }
}
