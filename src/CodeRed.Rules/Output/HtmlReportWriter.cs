using System.Globalization;
using System.Net;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>One device of a fleet report: its name (a file, a host) and its report.</summary>
/// <param name="Name">How the page names the device.</param>
/// <param name="Report">The device's report.</param>
public sealed record FleetDevice(string Name, AnalysisReport Report);

/// <summary>
/// Writes a report as one self-contained HTML page for a customer or a ticket: inline CSS and SVG, nothing fetched
/// (a Content-Security-Policy forbids it), readable printed. It shows the pack and its SHA-256, the device, the
/// verdict, each finding with its evidence in context (<see cref="EvaluationOptions.ContextLines"/>), a timeline of the
/// hits by day and hour (times read by the pack's <c>timestamps</c>, the pack's <c>calendar</c> shaded behind, rules
/// tagged <c>restart</c> marked), the remediation with copy buttons, the caveats and the advisory's dates and
/// references. Every text from evidence or the pack is escaped twice over: controls and bidi characters shown
/// visibly as <see cref="TerminalText.Escape"/> shows them, then HTML-encoded. The only script copies a command and
/// sorts the fleet index; the page reads the same without it.
/// </summary>
public static class HtmlReportWriter
{
    private const double ChartLeft = 90;
    private const double ChartWidth = 860;
    private const double RowHeight = 26;
    private const double AxisHeight = 28;

    /// <summary>Writes one device's report, in its own language (<see cref="AnalysisReport.Culture"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var page = new StringBuilder();
        Head(page, report, report.Pack.Id);
        Device(page, report, "device");
        Foot(page, report);
        output.Write(page.ToString());
    }

    /// <summary>
    /// Writes a fleet's reports in one page: an index of the devices (most severe verdict first, sortable), each linking
    /// to its section. The page's words are in the first report's language.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="devices"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="devices"/> is empty.</exception>
    public static void WriteFleet(TextWriter output, IReadOnlyList<FleetDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0)
        {
            throw new ArgumentException("a fleet report needs at least one device", nameof(devices));
        }

        var first = devices[0].Report;
        string T(string key) => first.Phrases.Get(key, first.Culture);
        var page = new StringBuilder();
        Head(page, first, first.Pack.Id);
        page.Append("<section class=\"index\"><h2>").Append(T("htmlDevices")).Append(" (").Append(devices.Count).Append(")</h2>\n");
        page.Append("<table id=\"fleet\"><thead><tr><th scope=\"col\">").Append(T("htmlSource"))
            .Append("</th><th scope=\"col\"><button type=\"button\" id=\"sort-verdict\">").Append(T("verdict")).Append(" ⇅</button></th><th scope=\"col\">")
            .Append(T("htmlFindings")).Append("</th></tr></thead>\n<tbody>\n");
        var order = Enumerable.Range(0, devices.Count)
            .OrderByDescending(i => Rank(devices[i].Report.Verdict.Severity)).ThenBy(i => i).ToList();
        foreach (var i in order)
        {
            var (name, report) = devices[i];
            var ids = string.Join(" ", report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).Select(d => d.Id).Distinct());
            page.Append("<tr data-rank=\"").Append(Rank(report.Verdict.Severity)).Append("\" data-order=\"").Append(i).Append("\"><td><a href=\"#device-").Append(i + 1).Append("\">")
                .Append(H(name)).Append("</a></td><td><span class=\"verdict ").Append(SeverityClass(report.Verdict.Severity)).Append("\">")
                .Append(H(report.Verdict.Word)).Append("</span></td><td>").Append(H(ids)).Append("</td></tr>\n");
        }

        page.Append("</tbody></table></section>\n");
        for (var i = 0; i < devices.Count; i++)
        {
            page.Append("<section class=\"device\" id=\"device-").Append(i + 1).Append("\"><h2 class=\"device-name\">").Append(H(devices[i].Name)).Append("</h2>\n");
            Device(page, devices[i].Report, $"device-{i + 1}");
            page.Append("</section>\n");
        }

        Foot(page, first);
        output.Write(page.ToString());
    }

    /// <summary>Text from evidence or a pack: controls and bidi characters shown visibly, then HTML-encoded.</summary>
    internal static string H(string? text) => WebUtility.HtmlEncode(TerminalText.Escape(text ?? ""));

    private static int Rank(DiagnosticSeverity? severity) => severity is { } s ? (int)s + 1 : 0;

    private static string SeverityClass(DiagnosticSeverity? severity) => severity?.ToName() ?? "none";

    private static void Head(StringBuilder page, AnalysisReport report, string title)
    {
        string T(string key) => report.Phrases.Get(key, report.Culture);
        var pack = report.EvaluatedPack;
        page.Append("<!DOCTYPE html>\n<html lang=\"").Append(H(CultureLanguage.Of(report.Culture))).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(T("htmlReport")).Append(" — ").Append(H(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<header>\n<h1>")
            .Append(H(pack?.Title.Get(report.Culture) ?? title)).Append("</h1>\n<p class=\"pack\">").Append(T("pack")).Append(": <code>").Append(H(report.Pack.Id)).Append("</code> ")
            .Append(H(report.Pack.Version)).Append(" · SHA-256 <code class=\"sha\">").Append(H(report.Pack.Sha256)).Append("</code></p>\n</header>\n<main>\n");
    }

    private static void Foot(StringBuilder page, AnalysisReport report)
    {
        string T(string key) => report.Phrases.Get(key, report.Culture);
        if (report.EvaluatedPack is { } pack)
        {
            var advisory = pack.Advisory;
            page.Append("<section class=\"advisory\"><h2>").Append(T("htmlAdvisory")).Append("</h2>\n<p>").Append(H(advisory.Title.Get(report.Culture))).Append("</p>\n<dl>");
            if (advisory.Publisher.Length > 0)
            {
                page.Append("<dt>").Append(T("htmlPublisher")).Append("</dt><dd>").Append(H(advisory.Publisher)).Append("</dd>");
            }

            page.Append("<dt>").Append(T("htmlFirstEdition")).Append("</dt><dd><time datetime=\"").Append(Date(advisory.FirstEdition)).Append("\">").Append(Date(advisory.FirstEdition)).Append("</time></dd>");
            if (advisory.Revised is { } revised)
            {
                page.Append("<dt>").Append(T("htmlRevised")).Append("</dt><dd><time datetime=\"").Append(Date(revised)).Append("\">").Append(Date(revised)).Append("</time></dd>");
            }

            page.Append("</dl>\n");
            if (advisory.Summary is { } summary)
            {
                page.Append("<p class=\"summary\">").Append(H(summary.Get(report.Culture))).Append("</p>\n");
            }

            if (pack.References.Count > 0)
            {
                page.Append("<h3>").Append(T("htmlReferences")).Append("</h3>\n<ul class=\"references\">\n");
                foreach (var reference in pack.References)
                {
                    page.Append("<li>").Append(H(reference.Title));
                    if (reference.Url is { } url)
                    {
                        page.Append(" — ").Append(Link(url));
                    }

                    page.Append("</li>\n");
                }

                page.Append("</ul>\n");
            }

            page.Append("</section>\n");
        }

        page.Append("</main>\n<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A web address as a link only when it is http(s); anything else is shown as text.</summary>
    private static string Link(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !url.Any(TerminalText.NeedsEscape)
            ? $"<a href=\"{WebUtility.HtmlEncode(url)}\">{H(url)}</a>"
            : $"<code>{H(url)}</code>";

    private static void Device(StringBuilder page, AnalysisReport report, string anchor)
    {
        string T(string key) => report.Phrases.Get(key, report.Culture);
        var device = report.Device;
        var shown = report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();

        page.Append("<section class=\"summary-box\">\n<p class=\"verdict-line\"><span class=\"label\">").Append(T("verdict")).Append("</span> <span class=\"verdict ")
            .Append(SeverityClass(report.Verdict.Severity)).Append("\">").Append(H(report.Verdict.Word)).Append("</span> ").Append(H(report.Verdict.Text)).Append("</p>\n");
        if (report.Verdict.Note is { } note)
        {
            page.Append("<p class=\"verdict-note\">").Append(H(note)).Append("</p>\n");
        }

        page.Append("<dl class=\"device-facts\">");
        var model = device.Model?.Name ?? device.ModelInput;
        page.Append("<dt>").Append(T("htmlModel")).Append("</dt><dd>").Append(model is null ? T("notGiven") : H(model));
        if (device.ModelInput is not null)
        {
            page.Append(" <span class=\"where\">(").Append(T("givenVersion")).Append(")</span>");
        }

        page.Append("</dd><dt>").Append(T("htmlVersion")).Append("</dt><dd>");
        if (device.Firmware is null)
        {
            page.Append(T("notGiven"));
        }
        else
        {
            page.Append(H(device.Firmware.ToString())).Append(" <span class=\"where\">(").Append(H(report.Phrases.FirmwareSource(device.FirmwareSource, report.Culture))).Append(")</span>");
        }

        page.Append("</dd>");
        if (report.SourcesRead.Count > 0)
        {
            page.Append("<dt>").Append(T("htmlSource")).Append("</dt><dd>")
                .Append(string.Join(", ", report.SourcesRead.Select(s => $"{H(s.Name)} ({report.Phrases.Get("htmlLines", report.Culture, ("lines", s.Lines.ToString(CultureInfo.InvariantCulture)))})")))
                .Append("</dd>");
        }

        page.Append("</dl>\n</section>\n");

        Timeline(page, report, shown, anchor);

        page.Append("<section class=\"findings\"><h2>").Append(T("htmlFindings")).Append(" (").Append(shown.Count).Append(")</h2>\n");
        if (shown.Count == 0)
        {
            page.Append("<p>").Append(T("noFindings")).Append("</p>\n");
        }

        foreach (var d in shown)
        {
            page.Append("<article class=\"finding ").Append(SeverityClass(d.Severity)).Append("\" id=\"").Append(anchor).Append('-').Append(H(d.Id)).Append("\">\n<h3><span class=\"severity ")
                .Append(SeverityClass(d.Severity)).Append("\">").Append(T(d.Severity.ToName())).Append("</span> <code>").Append(H(d.Id)).Append("</code> ")
                .Append(H(d.Descriptor.Title.Get(report.Culture))).Append("</h3>\n<p>").Append(H(d.Message)).Append("</p>\n");
            if (d.Source is not null)
            {
                page.Append("<p class=\"where\">").Append(H(d.Source));
                if (d.Line is { } line)
                {
                    page.Append(", ").Append(T("line")).Append(' ').Append(line.ToString(CultureInfo.InvariantCulture));
                }

                if (d.Count > 1)
                {
                    page.Append(" (×").Append(d.Count.ToString(CultureInfo.InvariantCulture)).Append(')');
                }

                page.Append("</p>\n");
            }

            Evidence(page, d);
        }

        page.Append("</section>\n");

        if (report.Remediation.Count > 0)
        {
            page.Append("<section class=\"remediation\"><h2>").Append(T("remediation")).Append("</h2>\n<ol>\n");
            foreach (var step in report.Remediation)
            {
                page.Append("<li id=\"").Append(anchor).Append("-step-").Append(H(step.Id)).Append("\" class=\"step ").Append(StatusClass(step.Status)).Append("\">");
                if (step.Status != RemediationStepStatus.Open)
                {
                    // What the capture shows was already typed (or typed and then undone), with its line.
                    page.Append("<p class=\"status\"><span class=\"badge\">").Append(T(step.Status == RemediationStepStatus.Done ? "done" : "undone")).Append("</span>");
                    if (step.StatusReason is not null)
                    {
                        page.Append(' ').Append(H(step.StatusReason));
                    }

                    page.Append("</p>");
                }

                if (step.Command is not null)
                {
                    page.Append("<div class=\"command\"><code>").Append(H(step.Command)).Append("</code> <button type=\"button\" class=\"copy\" data-copy=\"")
                        .Append(H(step.Command)).Append("\" data-done=\"").Append(T("htmlCopied")).Append("\">").Append(T("htmlCopy")).Append("</button></div>");
                }

                page.Append("<p>").Append(H(step.Text)).Append("</p>");
                if (step.Hint is not null)
                {
                    page.Append("<p class=\"hint\">").Append(T("first")).Append(": ").Append(H(step.Hint)).Append("</p>");
                }

                if (step.Detail is not null)
                {
                    page.Append("<p class=\"detail\">").Append(H(step.Detail)).Append("</p>");
                }

                if (step.AppliesTo.Count > 0)
                {
                    page.Append("<p class=\"where\">").Append(T("appliesTo")).Append(": ").Append(H(string.Join(", ", step.AppliesTo))).Append("</p>");
                }

                page.Append("</li>\n");
            }

            page.Append("</ol>\n</section>\n");
        }

        var caveats = shown.SelectMany(d => d.Caveats).Distinct().ToList();
        if (caveats.Count > 0)
        {
            page.Append("<section class=\"caveats\"><h2>").Append(T("caveats")).Append("</h2>\n<ul>\n");
            foreach (var caveat in caveats)
            {
                page.Append("<li>").Append(H(caveat)).Append("</li>\n");
            }

            page.Append("</ul>\n</section>\n");
        }
    }

    private static string StatusClass(RemediationStepStatus status) => status switch
    {
        RemediationStepStatus.Done => "done",
        RemediationStepStatus.Undone => "undone",
        _ => "open",
    };

    /// <summary>The lines around the first hit, numbered, the matched part marked.</summary>
    private static void Evidence(StringBuilder page, Diagnostic d)
    {
        if (d.Context is { } context)
        {
            page.Append("<pre class=\"evidence\">");
            for (var i = 0; i < context.Lines.Count; i++)
            {
                var text = context.Lines[i];
                var number = (context.FirstLine + i).ToString(CultureInfo.InvariantCulture);
                page.Append("<span class=\"ln\">").Append(number).Append("</span>");
                if (i == context.HitIndex)
                {
                    page.Append("<span class=\"hit\">");
                    if (context.MatchLength > 0 && context.MatchStart >= 0 && context.MatchStart + context.MatchLength <= text.Length)
                    {
                        page.Append(H(text[..context.MatchStart])).Append("<mark>").Append(H(text.Substring(context.MatchStart, context.MatchLength))).Append("</mark>")
                            .Append(H(text[(context.MatchStart + context.MatchLength)..]));
                    }
                    else
                    {
                        page.Append(H(text));
                    }

                    page.Append("</span>");
                }
                else
                {
                    page.Append(H(text));
                }

                page.Append('\n');
            }

            page.Append("</pre>\n");
        }
        else if (d.LineText is { } line)
        {
            page.Append("<pre class=\"evidence\"><span class=\"ln\">").Append(d.Line?.ToString(CultureInfo.InvariantCulture)).Append("</span><span class=\"hit\">")
                .Append(H(line)).Append("</span>\n</pre>\n");
        }

        page.Append("</article>\n");
    }

    /// <summary>
    /// The hits by day and hour: one row per rule with timed hits, one mark per hit time kept, the restarts (rules tagged
    /// <c>restart</c>) drawn across every row, the pack's calendar phases shaded behind.
    /// </summary>
    private static void Timeline(StringBuilder page, AnalysisReport report, List<Diagnostic> shown, string anchor)
    {
        string T(string key) => report.Phrases.Get(key, report.Culture);
        var rows = shown.Where(d => d.Timestamps.Count > 0).ToList();
        page.Append("<section class=\"timeline\"><h2>").Append(T("htmlTimeline")).Append("</h2>\n");
        if (rows.Count == 0)
        {
            page.Append("<p>").Append(T("htmlNoTimes")).Append("</p>\n</section>\n");
            return;
        }

        // x: hours since the first day shown; a month in the timestamps moves the day on by 31 per month, so logs
        // spanning a month end stay in order (the axis labels say which day).
        static int DayIndex(LogTimestamp t) => ((t.Year ?? 0) * 12 + (t.Month ?? 0)) * 31 + t.Day - 1;
        var all = rows.SelectMany(d => d.Timestamps).ToList();
        var firstDay = all.Min(DayIndex);
        var lastDay = all.Max(DayIndex);
        var days = lastDay - firstDay + 1;
        double HourOf(LogTimestamp t) => (DayIndex(t) - firstDay) * 24 + t.Hour + t.Minute / 60.0 + t.Second / 3600.0;

        // Hits within one day: the hours around them (at least two), so marks minutes apart stay apart; else whole days.
        var (start, end) = (0, days * 24);
        if (days == 1)
        {
            start = (int)Math.Floor(all.Min(HourOf));
            end = Math.Max((int)Math.Floor(all.Max(HourOf)) + 1, start + 2);
            (start, end) = end > 24 ? (22, 24) : (start, end);
        }

        var span = end - start;
        double X(double hour) => ChartLeft + (hour - start) / span * ChartWidth;
        double At(LogTimestamp t) => X(HourOf(t));
        var height = AxisHeight + rows.Count * RowHeight + 8;
        var dayOf = new Dictionary<int, LogTimestamp>();
        foreach (var t in all)
        {
            dayOf.TryAdd(DayIndex(t), t);
        }

        var invariant = CultureInfo.InvariantCulture;
        page.Append("<svg class=\"chart\" role=\"img\" aria-labelledby=\"").Append(anchor).Append("-timeline-title\" viewBox=\"0 0 ")
            .Append((ChartLeft + ChartWidth + 10).ToString(invariant)).Append(' ').Append(height.ToString(invariant)).Append("\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"")
            .Append(anchor).Append("-timeline-title\">").Append(T("htmlTimeline")).Append("</title>\n");

        // The calendar behind: each phase over the days shown whose day of the month falls in it.
        var calendar = report.EvaluatedPack?.Definition.Calendar;
        if (calendar is not null)
        {
            for (var day = firstDay; day <= lastDay; day++)
            {
                var dayOfMonth = day % 31 + 1;
                var phase = calendar.Phases.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.FromDay <= dayOfMonth && dayOfMonth <= x.p.ToDay);
                if (phase.p is null)
                {
                    continue;
                }

                var x = X(Math.Max((day - firstDay) * 24.0, start));
                var width = X(Math.Min((day - firstDay + 1) * 24.0, end)) - x;
                page.Append(string.Create(invariant, $"<rect class=\"phase phase-{phase.i % 4}\" x=\"{x:0.##}\" y=\"0\" width=\"{width:0.##}\" height=\"{height:0.##}\"><title>"))
                    .Append(H(phase.p.Text.Get(report.Culture))).Append("</title></rect>\n");
            }
        }

        // Axis: ticks every 10 minutes to a day, as the span allows; each day's start is labelled with its day.
        var step = span <= 3 ? 10 : span <= 36 ? 60 : span <= 7 * 24 ? 360 : 1440;
        var labelEvery = span is > 12 and <= 36 ? 180 : step;
        for (var minute = start * 60; minute <= end * 60; minute += step)
        {
            var x = X(minute / 60.0);
            var major = minute % 1440 == 0;
            var first = minute == start * 60;
            page.Append(string.Create(invariant, $"<line class=\"{(major ? "tick day" : "tick")}\" x1=\"{x:0.##}\" y1=\"{AxisHeight - 6}\" x2=\"{x:0.##}\" y2=\"{height - 4:0.##}\"/>"));
            if (minute < end * 60 && (major || minute % labelEvery == 0))
            {
                var time = string.Create(invariant, $"{minute / 60 % 24:00}:{minute % 60:00}");
                var label = major ? DayLabel(firstDay + minute / 1440, dayOf) : minute == start * 60 ? DayLabel(firstDay, dayOf) + " " + time : time;
                page.Append(string.Create(invariant, $"<text class=\"{(major || first ? "axis day" : "axis")}\" x=\"{x + 2:0.##}\" y=\"{AxisHeight - 10}\">")).Append(H(label)).Append("</text>");
            }

            page.Append('\n');
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var d = rows[r];
            var y = AxisHeight + r * RowHeight + RowHeight / 2;
            var restart = d.Descriptor.Tags.Contains("restart");
            page.Append(string.Create(invariant, $"<text class=\"row-label\" x=\"4\" y=\"{y + 4:0.##}\">")).Append(H(d.Id)).Append("</text>")
                .Append(string.Create(invariant, $"<line class=\"row\" x1=\"{ChartLeft}\" y1=\"{y:0.##}\" x2=\"{ChartLeft + ChartWidth}\" y2=\"{y:0.##}\"/>\n"));
            foreach (var t in d.Timestamps)
            {
                var x = At(t);
                var label = $"{H(d.Id)} {H(t.ToString())}{(restart ? " — " + T("htmlRestart") : "")}";
                if (restart)
                {
                    page.Append(string.Create(invariant, $"<line class=\"restart-line\" x1=\"{x:0.##}\" y1=\"{AxisHeight - 4}\" x2=\"{x:0.##}\" y2=\"{height - 4:0.##}\"/>"))
                        .Append(string.Create(invariant, $"<path class=\"mark restart {SeverityClass(d.Severity)}\" d=\"M{x:0.##} {y - 7:0.##} l7 7 l-7 7 l-7 -7 z\"><title>")).Append(label).Append("</title></path>\n");
                }
                else
                {
                    page.Append(string.Create(invariant, $"<circle class=\"mark {SeverityClass(d.Severity)}\" cx=\"{x:0.##}\" cy=\"{y:0.##}\" r=\"5\"><title>")).Append(label).Append("</title></circle>\n");
                }
            }
        }

        page.Append("</svg>\n<ul class=\"legend\">");
        page.Append("<li><span class=\"key restart\"></span>").Append(T("htmlRestart")).Append("</li>");
        if (calendar is not null)
        {
            for (var i = 0; i < calendar.Phases.Count; i++)
            {
                page.Append("<li><span class=\"key phase-").Append(i % 4).Append("\"></span>").Append(H(calendar.Phases[i].Text.Get(report.Culture))).Append("</li>");
            }
        }

        page.Append("</ul>\n");
        if (calendar is not null)
        {
            page.Append("<p class=\"where\">").Append(H(calendar.Title.Get(report.Culture))).Append(" — ").Append(T("htmlSource")).Append(": ").Append(H(calendar.Source));
            if (calendar.Url is { } url)
            {
                page.Append(" (").Append(Link(url)).Append(')');
            }

            page.Append("</p>\n");
        }

        var kept = rows.Sum(d => d.Timestamps.Count);
        page.Append("<p class=\"where\">").Append(report.Phrases.Get("htmlMarks", report.Culture, ("marks", kept.ToString(invariant)))).Append("</p>\n");
        if (shown.Any(d => d.Count > d.Timestamps.Count))
        {
            page.Append("<p class=\"where\">").Append(T("htmlUntimed")).Append("</p>\n");
        }

        page.Append("</section>\n");
    }

    private static string DayLabel(int dayIndex, Dictionary<int, LogTimestamp> seen)
    {
        var day = dayIndex % 31 + 1;
        return seen.TryGetValue(dayIndex, out var t) && t.Month is { } month
            ? string.Create(CultureInfo.InvariantCulture, $"{month:D2}-{day:D2}")
            : day.ToString("D2", CultureInfo.InvariantCulture);
    }

    private const string Css = """
        :root { --error: #b3261e; --warning: #a15c00; --info: #1f5fa8; --none: #2e7d32; --ink: #1b1b1f; --muted: #5f6368; }
        body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", sans-serif; color: var(--ink); margin: 0 auto; max-width: 980px; padding: 1.5rem; }
        h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 1.8rem; } h3 { font-size: 1rem; margin: .2rem 0; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
        .sha { word-break: break-all; } .pack, .where { color: var(--muted); font-size: .9em; }
        .summary-box { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; margin-top: 1rem; }
        .verdict-line { font-size: 1.05rem; } .label { font-weight: 600; }
        .step.done .command code { text-decoration: line-through; } .status .badge { font-weight: 600; padding: 0 .3em; border: 1px solid; }
        .step.done .badge { color: #1a7f37; } .step.undone .badge { color: #b35900; } .verdict-note { font-style: italic; }
        .verdict, .severity { display: inline-block; padding: 0 .45em; border-radius: 4px; color: #fff; font-weight: 600; }
        .verdict.error, .severity.error { background: var(--error); } .verdict.warning, .severity.warning { background: var(--warning); }
        .verdict.info, .severity.info { background: var(--info); } .verdict.none { background: var(--none); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .4rem 0; } dt { font-weight: 600; } dd { margin: 0; }
        .finding { border-left: 4px solid var(--muted); padding: .2rem .8rem; margin: .8rem 0; break-inside: avoid; }
        .finding.error { border-color: var(--error); } .finding.warning { border-color: var(--warning); } .finding.info { border-color: var(--info); }
        pre.evidence { background: #f6f8fa; border: 1px solid #e1e4e8; padding: .5rem; overflow-x: auto; white-space: pre; }
        .ln { display: inline-block; min-width: 3.5em; color: var(--muted); user-select: none; } .hit { font-weight: 600; }
        mark { background: #ffe08a; color: inherit; }
        .command { display: flex; gap: .6rem; align-items: center; } .command code { background: #f6f8fa; border: 1px solid #e1e4e8; padding: .15rem .4rem; }
        button { font: inherit; font-size: .85em; cursor: pointer; }
        .remediation li { margin-bottom: .6rem; } .remediation p { margin: .2rem 0; } .hint { color: var(--warning); }
        svg.chart { width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
        .phase-0 { fill: #fdecea; background: #fdecea; } .phase-1 { fill: #fff4d6; background: #fff4d6; } .phase-2 { fill: #eef2f7; background: #eef2f7; } .phase-3 { fill: #e8f5e9; background: #e8f5e9; }
        .tick { stroke: #e3e3e3; } .tick.day { stroke: #9e9e9e; } .axis { font-size: 10px; fill: var(--muted); } .axis.day { font-weight: 600; fill: var(--ink); }
        .row { stroke: #cfcfcf; stroke-dasharray: 2 3; } .row-label { font: 12px ui-monospace, monospace; fill: var(--ink); }
        .mark { stroke: #fff; stroke-width: 1.5; } .mark.error { fill: var(--error); } .mark.warning { fill: var(--warning); } .mark.info { fill: var(--info); }
        .restart-line { stroke: var(--error); stroke-width: 1.5; stroke-dasharray: 4 3; opacity: .7; }
        .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; font-size: .9em; }
        .key { display: inline-block; width: 1em; height: 1em; border: 1px solid #bbb; margin-right: .35em; vertical-align: -.15em; } .key.restart { border: 0; border-left: 2px dashed var(--error); width: .4em; }
        table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; }
        .device-name { font-size: 1.35rem; border-bottom: 3px solid var(--ink); margin-top: 3rem; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; } button { display: none; } a { color: inherit; }
          a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; color: var(--muted); }
          .verdict, .severity, mark, .phase-0, .phase-1, .phase-2, .phase-3, .key { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
          pre.evidence { white-space: pre-wrap; overflow: visible; } .device { break-before: page; } h2, h3 { break-after: avoid; }
        }

        """;

    // Copies a command (where the clipboard is allowed) and sorts the fleet index by verdict; nothing else runs.
    private const string Script = """
        for (const button of document.querySelectorAll("button.copy")) {
          button.addEventListener("click", () => {
            if (navigator.clipboard) { navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = button.dataset.done; }, () => {}); }
          });
        }
        const sortButton = document.getElementById("sort-verdict");
        if (sortButton) {
          let worstFirst = true;
          sortButton.addEventListener("click", () => {
            worstFirst = !worstFirst;
            const body = document.querySelector("#fleet tbody");
            const rows = Array.from(body.rows);
            rows.sort((a, b) => (worstFirst ? b.dataset.rank - a.dataset.rank : a.dataset.rank - b.dataset.rank) || a.dataset.order - b.dataset.order);
            for (const row of rows) { body.appendChild(row); }
          });
        }

        """;
}
