using System.Globalization;
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
    /// <summary>Writes the report. Hidden diagnostics are left out, as Roslyn leaves them out of build output.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report, CultureInfo? culture = null) => Write(output, report, culture, color: false);

    /// <summary>
    /// Writes the report; with <paramref name="color"/>, severity words and the verdict are coloured with ANSI
    /// sequences (only these: colour is for finding the important lines, not decoration).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(TextWriter output, AnalysisReport report, CultureInfo? culture, bool color)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var ja = (culture ?? CultureInfo.CurrentUICulture).TwoLetterISOLanguageName == "ja";
        string T(string en, string jaText) => ja ? jaText : en;
        static string E(string text) => TerminalText.Escape(text);
        string Paint(string text, DiagnosticSeverity? severity) => color ? Ansi.Paint(text, severity) : text;

        output.WriteLine($"{T("Pack", "ルールパック")}: {E(report.Pack.Id)} {E(report.Pack.Version)} (sha256 {report.Pack.Sha256})");
        var device = report.Device;
        var model = E(device.Model?.Name ?? device.ModelInput ?? T("(not given)", "(指定なし)"));
        var firmware = device.Firmware is null ? T("(not given)", "(指定なし)") : $"{E(device.Firmware.ToString())} ({E(device.FirmwareSource ?? "")})";
        output.WriteLine($"{T("Device", "機器")}: {model}, {T("firmware", "ファームウエア")} {firmware}");
        output.WriteLine();

        var shown = report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
        if (shown.Count == 0)
        {
            output.WriteLine(T("No findings.", "検出事項はありません。"));
        }

        foreach (var group in shown.GroupBy(d => d.Source ?? ""))
        {
            output.WriteLine(group.Key.Length == 0 ? T("Model and firmware:", "機種とファームウエア:") : $"{E(group.Key)}:");
            foreach (var d in group.OrderByDescending(d => d.Severity).ThenBy(d => d.Id, StringComparer.Ordinal))
            {
                var where = d.Line is { } line ? $" {T("line", "行")} {line}" : "";
                var count = d.Count > 1 ? $" (×{d.Count})" : "";
                output.WriteLine($"  {Paint($"{d.Severity.ToName(),-7}", d.Severity)} {E(d.Id)}{where}{count}: {E(d.Message)}");
                if (d.LineText is { } text)
                {
                    output.WriteLine($"          > {E(text.Trim())}");
                }

                output.WriteLine($"          {T("help", "ヘルプ")}: {E(d.Descriptor.HelpUri)}");
            }

            output.WriteLine();
        }

        output.WriteLine($"{T("Verdict", "判定")}: {Paint(E(report.Verdict.Word), report.Verdict.Severity)} — {E(report.Verdict.Text)}");
        if (report.Remediation.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("Remediation, in order:", "対策 (この順に実施):"));
            foreach (var step in report.Remediation)
            {
                if (step.Command is not null)
                {
                    output.WriteLine($"  {step.Order}. {E(step.Command)}");
                    output.WriteLine($"     {E(step.Text)}");
                }
                else
                {
                    output.WriteLine($"  {step.Order}. {E(step.Text)}");
                }

                if (step.Hint is not null)
                {
                    output.WriteLine($"     {T("First", "先に")}: {E(step.Hint)}");
                }

                if (step.Detail is not null)
                {
                    output.WriteLine($"     {E(step.Detail)}");
                }

                if (step.AppliesTo.Count > 0)
                {
                    output.WriteLine($"     {T("Applies to", "対象機種")}: {E(string.Join(", ", step.AppliesTo))}");
                }
            }
        }

        var caveats = shown.SelectMany(d => d.Caveats).Distinct().ToList();
        if (caveats.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("Caveats (from the advisory):", "注意 (アドバイザリより):"));
            foreach (var caveat in caveats)
            {
                output.WriteLine($"  - {E(caveat)}");
            }
        }
    }
}
