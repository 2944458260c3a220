using System.Text;

namespace CodeRed.Rules.Products;

/// <summary>
/// Model names as people type them: case, spaces, hyphens and underscores do not matter
/// (<c>ar300l v2</c>, <c>AR300LV2</c> and <c>AR-300L V2</c> are one model), every other character does,
/// so <c>AR300</c> is never <c>AR300 V2</c>.
/// </summary>
public static class ModelName
{
    /// <summary>The comparison key of a model name: upper case, without spaces, hyphens and underscores.</summary>
    public static string Normalize(string name)
    {
        // Upper-casing after NFKC can yield text that NFKC changes again (found by the idempotence property); a key
        // is a key only when normalizing it changes nothing, which a second or third pass reaches.
        var key = NormalizeOnce(name);
        for (var pass = 0; pass < 4; pass++)
        {
            var again = NormalizeOnce(key);
            if (again == key)
            {
                break;
            }

            key = again;
        }

        return key;
    }

    private static string NormalizeOnce(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in Compatible(WellFormed(name)))
        {
            if (c is ' ' or '-' or '_' or '\t' || char.IsWhiteSpace(c))
            {
                continue;
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>
    /// NFKC (full-width ＡＲ３２０ is AR320), with the full-width forms also folded on their own: a process without ICU
    /// (invariant globalization: the codered tool, many container images) normalizes nothing, and typed full-width model
    /// names must still find their model there. Under ICU the fold changes nothing more (NFKC already did it). Text that
    /// normalization refuses, such as noncharacters (U+FFFE), is only folded.
    /// </summary>
    private static string Compatible(string text)
    {
        try
        {
            text = text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
        }

        return FoldFullWidth(text);
    }

    /// <summary>U+FF01 to U+FF5E as the ASCII they are the full-width forms of, and the ideographic space as a space.</summary>
    internal static string FoldFullWidth(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u3000', '\uFF5E'))
        {
            return text;
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                chars[i] = c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c == '\u3000' ? ' ' : c;
            }
        });
    }

    /// <summary>The text with every lone surrogate replaced by U+FFFD: Unicode normalization refuses them.</summary>
    private static string WellFormed(string text)
    {
        StringBuilder? fixedText = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                fixedText?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                fixedText ??= new StringBuilder(text, 0, i, text.Length);
                fixedText.Append('\uFFFD');
                continue;
            }

            fixedText?.Append(c);
        }

        return fixedText?.ToString() ?? text;
    }
}
