using System.Text;

namespace CodeRed.Rules.Loading;

/// <summary>Quoting of pack text inside problem messages: hostile packs must not make messages huge or break them over lines.</summary>
internal static class ProblemText
{
    public const int MaxQuoted = 40;

    /// <summary>The text with line breaks and other control characters written as escapes, not cut.</summary>
    public static string OneLine(string text) =>
        text.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && !text.Contains('\u007f') ? text : Escape(text);

    /// <summary>The text cut to 40 characters (with an ellipsis), control characters written as <c>\n</c>, <c>\t</c> or <c>\u0000</c>.</summary>
    public static string Shorten(string text)
    {
        var cut = text.Length > MaxQuoted;
        var part = cut ? text[..MaxQuoted] : text;
        var escaped = OneLine(part);
        return cut ? escaped + "…" : escaped;
    }

    private static string Escape(string part)
    {
        var builder = new StringBuilder(part.Length + 8);
        foreach (var c in part)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\u007f' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
