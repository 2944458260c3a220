using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Definitions;

/// <summary>
/// Writes definitions as rule files: a rule built in C# becomes the YAML document a rule author would write, which
/// the loader reads like any other (one path from definition to compiled rule, with the same checks and messages).
/// </summary>
public static class DefinitionYaml
{
    // JSON string syntax is valid in YAML's double-quoted style; non-ASCII text stays readable.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The rule's <c>kind: rule</c> document. Values are written as given; the loader judges them.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    public static string Write(RuleDefinition rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var y = new StringBuilder();
        y.Append("kind: rule\n");
        Key(y, "id", Quote(rule.Id));
        Key(y, "version", rule.Version.ToString(CultureInfo.InvariantCulture));
        if (rule.IntroducedIn is { } introduced)
        {
            Key(y, "introducedIn", Quote(introduced));
        }

        Key(y, "status", WireNames.RuleStatus.Name(rule.Status));
        if (rule.ReplacedBy is { } replacedBy)
        {
            Key(y, "replacedBy", Quote(replacedBy));
        }

        Key(y, "title", Text(rule.Title));
        Key(y, "message", Text(rule.Message));
        if (rule.Description is { } description)
        {
            Key(y, "description", Text(description));
        }

        Key(y, "category", Quote(rule.Category));
        Key(y, "severity", rule.Severity.ToName());
        if (!rule.Enabled)
        {
            Key(y, "enabled", "false");
        }

        if (rule.HelpUri is { } help)
        {
            Key(y, "helpUri", Quote(help));
        }

        List(y, "tags", rule.Tags);
        List(y, "references", rule.References);
        List(y, "caveats", rule.Caveats);
        List(y, "models", rule.Models);
        if (rule.Parameters.Count > 0)
        {
            Key(y, "parameters", Map(rule.Parameters.Select(p => (p.Key, p.Value.ToString(CultureInfo.InvariantCulture)))));
        }

        List(y, "suppresses", rule.Suppresses);
        if (rule.Record is { } record)
        {
            Key(y, "record", Quote(record));
        }

        if (rule.When is { } when)
        {
            Key(y, "when", Map(Conditions(when)));
        }

        if (rule.Match.Count > 0)
        {
            y.Append("match:\n");
            foreach (var item in rule.Match)
            {
                y.Append("  - ").Append(item.Pattern is { } pattern ? Pattern(pattern) : Clause(item.Columns!)).Append('\n');
            }
        }

        if (rule.Section is { } section)
        {
            Key(y, "section", Map([("start", Pattern(section.Start)), ("row", Pattern(section.Row)), ("count", Pattern(section.Count)),
                ("maxHeaderLines", section.MaxHeaderLines.ToString(CultureInfo.InvariantCulture))]));
        }

        if (rule.Count is { } count)
        {
            var entries = new List<(string, string)>();
            if (count.By is { } by)
            {
                entries.Add(("by", Quote(by)));
            }

            if (count.Threshold != 1)
            {
                entries.Add(("threshold", count.Threshold.ToString(CultureInfo.InvariantCulture)));
            }

            if (count.Window is { } window)
            {
                entries.Add(("window", Quote(Window(window))));
            }

            if (entries.Count > 0)
            {
                Key(y, "count", Map(entries));
            }

            if (count.RecursAfterRestart)
            {
                Key(y, "recurs", "after-restart");
            }
        }

        return y.ToString();
    }

    private static IEnumerable<(string, string)> Conditions(DeviceConditionDefinition when)
    {
        if (when.ModelKnown is { } known)
        {
            yield return ("modelKnown", known ? "true" : "false");
        }

        if (when.Status is { } status)
        {
            yield return ("status", WireNames.ModelStatus.Name(status));
        }

        if (when.Note is { } note)
        {
            yield return ("note", Quote(note));
        }

        if (when.FixAvailable is { } fix)
        {
            yield return ("fix", WireNames.FixName(fix));
        }

        if (when.Version is { } version)
        {
            yield return ("version", version.Name());
        }

        if (when.Patch is { } patch)
        {
            yield return ("patch", patch.Name());
        }
    }

    private static string Pattern(PatternDefinition pattern) =>
        Map(pattern.IgnoreCase
            ? [(pattern.Syntax == PatternSyntax.Literal ? "literal" : "regex", Quote(pattern.Text)), ("ignoreCase", "true")]
            : [(pattern.Syntax == PatternSyntax.Literal ? "literal" : "regex", Quote(pattern.Text))]);

    private static string Clause(ColumnClauseDefinition clause)
    {
        var entries = new List<(string, string)> { ("columns", Quote(clause.ColumnSet)), ("where", Map(clause.Where.Select(w => (w.Column, Pattern(w.Pattern))))) };
        if (clause.Capture.Count > 0)
        {
            entries.Add(("capture", Map(clause.Capture.Select(c => (c.Name, Quote(c.Column))))));
        }

        if (clause.Absent.Count > 0)
        {
            entries.Add(("absent", Flow(clause.Absent)));
        }

        return Map(entries);
    }

    // The loader's form: a whole number with the largest unit that divides it. Anything else is written as .NET
    // prints it, and the loader says what 'window' takes.
    private static string Window(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerSecond != 0 ? window.ToString("c", CultureInfo.InvariantCulture)
        : window.Ticks % TimeSpan.TicksPerDay == 0 ? $"{window.Ticks / TimeSpan.TicksPerDay}d"
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? $"{window.Ticks / TimeSpan.TicksPerHour}h"
        : window.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{window.Ticks / TimeSpan.TicksPerMinute}m"
        : $"{window.Ticks / TimeSpan.TicksPerSecond}s";

    private static string Text(LocalizedText text) =>
        text.Languages.SequenceEqual(["en"]) ? Quote(text.English) : Map(text.ByLanguage.Select(e => (e.Key, Quote(e.Value))));

    private static void Key(StringBuilder y, string key, string value) => y.Append(key).Append(": ").Append(value).Append('\n');

    private static void List(StringBuilder y, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            Key(y, key, Flow(values));
        }
    }

    private static string Flow(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    private static string Map(IEnumerable<(string Key, string Value)> entries) =>
        "{" + string.Join(", ", entries.Select(e => Quote(e.Key) + ": " + e.Value)) + "}";

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text ?? "", Encoder).Value + "\"";
}
