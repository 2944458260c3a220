using System.Globalization;
using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// Fills a message or command template's <c>{name}</c> placeholders: the one rendering the evaluation (diagnostics,
/// remediation) and the writers (CSAF remediations) share.
/// </summary>
internal static class MessageTemplate
{
    /// <summary>What a placeholder with no value shows.</summary>
    public const string Missing = "—";

    /// <summary>
    /// Fills <c>{name}</c> placeholders from <paramref name="lookup"/>, then from <paramref name="parameters"/>;
    /// <c>{{</c> and <c>}}</c> stand for braces; a name with no value renders as <see cref="Missing"/>.
    /// </summary>
    public static string Render(string template, Func<string, string?> lookup, IReadOnlyDictionary<string, int>? parameters = null) =>
        PackLoader.Placeholder().Replace(template, m => m.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => lookup(m.Groups["name"].Value) ?? (parameters?.TryGetValue(m.Groups["name"].Value, out var p) == true
                ? p.ToString(CultureInfo.InvariantCulture)
                : Missing),
        });
}
