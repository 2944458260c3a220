using System.Globalization;

namespace CodeRed.Rules;

/// <summary>The language a culture asks texts in: the key of <see cref="LocalizedText"/>.</summary>
internal static class CultureLanguage
{
    /// <summary>
    /// The language subtag of the culture's name ("ja" for ja-JP): what <see cref="CultureInfo.TwoLetterISOLanguageName"/>
    /// gives with ICU, but read from the name, because in a process with invariant globalization (the codered tool, many
    /// container images) every culture carries the invariant culture's data, and its two-letter name is not its language.
    /// </summary>
    public static string Of(CultureInfo culture)
    {
        var name = culture.Name;
        if (name.Length == 0)
        {
            return culture.TwoLetterISOLanguageName;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return (dash < 0 ? name : name[..dash]).ToLowerInvariant();
    }
}
