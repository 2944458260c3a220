using System.Globalization;
using System.Text;

namespace CodeRed.Rules.Output;

/// <summary>
/// Makes text from evidence or a rule pack safe to print on a terminal. Log lines, file names and pack texts are
/// not trusted: an ESC sequence in a captured line could erase the line above or rewrite a command to type, and a
/// bidi override could show a command in another order than it would run. Every such character is shown
/// visibly instead: C0 controls, DEL and C1 controls as <c>\x1b</c> (tab, line feed and carriage return as
/// <c>\t</c>, <c>\n</c>, <c>\r</c>), bidi controls and line or paragraph separators as <c>\u202e</c>.
/// </summary>
public static class TerminalText
{
    /// <summary>True for a character <see cref="Escape"/> shows as an escape.</summary>
    public static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\u007f' and <= '\u009f' // C0, DEL, C1
        || c is >= '\u202a' and <= '\u202e' // LRE, RLE, PDF, LRO, RLO
        || c is >= '\u2066' and <= '\u2069' // LRI, RLI, FSI, PDI
        || c is '\u200e' or '\u200f' or '\u061c' // LRM, RLM, ALM
        || c is '\u2028' or '\u2029'; // line and paragraph separators end lines on some terminals

    /// <summary>The text with every control, bidi control and line separator shown as a visible escape.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string Escape(string text) => EscapeCore(text, keepLineBreaks: false);

    /// <summary>As <see cref="Escape(string)"/>, but line feeds and tabs stay: for whole pages (Markdown) whose lines are meant.</summary>
    internal static string EscapeKeepingLines(string text) => EscapeCore(text, keepLineBreaks: true);

    private static string EscapeCore(string text, bool keepLineBreaks)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = IndexOfEscape(text, keepLineBreaks);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!NeedsEscape(c) || (keepLineBreaks && c is '\n' or '\t'))
            {
                escaped.Append(c);
                continue;
            }

            _ = c switch
            {
                '\t' => escaped.Append("\\t"),
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                <= '\u00ff' => escaped.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
            };
        }

        return escaped.ToString();
    }

    private static int IndexOfEscape(string text, bool keepLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (NeedsEscape(text[i]) && !(keepLineBreaks && text[i] is '\n' or '\t'))
            {
                return i;
            }
        }

        return -1;
    }
}
