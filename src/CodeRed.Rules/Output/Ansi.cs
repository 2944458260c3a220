using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>The few ANSI colours text output uses: a colour per severity, bold for errors.</summary>
internal static class Ansi
{
    private const string Reset = "\u001b[0m";

    /// <summary>The text in its severity's colour; text of no severity (a clean verdict) is green.</summary>
    public static string Paint(string text, DiagnosticSeverity? severity) => severity switch
    {
        DiagnosticSeverity.Error => "\u001b[1;31m" + text + Reset,
        DiagnosticSeverity.Warning => "\u001b[33m" + text + Reset,
        DiagnosticSeverity.Info => "\u001b[36m" + text + Reset,
        null => "\u001b[32m" + text + Reset,
        _ => text,
    };
}
