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

    /// <summary>Parses without the cache: the loader checks each rule's names once, and 10,000 rules' entries in a
    /// weak table cost the collector more than parsing them again when one fires.</summary>
    public static MessageTemplate ParseOnce(string template) => Build(template);

    // The same reading as PackLoader.Placeholder() (`\{\{|\}\}|\{(?<name>[^{}]*)\}`, leftmost first), by hand: the
    // regex's matches were most of what parsing a template cost.
    private static MessageTemplate Build(string template)
    {
        if (template.AsSpan().IndexOfAny('{', '}') < 0)
        {
            return new MessageTemplate([template], []);
        }

        var texts = new List<string>();
        var names = new List<string>();
        var text = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c); // "{{" or "}}"
                i += 2;
            }
            else if (c == '{' && template.AsSpan(i + 1).IndexOfAny('{', '}') is var end && end >= 0 && template[i + 1 + end] == '}')
            {
                texts.Add(text.ToString());
                text.Clear();
                names.Add(template.Substring(i + 1, end));
                i += end + 2;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        texts.Add(text.ToString());
        return new MessageTemplate([.. texts], [.. names]);
    }
}
