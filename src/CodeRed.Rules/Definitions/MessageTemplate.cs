using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// A message or command template parsed once into text and <c>{name}</c> placeholders (<c>{{</c> and <c>}}</c> stand
/// for braces): the loader checks its names, and the evaluation (diagnostics, remediation) and the writers (CSAF
/// remediations) render it without parsing it again.
/// </summary>
internal sealed class MessageTemplate
{
    /// <summary>What a placeholder with no value shows.</summary>
    public const string Missing = "—";

    // Keyed by the pack's own string instances, so a template is parsed once per text and freed with its pack.
    private static readonly ConditionalWeakTable<string, MessageTemplate> Parsed = new();

    private readonly string[] _texts; // one more than _names: text, name, text, name, ..., text
    private readonly string[] _names;

    private MessageTemplate(string[] texts, string[] names) => (_texts, _names) = (texts, names);

    /// <summary>The placeholders' names in order (a name may repeat; <c>{}</c> gives an empty name).</summary>
    public IReadOnlyList<string> Names => _names;

    public static MessageTemplate Parse(string template) => Parsed.GetValue(template, Build);

    /// <summary>Fills the placeholders of <paramref name="template"/>; see <see cref="Render(Func{string, string?}, IReadOnlyDictionary{string, int}?)"/>.</summary>
    public static string Render(string template, Func<string, string?> lookup, IReadOnlyDictionary<string, int>? parameters = null) =>
        Parse(template).Render(lookup, parameters);

    /// <summary>
    /// Fills each placeholder from <paramref name="lookup"/>, then from <paramref name="parameters"/>; a name with no
    /// value renders as <see cref="Missing"/>.
    /// </summary>
    public string Render(Func<string, string?> lookup, IReadOnlyDictionary<string, int>? parameters = null)
    {
        if (_names.Length == 0)
        {
            return _texts[0];
        }

        var text = new StringBuilder(_texts[0]);
        for (var i = 0; i < _names.Length; i++)
        {
            var name = _names[i];
            text.Append(lookup(name) ?? (parameters?.TryGetValue(name, out var p) == true ? p.ToString(CultureInfo.InvariantCulture) : Missing));
            text.Append(_texts[i + 1]);
        }

        return text.ToString();
    }

    private static MessageTemplate Build(string template)
    {
        var texts = new List<string>();
        var names = new List<string>();
        var text = new StringBuilder();
        var at = 0;
        foreach (System.Text.RegularExpressions.Match m in PackLoader.Placeholder().Matches(template))
        {
            text.Append(template, at, m.Index - at);
            at = m.Index + m.Length;
            if (m.Groups["name"] is { Success: true } name)
            {
                texts.Add(text.ToString());
                text.Clear();
                names.Add(name.Value);
            }
            else
            {
                text.Append(m.Value[0]); // "{{" or "}}"
            }
        }

        texts.Add(text.Append(template, at, template.Length - at).ToString());
        return new MessageTemplate([.. texts], [.. names]);
    }
}
