using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// Keeps values that do not fit their fact's declared <c>shape</c> out of remediation commands: a command is typed
/// into a router, and a value read from hostile evidence (<c>boot.cfg\e[2K\e[1Gdelete</c>) must not become part of it.
/// </summary>
internal static class FactShapes
{
    private const int MaxQuoted = 40;

    /// <summary>True when the fact declares no shape, or the whole value fits it.</summary>
    public static bool Fits(FactSpec fact, string value)
    {
        if (fact.Shape is not { } shape)
        {
            return true;
        }

        if (shape.Regex is null)
        {
            return string.Equals(value, shape.Literal, shape.Comparison);
        }

        try
        {
            return shape.Regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a value that makes the shape backtrack is no file name
        }
    }

    /// <summary>Why the value was kept out, in the report's language, with the value escaped and cut.</summary>
    public static string Reason(FactSpec fact, string value, string where, CultureInfo culture)
    {
        var quoted = Quote(value);
        var shape = fact.ShapeDescription?.Get(culture);
        return CultureLanguage.Of(culture) == "ja"
            ? $"{where} で読み取った {fact.Name} の値 '{quoted}' は{(shape is null ? "パックが定める形式" : shape)}に当てはまらないため、コマンドに入れていません。"
            : $"The {fact.Name} value read at {where}, '{quoted}', is not {shape ?? "of the shape the pack declares"}, so it was not put into the command.";
    }

    /// <summary>The value cut to 40 characters, control and bidirectional-formatting characters shown as the text writers show them.</summary>
    private static string Quote(string value) =>
        value.Length > MaxQuoted ? Output.TerminalText.Escape(value[..MaxQuoted]) + "…" : Output.TerminalText.Escape(value);
}
