using System.Globalization;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>Writes a report for a person at a terminal: short, grouped, with the commands to type.</summary>
public static class TextReportWriter
{
    /// <summary>Writes the report. Hidden diagnostics are left out, as Roslyn leaves them out of build output.</summary>
    public static void Write(TextWriter output, AnalysisReport report, CultureInfo? culture = null)
    {
        var ja = (culture ?? CultureInfo.CurrentUICulture).TwoLetterISOLanguageName == "ja";
        string T(string en, string jaText) => ja ? jaText : en;

        output.WriteLine($"{T("Pack", "ルールパック")}: {report.Pack.Id} {report.Pack.Version} (sha256 {report.Pack.Sha256})");
        var device = report.Device;
        var model = device.Model?.Name ?? device.ModelInput ?? T("(not given)", "(指定なし)");
        var firmware = device.Firmware is null ? T("(not given)", "(指定なし)") : $"{device.Firmware} ({device.FirmwareSource})";
        output.WriteLine($"{T("Device", "機器")}: {model}, {T("firmware", "ファームウエア")} {firmware}");
        output.WriteLine();

        var shown = report.Diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
        if (shown.Count == 0)
        {
            output.WriteLine(T("No findings.", "検出事項はありません。"));
        }

        foreach (var group in shown.GroupBy(d => d.Source ?? ""))
        {
            output.WriteLine(group.Key.Length == 0 ? T("Model and firmware:", "機種とファームウエア:") : $"{group.Key}:");
            foreach (var d in group.OrderByDescending(d => d.Severity).ThenBy(d => d.Id, StringComparer.Ordinal))
            {
                var where = d.Line is { } line ? $" {T("line", "行")} {line}" : "";
                var count = d.Count > 1 ? $" (×{d.Count})" : "";
                output.WriteLine($"  {d.Severity.ToName(),-7} {d.Id}{where}{count}: {d.Message}");
                if (d.LineText is { } text)
                {
                    output.WriteLine($"          > {text.Trim()}");
                }

                output.WriteLine($"          {T("help", "ヘルプ")}: {d.Descriptor.HelpUri}");
            }

            output.WriteLine();
        }

        output.WriteLine($"{T("Verdict", "判定")}: {report.Verdict.Word} — {report.Verdict.Text}");
        if (report.Remediation.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(T("Remediation, in order:", "対策 (この順に実施):"));
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
                    output.WriteLine($"     {T("First", "先に")}: {step.Hint}");
                }

                if (step.Detail is not null)
                {
                    output.WriteLine($"     {step.Detail}");
                }

                if (step.AppliesTo.Count > 0)
                {
                    output.WriteLine($"     {T("Applies to", "対象機種")}: {string.Join(", ", step.AppliesTo)}");
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
                output.WriteLine($"  - {caveat}");
            }
        }
    }
}
