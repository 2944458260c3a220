using CodeRed.Rules.Syslog;

namespace CodeRed.Cli.Watch;

/// <summary>
/// One device's lines as received, bounded by <c>--max-lines</c> (lines past it are counted, not kept), and what was
/// last said about it (findings already printed, the verdict word).
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

    /// <summary>Lines arrived since the last evaluation.</summary>
    public bool Dirty { get; set; }

    public HashSet<string> ReportedRules { get; } = new(StringComparer.Ordinal);

    public string? Verdict { get; set; }

    public IReadOnlyList<string> Lines => _lines;

    public void Add(SyslogMessage message)
    {
        Messages++;
        LastActivity = Environment.TickCount64;
        if (_lines.Count >= maxLines)
        {
            NotEvaluated++;
            return;
        }

        // One message is one line of evidence, whatever an octet-counted frame held.
        var line = message.Line.AsSpan().IndexOfAny('\r', '\n') >= 0
            ? message.Line.Replace('\r', ' ').Replace('\n', ' ')
            : message.Line;
        _lines.Add(line);
        _timestamps.Add(message.Timestamp);
        Dirty = true;
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
        Dirty = true;
    }
}
