using System.Globalization;

namespace CodeRed.Rules;

/// <summary>
/// Text in one or more languages, keyed by two-letter ISO language name. English is always present and
/// is the fallback for any culture the text lacks.
/// </summary>
public sealed class LocalizedText
{
    // English-only text, most of a large pack's, keeps one string and no dictionary (four objects fewer per text).
    private readonly string? _englishOnly;
    private readonly IReadOnlyDictionary<string, string>? _byLanguage;
    private static readonly IReadOnlyList<string> EnglishOnly = Array.AsReadOnly(["en"]);

    internal LocalizedText(IReadOnlyDictionary<string, string> byLanguage)
    {
        if (byLanguage.Count == 1 && byLanguage.TryGetValue("en", out var english))
        {
            _englishOnly = english;
        }
        else
        {
            _byLanguage = byLanguage;
        }
    }

    private LocalizedText(string english) => _englishOnly = english;

    /// <summary>English-only text.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="english"/> is null.</exception>
    public static LocalizedText Of(string english) => new(english ?? throw new ArgumentNullException(nameof(english)));

    /// <summary>This text with <paramref name="text"/> in <paramref name="language"/> (a two-letter ISO name such as <c>ja</c>), added or replaced.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="language"/> or <paramref name="text"/> is null.</exception>
    public LocalizedText With(string language, string text)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(text);
        return new(new Dictionary<string, string>(ByLanguage) { [language] = text });
    }

    /// <summary>The texts by language, as stored.</summary>
    internal IReadOnlyDictionary<string, string> ByLanguage => _byLanguage ?? new Dictionary<string, string> { ["en"] = _englishOnly! };

    /// <summary>The empty text.</summary>
    public static LocalizedText Empty { get; } = Of("");

    /// <summary>The languages present, e.g. en, ja.</summary>
    public IEnumerable<string> Languages => _byLanguage?.Keys ?? EnglishOnly;

    /// <summary>The English text.</summary>
    public string English => _englishOnly ?? (_byLanguage!.TryGetValue("en", out var text) ? text : "");

    /// <summary>The text in the culture's language, falling back to English.</summary>
    public string Get(CultureInfo? culture) =>
        _byLanguage is not null && culture is not null && _byLanguage.TryGetValue(CultureLanguage.Of(culture), out var text) ? text : English;

    /// <summary>True when the text exists in <paramref name="language"/> (not only by fallback).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="language"/> is null.</exception>
    public bool Has(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        return _byLanguage?.ContainsKey(language) ?? language == "en";
    }

    /// <summary>The English text.</summary>
    public override string ToString() => English;
}
