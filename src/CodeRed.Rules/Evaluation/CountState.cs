using System.Globalization;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// A counted rule's state in one source: hits per key (at most <see cref="EvaluationOptions.MaxDistinctValues"/>
/// keys, each keeping at most its threshold's hit times for the window), how many keys reached the threshold, and
/// whether the rule recurred after a restart.
/// </summary>
internal sealed class CountState(int restartsAtFirst)
{
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);

    public int Hits { get; set; }
    public int RestartsAtFirst { get; } = restartsAtFirst;
    public int RestartsAtLast { get; set; } = restartsAtFirst;
    public bool Recurred { get; set; }
    public int Reached { get; private set; }
    public bool Truncated { get; private set; }
    public LogTimestamp? FirstSeen { get; set; }
    public LogTimestamp? LastSeen { get; set; }

    /// <summary>A key reached the threshold and the rule recurred (when it must): the rule reports.</summary>
    public bool Reportable => Reached > 0 && Recurred;

    /// <summary>Counts a hit of <paramref name="value"/>; true when this hit made the key reach the threshold.</summary>
    public bool Hit(string value, long line, LogTimestamp? time, CountSpec spec, int maxKeys)
    {
        if (!_keys.TryGetValue(value, out var key))
        {
            if (_keys.Count >= maxKeys)
            {
                Truncated = true;
                return false;
            }

            _keys[value] = key = new KeyState(value, line);
        }

        key.Count++;
        if (time is { } t)
        {
            key.FirstSeen ??= t;
            key.LastSeen = t;
        }

        if (key.Reached)
        {
            return false;
        }

        if (spec.Window is { } window)
        {
            // Only hits with a time count towards a window; the oldest times fall out as they leave it.
            if (time is not { } at)
            {
                return false;
            }

            var now = Seconds(at);
            var times = key.Times ??= new Queue<long>();
            times.Enqueue(now);
            while (times.Count > 0 && (now - times.Peek() > (long)window.TotalSeconds || times.Count > spec.Threshold))
            {
                times.Dequeue();
            }

            if (times.Count < spec.Threshold)
            {
                return false;
            }
        }
        else if (key.Count < spec.Threshold)
        {
            return false;
        }

        key.Reached = true;
        key.Times = null;
        Reached++;
        return true;
    }

    /// <summary>The keys that reached the threshold, most hits first (then in order of first line).</summary>
    public KeyCount[] ReachedKeys() => _keys.Values
        .Where(k => k.Reached)
        .OrderByDescending(k => k.Count)
        .ThenBy(k => k.FirstLine)
        .Select(k => new KeyCount(k.Value, k.Count, k.FirstLine, k.FirstSeen?.ToString(), k.LastSeen?.ToString()))
        .ToArray();

    /// <summary>The placeholders of a counted rule's message.</summary>
    public string? Value(string name, IReadOnlyList<KeyCount> reached) => name switch
    {
        "keys" => Reached.ToString(CultureInfo.InvariantCulture),
        "key" => reached.Count > 0 ? reached[0].Value : null,
        "firstSeen" => FirstSeen?.ToString(),
        "lastSeen" => LastSeen?.ToString(),
        "restarts" => (RestartsAtLast - RestartsAtFirst).ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// Seconds on one scale for the window: a time without a year or month (the AR log's "DD HH:MM:SS") is placed in
    /// one month, so a window spanning the turn of a month reads it as a step back.
    /// </summary>
    private static long Seconds(LogTimestamp t) =>
        ((((long)(t.Year ?? 0) * 12 + (t.Month ?? 1) - 1) * 31 + t.Day - 1) * 24 + t.Hour) * 3600 + t.Minute * 60 + t.Second;

    /// <summary>Everything the snapshot of a session keeps of the keys.</summary>
    internal IEnumerable<KeyState> Keys => _keys.Values;

    internal void RestoreKey(KeyState key)
    {
        _keys[key.Value] = key;
        Reached += key.Reached ? 1 : 0;
    }

    internal void RestoreTruncated(bool truncated) => Truncated = truncated;

    internal sealed class KeyState(string value, long firstLine)
    {
        public string Value { get; } = value;
        public long FirstLine { get; } = firstLine;
        public int Count { get; set; }
        public bool Reached { get; set; }
        public LogTimestamp? FirstSeen { get; set; }
        public LogTimestamp? LastSeen { get; set; }
        public Queue<long>? Times { get; set; }
    }
}
