using System.Globalization;
using System.Text.RegularExpressions;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// A time read from a log line by one of the pack's <c>timestamps</c> patterns. Logs often give no year (syslog) or
/// no month (the day of the month and the time only), so both may be missing.
/// </summary>
internal readonly record struct LogTimestamp(int? Year, int? Month, int Day, int Hour, int Minute, int Second)
{
    /// <summary>Hours since the start of the month: the timeline's x position.</summary>
    public double HourOfMonth => (Day - 1) * 24 + Hour + Minute / 60.0 + Second / 3600.0;

    public override string ToString()
    {
        var date = (Year, Month) switch
        {
            ({ } y, { } m) => $"{y:D4}-{m:D2}-{Day:D2}",
            (null, { } m) => $"{m:D2}-{Day:D2}",
            _ => $"{Day:D2}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{date} {Hour:D2}:{Minute:D2}:{Second:D2}");
    }
}

/// <summary>
/// One named timestamp shape of the manifest: a pattern with the groups <c>day</c>, <c>hour</c>, <c>minute</c> and
/// optionally <c>second</c>, <c>month</c> (a number or an English month abbreviation) and <c>year</c>.
/// </summary>
internal sealed class TimestampSpec
{
    internal static readonly string[] RequiredGroups = ["day", "hour", "minute"];
    internal static readonly string[] OptionalGroups = ["second", "month", "year"];
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public required string Name { get; init; }
    public required Pattern Pattern { get; init; }

    /// <summary>The first of the pack's timestamp shapes that reads a valid time from the line, or null.</summary>
    internal static LogTimestamp? Read(TimestampSpec[] specs, string line)
    {
        foreach (var spec in specs)
        {
            if (spec.Pattern.TryMatch(line, out _, out var m) && m is not null && Parse(m) is { } time)
            {
                return time;
            }
        }

        return null;
    }

    private static LogTimestamp? Parse(Match m)
    {
        int? Number(string group, int min, int max) =>
            m.Groups[group] is { Success: true } g && int.TryParse(g.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;
        int? Month()
        {
            if (m.Groups["month"] is not { Success: true } g)
            {
                return null;
            }

            var index = Array.IndexOf(MonthNames, g.Value.Length >= 3 ? g.Value[..3].ToLowerInvariant() : "");
            return index >= 0 ? index + 1 : Number("month", 1, 12);
        }

        var day = Number("day", 1, 31);
        var hour = Number("hour", 0, 23);
        var minute = Number("minute", 0, 59);
        var hasMonth = m.Groups["month"].Success;
        var month = Month();
        var year = m.Groups["year"].Success ? Number("year", 1, 9999) : null;
        var second = m.Groups["second"].Success ? Number("second", 0, 60) : 0;
        if (day is null || hour is null || minute is null || second is null || (hasMonth && month is null) || (m.Groups["year"].Success && year is null))
        {
            return null;
        }

        return new LogTimestamp(year, month, day.Value, hour.Value, minute.Value, second.Value);
    }
}

/// <summary>A span of days of the month (e.g. what a worm does on those days), from the manifest's <c>calendar</c>.</summary>
internal sealed record CalendarPhase(int FromDay, int ToDay, LocalizedText Text);

/// <summary>The manifest's <c>calendar</c>: phases shaded behind the report's timeline, and where they come from.</summary>
internal sealed record CalendarSpec(LocalizedText Title, string Source, string? Url, IReadOnlyList<CalendarPhase> Phases);

/// <summary>
/// The lines around a finding's first hit, kept while scanning when <see cref="EvaluationOptions.ContextLines"/> asks
/// for them: at most that many before and after, each cut at <see cref="Evaluator"/>'s line text bound.
/// </summary>
internal sealed class EvidenceContext
{
    /// <summary>The 1-based number of <see cref="Lines"/>' first line.</summary>
    public required long FirstLine { get; init; }

    /// <summary>The lines, the hit line among them.</summary>
    public required List<string> Lines { get; init; }

    /// <summary>The hit line's index in <see cref="Lines"/>.</summary>
    public required int HitIndex { get; init; }

    /// <summary>The 0-based start of the matched part in the hit line, and its length (0 when unknown).</summary>
    public required int MatchStart { get; init; }

    public required int MatchLength { get; init; }

    /// <summary>How many lines after the hit are still to come.</summary>
    internal int AfterWanted { get; set; }
}
