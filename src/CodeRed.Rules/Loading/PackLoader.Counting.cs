using System.Globalization;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Loading;

/// <summary>
/// A line rule's <c>count:</c> (hits per captured key, a threshold, a time window) and <c>recurs: after-restart</c>.
/// </summary>
internal sealed partial class PackLoader
{
    /// <summary>The values a counted or recurring rule's message may use besides its captures.</summary>
    internal static readonly IReadOnlyList<string> CountingPlaceholders = ["keys", "key", "firstSeen", "lastSeen", "restarts"];

    /// <summary>The largest threshold: a key keeps at most this many hit times for its window.</summary>
    internal const int MaxCountThreshold = 10_000;

    /// <summary>Reads <c>count</c> and <c>recurs</c> of a rule; null when it has neither.</summary>
    private CountSpec? ReadCounting(MapReader r, string what, bool lineRule, IReadOnlySet<string> captures)
    {
        var countNode = r.Get("count");
        var recursNode = r.Get("recurs");
        if (countNode is null && recursNode is null)
        {
            return null;
        }

        if (!lineRule)
        {
            r.Error(countNode ?? recursNode!, $"{what}: 'count' and 'recurs' apply to line rules (with 'match') only");
        }

        var recurs = false;
        if (recursNode is not null)
        {
            if (recursNode is YScalar { Value: "after-restart" })
            {
                recurs = true;
            }
            else
            {
                r.Error(recursNode, $"'recurs' must be 'after-restart', not '{Shorten((recursNode as YScalar)?.Value ?? recursNode.KindName)}'");
            }
        }

        string? by = null;
        var threshold = 1;
        TimeSpan? window = null;
        if (countNode is not null && MapReader.Of(countNode, _problems, "count") is { } c)
        {
            by = c.String("by");
            if (by is not null && !captures.Contains(by))
            {
                c.Error(c.Get("by")!, $"'by' names the capture group '{Shorten(by)}', which no pattern of {what} has" +
                    (captures.Count == 0 ? " (its patterns capture nothing)" : $" (they capture: {string.Join(", ", captures.Order(StringComparer.Ordinal))})"));
            }

            if (c.Get("threshold") is { } thresholdNode)
            {
                threshold = thresholdNode is YScalar { IsPlain: true } t && int.TryParse(t.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n < 1
                    ? Refuse(c, thresholdNode, $"the threshold of {what} must be at least 1, not {n}")
                    : c.Int("threshold", 1, MaxCountThreshold) ?? 1;
            }

            if (c.String("window") is { } text)
            {
                window = ParseWindow(text);
                if (window is null)
                {
                    c.Error(c.Get("window")!, $"'window' must be a whole number with a unit s, m, h or d (such as 10m or 2h), from 1s to 366d, not '{Shorten(text)}'");
                }
            }

            c.Finish();
        }

        return new CountSpec { By = by, Threshold = threshold, Window = window, RecursAfterRestart = recurs };
    }

    private static int Refuse(MapReader r, YNode node, string message)
    {
        r.Error(node, message);
        return 1;
    }

    /// <summary>"90s", "10m", "2h", "1d": a span of log time.</summary>
    internal static TimeSpan? ParseWindow(string text)
    {
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return null;
        }

        TimeSpan? span = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        return span <= TimeSpan.FromDays(366) ? span : null;
    }
}
