using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Definitions;

/// <summary>One file of a pack written from its definition.</summary>
/// <param name="Path">The path below the pack's folder, such as <c>CR2001/CR2001.yaml</c>.</param>
/// <param name="Text">The YAML.</param>
public sealed record DefinitionFile(string Path, string Text);

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

    /// <summary>
    /// The pack's files: <c>pack.yaml</c> (the manifest), <c>models.yaml</c> (the model matrix, when it has rows),
    /// <c>remediation.yaml</c> (when it has steps) and one <c>ID/ID.yaml</c> per rule, as a rule author would lay them out.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="pack"/> is null.</exception>
    public static IReadOnlyList<DefinitionFile> WritePack(PackDefinition pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var files = new List<DefinitionFile> { new("pack.yaml", Manifest(pack)) };
        if (pack.Models.Count > 0 || pack.ModelNotes.Count > 0)
        {
            files.Add(new("models.yaml", ModelMatrix(pack)));
        }

        if (pack.Remediation.Count > 0 || pack.CommandEcho is not null || pack.DoneNote is not null)
        {
            files.Add(new("remediation.yaml", Remediation(pack)));
        }

        files.AddRange(pack.Rules.Select(r => new DefinitionFile($"{r.Id}/{r.Id}.yaml", Write(r))));
        return files;
    }

    private static string Manifest(PackDefinition pack)
    {
        var y = new StringBuilder("kind: pack\n");
        Key(y, "schemaVersion", Number(pack.SchemaVersion));
        Key(y, "id", Quote(pack.Identity.Id));
        Key(y, "version", Quote(pack.Identity.Version));
        Key(y, "title", Text(pack.Title));
        var a = pack.Advisory;
        Key(y, "publisher", Quote(a.Publisher));
        var advisory = new List<(string, string)>
        {
            ("title", Text(a.Title)), ("firstEdition", Quote(a.FirstEdition.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        };
        Optional(advisory, "revised", a.Revised?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Optional(advisory, "language", a.Language);
        if (a.Summary is { } summary)
        {
            advisory.Add(("summary", Text(summary)));
        }

        Optional(advisory, "publisherNamespace", a.PublisherNamespace);
        Optional(advisory, "tlp", a.Tlp);
        Optional(advisory, "canonicalUrl", a.CanonicalUrl);
        Key(y, "advisory", Map(advisory));
        Items(y, "references", pack.References.Select(r =>
        {
            var entries = new List<(string, string)> { ("title", Quote(r.Title)) };
            Optional(entries, "url", r.Url);
            return Map(entries);
        }));
        Items(y, "vulnerabilities", pack.Vulnerabilities.Select(Vulnerability));
        Key(y, "helpUri", Quote(pack.HelpUri));
        if (pack.Caveats.Count > 0)
        {
            Key(y, "caveats", Map(pack.Caveats.Select(c => (c.Name, Text(c.Text)))));
        }

        Items(y, "records", pack.Records.Select(r => Map([("name", Quote(r.Name)), ("start", Pattern(r.Start)), ("maxLines", Number(r.MaxLines))])));
        Items(y, "facts", pack.Facts.Select(f =>
        {
            var entries = new List<(string, string)> { ("name", Quote(f.Name)), ("pattern", Pattern(f.Pattern)), ("take", f.TakeLast ? "last" : "first") };
            Optional(entries, "provides", f.Provides);
            if (f.Shape is { } shape)
            {
                entries.Add(("shape", Pattern(shape)));
            }

            if (f.ShapeDescription is { } description)
            {
                entries.Add(("shapeDescription", Text(description)));
            }

            return Map(entries);
        }));
        Key(y, "verdicts", Map(pack.Verdicts.Select(v => (v.Level?.ToName() ?? "none", Map([("word", Quote(v.Word)), ("text", Text(v.Text))])))));
        Items(y, "columns", pack.ColumnSets.Select(c =>
        {
            var entries = new List<(string, string)> { ("id", Quote(c.Id)), ("header", Pattern(c.Header)) };
            if (c.Comment is { } comment)
            {
                entries.Add(("comment", Pattern(comment)));
            }

            Optional(entries, "separator", c.Separator?.ToString());
            return Map(entries);
        }));
        var terms = pack.Product.Terms;
        var termEntries = new List<(string, string)> { ("device", Text(terms.Device)), ("model", Text(terms.Model)), ("version", Text(terms.Version)), ("patch", Text(terms.Patch)) };
        if (terms.Commands is { } commands)
        {
            termEntries.Add(("commands", Text(commands)));
        }

        Key(y, "product", Map([("versionScheme", Quote(pack.Product.VersionScheme.Name)), ("terms", Map(termEntries))]));
        if (pack.Phrases.Count > 0)
        {
            Key(y, "phrases", Map(pack.Phrases.Select(p => (p.Key, Text(p.Text)))));
        }

        Items(y, "timestamps", pack.Timestamps.Select(t => Map([("name", Quote(t.Name)), ("pattern", Pattern(t.Pattern))])));
        if (pack.Calendar is { } calendar)
        {
            var entries = new List<(string, string)> { ("title", Text(calendar.Title)), ("source", Quote(calendar.Source)) };
            Optional(entries, "url", calendar.Url);
            entries.Add(("phases", "[" + string.Join(", ", calendar.Phases.Select(p => Map([("from", Number(p.FromDay)), ("to", Number(p.ToDay)), ("text", Text(p.Text))]))) + "]"));
            Key(y, "calendar", Map(entries));
        }

        return y.ToString();
    }

    private static string Vulnerability(VulnerabilityInfo v)
    {
        var entries = new List<(string, string)> { ("cve", Quote(v.Cve)), ("title", Text(v.Title)) };
        if (v.Notes is { } notes)
        {
            entries.Add(("notes", Text(notes)));
        }

        if (v.Flags.Count > 0)
        {
            entries.Add(("flags", "[" + string.Join(", ", v.Flags.Select(f => Map([("note", Quote(f.Note)), ("label", Quote(f.Label))]))) + "]"));
        }

        if (v.Cwe is { } cwe)
        {
            entries.Add(("cwe", Map([("id", Quote(cwe.Id)), ("name", Quote(cwe.Name))])));
        }

        if (v.CvssV2 is { } cvss)
        {
            // The loader takes the score as a plain number with one decimal.
            entries.Add(("cvssV2", Map([("vector", Quote(cvss.Vector)), ("baseScore", cvss.BaseScore.ToString("0.0", CultureInfo.InvariantCulture))])));
        }

        return Map(entries);
    }

    private static string ModelMatrix(PackDefinition pack)
    {
        var y = new StringBuilder("kind: models\n");
        if (pack.ModelNotes.Count > 0)
        {
            Key(y, "notes", Map(pack.ModelNotes.Select(n => (n.Name, Text(n.Text)))));
        }

        Items(y, "models", pack.Models.Select(m =>
        {
            var entries = new List<(string, string)>
            {
                ("name", Quote(m.Name)), ("status", WireNames.ModelStatus.Name(m.Status)), ("note", Quote(m.Note)), ("workaround", m.Workaround ? "true" : "false"),
            };
            if (m.FixPatch is { } patch)
            {
                var fix = new List<(string, string)> { ("patch", Quote(patch)) };
                if (m.FixPatchAliases.Count > 0)
                {
                    fix.Add(("aliases", Flow(m.FixPatchAliases)));
                }

                entries.Add(("fixedIn", Map(fix)));
            }
            else
            {
                entries.Add(("fixedIn", Quote(m.FixedIn ?? WireNames.FixName(false))));
            }

            if (m.VersionsFrom is not null || m.VersionsBefore is not null)
            {
                var range = new List<(string, string)>();
                Optional(range, "from", m.VersionsFrom);
                Optional(range, "before", m.VersionsBefore);
                entries.Add(("versions", Map(range)));
            }

            if (m.Aliases.Count > 0)
            {
                entries.Add(("aliases", Flow(m.Aliases)));
            }

            return Map(entries);
        }));
        return y.ToString();
    }

    private static string Remediation(PackDefinition pack)
    {
        var y = new StringBuilder("kind: remediation\n");
        if (pack.CommandEcho is { } echo)
        {
            var entries = new List<(string, string)> { ("prompts", "[" + string.Join(", ", echo.Prompts.Select(Pattern)) + "]") };
            if (echo.Confirmation is { } confirmation)
            {
                entries.Add(("confirmation", Pattern(confirmation)));
            }

            entries.Add(("confirmationWithin", Number(echo.ConfirmationWithin)));
            if (echo.IgnoreCase)
            {
                entries.Add(("ignoreCase", "true"));
            }

            Key(y, "commandEcho", Map(entries));
        }

        if (pack.DoneNote is { } doneNote)
        {
            Key(y, "doneNote", Text(doneNote));
        }

        Items(y, "steps", pack.Remediation.Select(s =>
        {
            var entries = new List<(string, string)> { ("id", Quote(s.Id)) };
            Optional(entries, "command", s.Command);
            entries.Add(("text", Text(s.Text)));
            if (s.Detail is { } detail)
            {
                entries.Add(("detail", Text(detail)));
            }

            if (s.HintIfMissing is { } hint)
            {
                entries.Add(("hintIfMissing", Text(hint)));
            }

            var when = new List<(string, string)>();
            if (s.Rules.Count > 0)
            {
                when.Add(("rules", Flow(s.Rules)));
            }

            if (s.MinSeverity is { } min)
            {
                when.Add(("minSeverity", min.ToName()));
            }

            if (s.WorkaroundModel)
            {
                when.Add(("workaroundModel", "true"));
            }

            entries.Add(("when", Map(when)));
            if (s.DoneBy.Count > 0)
            {
                entries.Add(("doneBy", Flow(s.DoneBy)));
            }

            if (s.UndoneBy.Count > 0)
            {
                entries.Add(("undoneBy", Flow(s.UndoneBy)));
            }

            if (!s.NeedsConfirmation)
            {
                entries.Add(("needsConfirmation", "false"));
            }

            return Map(entries);
        }));
        return y.ToString();
    }

    private static void Optional(List<(string, string)> entries, string key, string? value)
    {
        if (value is not null)
        {
            entries.Add((key, Quote(value)));
        }
    }

    private static void Items(StringBuilder y, string key, IEnumerable<string> items)
    {
        var first = true;
        foreach (var item in items)
        {
            if (first)
            {
                y.Append(key).Append(":\n");
                first = false;
            }

            y.Append("  - ").Append(item).Append('\n');
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

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
