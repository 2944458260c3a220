using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>Writes a report for a person at a terminal: short, grouped, with the commands to type.</summary>
public static class TextReportWriter
{
    /// <summary>
    /// Writes the report in its own language (<see cref="AnalysisReport.Culture"/>), labels included. Hidden diagnostics
    /// are left out, as Roslyn leaves them out of build output.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        string T(string key) => report.Phrases.Get(key, report.Culture);

        output.WriteLine($"{T("pack")}: {report.Pack.Id} {report.Pack.Version} (sha256 {report.Pack.Sha256})");
        var device = report.Device;
        var model = device.Model?.Name ?? device.ModelInput ?? T("notGiven");
        var firmware = device.Firmware is null ? T("notGiven") : $"{device.Firmware} ({report.Phrases.FirmwareSource(device.FirmwareSource, report.Culture)})";
        output.WriteLine($"{T("device")}: {model}, {T("firmware")} {firmware}");
        output.WriteLine();

        var shown = report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
        if (shown.Count == 0)
        {
            output.WriteLine(T("noFindings"));
        }

        foreach (var group in shown.GroupBy(d => d.Source ?? ""))
        {
            output.WriteLine(group.Key.Length == 0 ? T("modelAndFirmware") : $"{group.Key}:");
            foreach (var d in group.OrderByDescending(d => d.Severity).ThenBy(d => d.Id, StringComparer.Ordinal))
            {
                var where = d.Line is { } line ? $" {T("line")} {line}" : "";
                var count = d.Count > 1 ? $" (×{d.Count})" : "";
                output.WriteLine($"  {T(d.Severity.ToName()),-7} {d.Id}{where}{count}: {d.Message}");
                if (d.LineText is { } text)
                {
                    output.WriteLine($"          > {text.Trim()}");
                }

                output.WriteLine($"          {T("help")}: {d.Descriptor.HelpUri}");
            }

            output.WriteLine();
        }

        output.WriteLine($"{T("verdict")}: {report.Verdict.Word} — {report.Verdict.Text}");
        if (report.Remediation.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("remediation"));
            foreach (var step in report.Remediation)
            {
                if (step.Command is not null)
                {
                    output.WriteLine($"  {step.Order}. {step.Command}");
                    output.WriteLine($"     {step.Text}");
                }
                else
                {
                    output.WriteLine($"  {step.Order}. {step.Text}");
                }

                if (step.Hint is not null)
                {
                    output.WriteLine($"     {T("first")}: {step.Hint}");
                }

                if (step.Detail is not null)
                {
                    output.WriteLine($"     {step.Detail}");
                }

                if (step.AppliesTo.Count > 0)
                {
                    output.WriteLine($"     {T("appliesTo")}: {string.Join(", ", step.AppliesTo)}");
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
                output.WriteLine($"  - {caveat}");
            }
        }
    }

    /// <summary>Writes the report; the culture is not used, since a report is written in its own language.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    [Obsolete("A report is written in its own language (AnalysisReport.Culture); choose it with EvaluationOptions.Culture and call Write(output, report).")]
    public static void Write(TextWriter output, AnalysisReport report, System.Globalization.CultureInfo? culture) => Write(output, report);
}
