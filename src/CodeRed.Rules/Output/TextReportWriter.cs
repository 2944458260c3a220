using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>
/// Writes a report for a person at a terminal: short, grouped, with the commands to type. Every text that comes
/// from evidence or the pack goes through <see cref="TerminalText.Escape"/>, so a log line cannot move the cursor,
/// erase a line or reorder a command.
/// </summary>
public static class TextReportWriter
{
    /// <summary>
    /// Writes the report in its own language (<see cref="AnalysisReport.Culture"/>), labels included. Hidden diagnostics
    /// are left out, as Roslyn leaves them out of build output.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report) => Write(output, report, color: false);

    /// <summary>
    /// Writes the reports of one device evaluated against several packs, one after another (each headed by its pack), a
    /// blank line between them.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/>, <paramref name="reports"/> or a report is null.</exception>
    public static void Write(TextWriter output, IReadOnlyList<AnalysisReport> reports, bool color = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reports);
        for (var i = 0; i < reports.Count; i++)
        {
            if (i > 0)
            {
                output.WriteLine();
            }

            // Each report starts with its pack's id, version and hash: several packs are listed by their reports.
            Write(output, reports[i] ?? throw new ArgumentNullException(nameof(reports)), color);
        }
    }

    /// <summary>
    /// Writes the report in its own language; with <paramref name="color"/>, severity words and the verdict are
    /// coloured with ANSI sequences (only these: colour is for finding the important lines, not decoration).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report, bool color)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        string T(string key) => report.Phrases.Get(key, report.Culture);
        static string E(string text) => TerminalText.Escape(text);
        string Paint(string text, DiagnosticSeverity? severity) => color ? Ansi.Paint(text, severity) : text;

        output.WriteLine($"{T("pack")}: {E(report.Pack.Id)} {E(report.Pack.Version)} (sha256 {report.Pack.Sha256})");
        var device = report.Device;
        var model = E(device.Model?.Name ?? device.ModelInput ?? T("notGiven"));
        var firmware = device.Firmware is null ? T("notGiven") : $"{E(device.Firmware.ToString())} ({E(report.Phrases.FirmwareSource(device.FirmwareSource, report.Culture))})";
        output.WriteLine($"{T("device")}: {model}, {T("version")} {firmware}");
        output.WriteLine();

        var shown = report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
        if (shown.Count == 0)
        {
            output.WriteLine(T("noFindings"));
        }

        foreach (var group in shown.GroupBy(d => d.Source ?? ""))
        {
            output.WriteLine(group.Key.Length == 0 ? T("modelAndVersion") : $"{E(group.Key)}:");
            foreach (var d in group.OrderByDescending(d => d.Severity).ThenBy(d => d.Id, StringComparer.Ordinal))
            {
                var where = d.Line is { } line ? $" {T("line")} {line}" : "";
                var count = d.Count > 1 ? $" (×{d.Count})" : "";
                output.WriteLine($"  {Paint($"{T(d.Severity.ToName()),-7}", d.Severity)} {E(d.Id)}{where}{count}: {E(d.Message)}");
                if (d.LineText is { } text)
                {
                    output.WriteLine($"          > {E(text.Trim())}");
                }

                output.WriteLine($"          {T("help")}: {E(d.Descriptor.HelpUri)}");
            }

            output.WriteLine();
        }

        output.WriteLine($"{T("verdict")}: {Paint(E(report.Verdict.Word), report.Verdict.Severity)} — {E(report.Verdict.Text)}");
        if (report.Verdict.Note is { } note)
        {
            output.WriteLine($"  {E(note)}");
        }
        if (report.Remediation.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("remediation"));
            foreach (var step in report.Remediation)
            {
                var mark = step.Status switch
                {
                    RemediationStepStatus.Done => $"  [{T("done")}]",
                    RemediationStepStatus.Undone => $"  [{T("undone")}]",
                    _ => "",
                };
                if (step.Command is not null)
                {
                    output.WriteLine($"  {step.Order}. {E(step.Command)}{mark}");
                    output.WriteLine($"     {E(step.Text)}");
                }
                else
                {
                    output.WriteLine($"  {step.Order}. {E(step.Text)}{mark}");
                }

                if (step.StatusReason is not null)
                {
                    output.WriteLine($"     {E(step.StatusReason)}");
                }

                if (step.Hint is not null)
                {
                    output.WriteLine($"     {T("first")}: {E(step.Hint)}");
                }

                if (step.Detail is not null)
                {
                    output.WriteLine($"     {E(step.Detail)}");
                }

                if (step.AppliesTo.Count > 0)
                {
                    output.WriteLine($"     {T("appliesTo")}: {E(string.Join(", ", step.AppliesTo))}");
                }
            }
        }

        var caveats = shown.SelectMany(d => d.Caveats).Distinct().ToList();
        if (caveats.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("caveats"));
            foreach (var caveat in caveats)
            {
                output.WriteLine($"  - {E(caveat)}");
            }
        }
    }

    /// <summary>Writes the report; the culture is not used, since a report is written in its own language.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    [Obsolete("A report is written in its own language (AnalysisReport.Culture); choose it with EvaluationOptions.Culture and call Write(output, report).")]
    public static void Write(TextWriter output, AnalysisReport report, System.Globalization.CultureInfo? culture) => Write(output, report);
}
