using System.Text;
using System.Text.RegularExpressions;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Loading;

/// <summary>
/// Remediation that knows what was done: <c>commandEcho</c> says how a command typed at the device shows in a capture,
/// <c>doneBy</c>/<c>undoneBy</c> which commands carry a step out or undo it.
/// </summary>
internal sealed partial class PackLoader
{
    /// <summary>Commands longer than this are not compared (a prompt line is short; this bounds the work per line).</summary>
    internal const int MaxCommandChars = 1000;

    private CommandEchoSpec? _commandEcho;
    private LocalizedText? _doneNote;
    private bool _commandEchoIgnoreCase;

    private CommandEchoSpec? ReadCommandEcho(YNode node)
    {
        if (MapReader.Of(node, _problems, "'commandEcho'") is not { } e)
        {
            return null;
        }

        var prompts = new List<Pattern>();
        var promptNodes = e.List("prompts");
        foreach (var item in promptNodes)
        {
            if (ReadPattern(item) is { } prompt)
            {
                prompts.Add(prompt);
                SlowPathWarning(item, "commandEcho", prompt); // prompts join the prefilter as rule patterns do
            }
        }

        if (promptNodes.Count == 0 && e.Get("prompts") is null)
        {
            e.Error(node, "'commandEcho' is missing the required key 'prompts'");
        }
        else if (promptNodes.Count == 0)
        {
            e.Error(e.Get("prompts")!, "'prompts' must list at least one pattern");
        }

        var confirmation = PatternOf(e, "confirmation", required: false);
        if (confirmation is not null)
        {
            SlowPathWarning(e.Get("confirmation")!, "commandEcho", confirmation);
        }
        var within = e.Int("confirmationWithin", 1, 50) ?? 3;
        _commandEchoIgnoreCase = e.Bool("ignoreCase") ?? false;
        e.Finish();
        return new CommandEchoSpec { Prompts = prompts.ToArray(), Confirmation = confirmation, ConfirmationWithin = within };
    }

    /// <summary>
    /// Reads a list of commands as written: text with <c>{fact}</c> placeholders, each one word of that fact's shape.
    /// Only facts may be placeholders: a command typed by the customer is compared with what any value of them looks like.
    /// </summary>
    private List<CommandForm> CommandForms(MapReader step, string key, IReadOnlyList<FactSpec> facts)
    {
        var forms = new List<CommandForm>();
        foreach (var item in step.List(key))
        {
            if (item is not YScalar { IsNull: false } scalar || scalar.Value.Trim().Length == 0)
            {
                step.Error(item, $"items of '{key}' must be commands (text that is not empty), not a {item.KindName}");
                continue;
            }

            var template = scalar.Value.Trim();
            if (template.Length > MaxCommandChars)
            {
                step.Error(item, $"a command of '{key}' has {template.Length} characters; at most {MaxCommandChars}");
                continue;
            }

            CheckDisplayText(item, key, null, template);
            var pattern = new StringBuilder(@"\A");
            var placeholders = new List<FactSpec>();
            var words = new List<string>();
            var ok = true;
            var at = 0;
            foreach (Match m in Placeholder().Matches(template))
            {
                pattern.Append(Words(template[at..m.Index]));
                AsciiWords(template[at..m.Index], words);
                at = m.Index + m.Length;
                if (m.Value is "{{" or "}}")
                {
                    pattern.Append(Regex.Escape(m.Value[..1]));
                    continue;
                }

                var name = m.Groups["name"].Value;
                if (facts.FirstOrDefault(f => f.Name == name) is not { } fact)
                {
                    step.Error(item, $"the command '{Shorten(template)}' of '{key}' uses '{{{Shorten(name)}}}', but only facts can stand in a command typed at the device (facts: {(facts.Count == 0 ? "none" : string.Join(", ", facts.Select(f => f.Name)))})");
                    ok = false;
                    continue;
                }

                pattern.Append(PlaceholderGroup(placeholders.Count));
                placeholders.Add(fact);
            }

            pattern.Append(Words(template[at..])).Append(@"\s*\z");
            AsciiWords(template[at..], words);
            if (ok)
            {
                // The words come from the pack and the placeholders are \S+: linear time on any input.
                var options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking
                    | (_commandEchoIgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
                forms.Add(new CommandForm { Template = template, Pattern = pattern.ToString(), Options = options, Placeholders = placeholders, Words = words });
            }
        }

        return forms;
    }

    /// <summary>The words of literal command text that are ASCII (a command matches only if it holds each of them).</summary>
    private static void AsciiWords(string text, List<string> words)
    {
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            // Only words the regex takes literally: Words() splits at regex white space, which char.IsWhiteSpace agrees with on ASCII.
            if (System.Text.Ascii.IsValid(word) && !word.Any(c => c < ' ' || c == 0x7F))
            {
                words.Add(word);
            }
        }
    }

    /// <summary>A placeholder: one word, checked against the fact's shape after the match.</summary>
    private static string PlaceholderGroup(int index) => $"(?<v{index}>\\S+)";

    /// <summary>Literal text of a command: each run of white space matches any run of white space.</summary>
    private static string Words(string text)
    {
        var result = new StringBuilder();
        foreach (var part in Regex.Split(text, @"(\s+)"))
        {
            result.Append(part.Length > 0 && char.IsWhiteSpace(part[0]) ? @"\s+" : Regex.Escape(part));
        }

        return result.ToString();
    }
}
