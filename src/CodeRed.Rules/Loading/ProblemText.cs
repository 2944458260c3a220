using System.Text;

namespace CodeRed.Rules.Loading;

/// <summary>Quoting of pack text inside problem messages: hostile packs must not make messages huge or break them over lines.</summary>
internal static class ProblemText
{
    public const int MaxQuoted = 40;

    /// <summary>The text cut to 40 characters (with an ellipsis), control characters written as <c>\n</c>, <c>\t</c> or <c>\u0000</c>.</summary>
    public static string Shorten(string text)
    {
        var cut = text.Length > MaxQuoted;
        var part = cut ? text.AsSpan(0, MaxQuoted) : text.AsSpan();
        if (part.IndexOfAnyInRange('\0', '\u001f') < 0 && !part.Contains('\u007f'))
        {
            return cut ? string.Concat(part, "…") : text;
        }

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

        return cut ? builder.Append('…').ToString() : builder.ToString();
    }
}
