using System.Text.Encodings.Web;
using System.Text.Json;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>
/// Writes reports and catalogues as JSON, the contract for tools. Field names are stable: new fields may be
/// added, existing ones are not renamed.
/// </summary>
public static class JsonReportWriter
{
    internal static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep Japanese text readable; output is not HTML
    };

    /// <summary>Writes one report as a JSON object.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="report"/> is null.</exception>
    public static void Write(Stream output, AnalysisReport report, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        using var json = new Utf8JsonWriter(output, Options with { Indented = indented });
        Write(json, report);
    }

    /// <summary>
    /// Writes the reports of one device evaluated against several packs (one report per pack). With one report this is
    /// <see cref="Write(Stream, AnalysisReport, bool)"/>; with more, an object with <c>packs</c> (each pack's id, version
    /// and SHA-256) and <c>reports</c> (each report as one report is written).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/>, <paramref name="reports"/> or a report is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="reports"/> is empty.</exception>
    public static void Write(Stream output, IReadOnlyList<AnalysisReport> reports, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            throw new ArgumentException("no report to write", nameof(reports));
        }

        foreach (var report in reports)
        {
            ArgumentNullException.ThrowIfNull(report, nameof(reports));
        }

        if (reports.Count == 1)
        {
            Write(output, reports[0], indented);
            return;
        }

        using var json = new Utf8JsonWriter(output, Options with { Indented = indented });
        json.WriteStartObject();
        json.WriteStartArray("packs");
        foreach (var report in reports)
        {
            WritePackFields(json, report.Pack);
        }

        json.WriteEndArray();
        json.WriteStartArray("reports");
        foreach (var report in reports)
        {
            Write(json, report);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes one report as a JSON object into an existing writer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> or <paramref name="report"/> is null.</exception>
    public static void Write(Utf8JsonWriter json, AnalysisReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
        json.WriteStartObject();
        WritePack(json, report.Pack);

        json.WriteStartObject("device");
        WriteOptional(json, "modelInput", report.Device.ModelInput);
        WriteOptional(json, "modelSource", report.Device.ModelSource);
        WriteOptional(json, "model", report.Device.Model?.Name);
        if (report.Device.Model is { } model)
        {
            json.WriteString("status", model.Status.Name());
            json.WriteString("fixedIn", model.FixText);
            json.WriteBoolean("workaroundApplies", model.WorkaroundApplies);
        }

        WriteOptional(json, "firmware", report.Device.Firmware?.ToString());
        WriteOptional(json, "firmwareSource", report.Device.FirmwareSource);
        json.WriteEndObject();

        json.WriteString("verdict", report.Verdict.Word);
        json.WriteString("summary", report.Verdict.Text);
        WriteOptional(json, "verdictNote", report.Verdict.Note);
        WriteOptional(json, "maxSeverity", report.MaxSeverity?.ToName());

        json.WriteStartArray("diagnostics");
        foreach (var d in report.Diagnostics)
        {
            WriteDiagnostic(json, d);
        }

        json.WriteEndArray();

        WriteRemediation(json, report.Remediation);

        json.WriteStartArray("sources");
        foreach (var (name, lines) in report.SourcesRead)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteNumber("lines", lines);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteFacts(json, report.Facts);
        json.WriteEndObject();
    }

    /// <summary>One diagnostic as the report's <c>diagnostics</c> array holds it (also each finding of <c>--follow</c>'s JSON lines).</summary>
    internal static void WriteDiagnostic(Utf8JsonWriter json, Diagnostic d)
    {
        json.WriteStartObject();
        json.WriteString("id", d.Id);
        json.WriteString("pack", d.PackId);
        json.WriteString("severity", d.Severity.ToName());
        json.WriteString("title", d.Descriptor.Title.English);
        json.WriteString("category", d.Descriptor.Category);
        json.WriteString("message", d.Message);
        WriteOptional(json, "source", d.Source);
        if (d.Line is { } line)
        {
            json.WriteNumber("line", line);
        }

        if (d.Column is { } column)
        {
            json.WriteNumber("column", column);
        }

        json.WriteNumber("count", d.Count);
        WriteOptional(json, "lineText", d.LineText);
        json.WriteString("helpUri", d.Descriptor.HelpUri);
        json.WriteStartObject("properties");
        foreach (var (key, values) in d.Properties)
        {
            json.WriteStartArray(key);
            foreach (var value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        if (d.ValuesTruncated)
        {
            json.WriteBoolean("valuesTruncated", true);
        }

        WriteStrings(json, "caveats", d.Caveats);
        if (d.Keys.Count > 0)
        {
            json.WriteStartArray("keys");
            foreach (var key in d.Keys)
            {
                json.WriteStartObject();
                json.WriteString("value", key.Value);
                json.WriteNumber("count", key.Count);
                json.WriteNumber("firstLine", key.FirstLine);
                WriteOptional(json, "firstSeen", key.FirstSeen);
                WriteOptional(json, "lastSeen", key.LastSeen);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (d.KeysTruncated)
            {
                json.WriteBoolean("keysTruncated", true);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the pack's catalogue: identity, advisory, model matrix and every rule.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="pack"/> is null.</exception>
    public static void WriteCatalogue(Stream output, RulePack pack, System.Globalization.CultureInfo? culture = null, Func<RuleDescriptor, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pack);
        using var json = new Utf8JsonWriter(output, Options);
        json.WriteStartObject();
        WritePack(json, pack.Identity);
        json.WriteStartObject("advisory");
        json.WriteString("title", pack.Advisory.Title.Get(culture));
        json.WriteString("publisher", pack.Advisory.Publisher);
        json.WriteString("firstEdition", pack.Advisory.FirstEdition.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        WriteOptional(json, "revised", pack.Advisory.Revised?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndObject();

        json.WriteStartArray("models");
        foreach (var m in pack.Models.Models)
        {
            json.WriteStartObject();
            json.WriteString("name", m.Name);
            json.WriteString("status", m.Status.Name());
            json.WriteString("note", m.Note.Get(culture));
            json.WriteBoolean("workaroundApplies", m.WorkaroundApplies);
            json.WriteString("fixedIn", m.FixText);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("rules");
        foreach (var r in pack.Rules.Where(include ?? (_ => true)))
        {
            WriteRule(json, pack, r, culture);
        }

        json.WriteEndArray();

        json.WriteStartArray("remediation");
        foreach (var step in pack.Definition.Remediation)
        {
            json.WriteStartObject();
            json.WriteString("id", step.Id);
            WriteOptional(json, "command", step.Command);
            json.WriteString("text", step.Text.Get(culture));
            WriteOptional(json, "detail", step.Detail?.Get(culture));
            WriteOptional(json, "hintIfMissing", step.HintIfMissing?.Get(culture));
            json.WriteStartObject("when");
            if (step.Rules.Count > 0)
            {
                WriteStrings(json, "rules", step.Rules);
            }

            WriteOptional(json, "minSeverity", step.MinSeverity?.ToName());
            if (step.WorkaroundModel)
            {
                json.WriteBoolean("workaroundModel", true);
            }

            json.WriteEndObject();
            if (step.DoneBy.Count > 0)
            {
                WriteStrings(json, "doneBy", step.DoneBy);
            }

            if (step.UndoneBy.Count > 0)
            {
                WriteStrings(json, "undoneBy", step.UndoneBy);
            }

            if (step.DoneBy.Count > 0 && !step.NeedsConfirmation)
            {
                json.WriteBoolean("needsConfirmation", false);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One rule of the catalogue: everything that makes up its meaning, in one language.</summary>
    internal static void WriteRule(Utf8JsonWriter json, RulePack pack, RuleDescriptor r, System.Globalization.CultureInfo? culture)
    {
        json.WriteStartObject();
        json.WriteString("id", r.Id);
        json.WriteString("title", r.Title.Get(culture));
        json.WriteString("category", r.Category);
        json.WriteString("defaultSeverity", r.DefaultSeverity.ToName());
        json.WriteBoolean("enabled", r.IsEnabledByDefault);
        json.WriteString("status", r.Status.Name());
        WriteOptional(json, "replacedBy", r.ReplacedBy);
        json.WriteNumber("version", r.Version);
        json.WriteString("introducedIn", r.IntroducedIn);
        json.WriteString("kind", r.Kind.Name());
        json.WriteString("message", r.MessageFormat.Get(culture));
        json.WriteString("helpUri", r.HelpUri);
        WriteStrings(json, "models", r.Models);
        json.WriteStartObject("parameters");
        foreach (var (key, value) in r.Parameters)
        {
            json.WriteNumber(key, value);
        }

        json.WriteEndObject();
        WriteStrings(json, "suppresses", r.Suppresses);
        if (pack.Definition.FindRule(r.Id) is { } definition)
        {
            WriteMatching(json, pack.Definition, definition);
        }
        else if (pack.CodeRuleOf(r.Id) is { } code)
        {
            WriteMatching(json, code);
        }

        WriteStrings(json, "caveats", r.Caveats.Select(c => c.Get(culture)));
        json.WriteString("description", r.Description.Get(culture));
        json.WriteEndObject();
    }

    /// <summary>How a rule matches: its device conditions, patterns, section and record, as written in the pack.</summary>
    private static void WriteMatching(Utf8JsonWriter json, PackDefinition pack, RuleDefinition rule)
    {
        if (rule.When is { } when)
        {
            json.WriteStartObject("when");
            if (when.ModelKnown is { } known)
            {
                json.WriteBoolean("modelKnown", known);
            }

            WriteOptional(json, "status", when.Status?.Name());
            WriteOptional(json, "note", when.Note);
            WriteOptional(json, "fix", when.FixAvailable is { } fix ? WireNames.FixName(fix) : null);
            WriteOptional(json, "firmware", when.Version?.Name());
            WriteOptional(json, "patch", when.Patch?.Name());
            json.WriteEndObject();
        }

        if (rule.Match.Count > 0)
        {
            json.WriteStartArray("match");
            foreach (var item in rule.Match)
            {
                if (item.Pattern is { } pattern)
                {
                    WritePattern(json, null, pattern);
                    continue;
                }

                var clause = item.Columns!;
                json.WriteStartObject();
                json.WriteString("columns", clause.ColumnSet);
                json.WriteStartObject("where");
                foreach (var where in clause.Where)
                {
                    WritePattern(json, where.Column, where.Pattern);
                }

                json.WriteEndObject();
                if (clause.Capture.Count > 0)
                {
                    json.WriteStartObject("capture");
                    foreach (var capture in clause.Capture)
                    {
                        json.WriteString(capture.Name, capture.Column);
                    }

                    json.WriteEndObject();
                }

                if (clause.Absent.Count > 0)
                {
                    WriteStrings(json, "absent", clause.Absent);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (rule.Section is { } section)
        {
            json.WriteStartObject("section");
            WritePattern(json, "start", section.Start);
            WritePattern(json, "row", section.Row);
            WritePattern(json, "count", section.Count);
            json.WriteNumber("maxHeaderLines", section.MaxHeaderLines);
            json.WriteEndObject();
        }

        if (rule.Record is { } name && pack.Records.FirstOrDefault(r => r.Name == name) is { } record)
        {
            json.WriteStartObject("record");
            json.WriteString("name", record.Name);
            WritePattern(json, "start", record.Start);
            json.WriteNumber("maxLines", record.MaxLines);
            json.WriteEndObject();
        }
    }

    /// <summary>A rule written in C# matches through its code; the catalogue shows the literals it asks the prefilter for.</summary>
    private static void WriteMatching(Utf8JsonWriter json, CodeRule rule)
    {
        if (rule.RequiredLiterals is { Count: > 0 } literals)
        {
            json.WriteStartArray("match");
            foreach (var literal in literals)
            {
                WritePattern(json, null, PatternDefinition.Literal(literal));
            }

            json.WriteEndArray();
        }
    }

    private static void WritePattern(Utf8JsonWriter json, string? name, PatternDefinition pattern)
    {
        if (name is null)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartObject(name);
        }

        var regex = pattern.Syntax == PatternSyntax.Regex;
        json.WriteString(regex ? "regex" : "literal", pattern.Text);
        if (pattern.IgnoreCase)
        {
            json.WriteBoolean("ignoreCase", true);
        }

        // What the compilation derives from the text: the literal every match holds (the prefilter's first check).
        WriteOptional(json, "requiredLiteral", regex ? Matching.RequiredLiteralExtractor.Extract(pattern.Text, pattern.IgnoreCase) : null);
        json.WriteEndObject();
    }

    private static void WritePackFields(Utf8JsonWriter json, PackIdentity pack)
    {
        json.WriteStartObject();
        json.WriteString("id", pack.Id);
        json.WriteString("version", pack.Version);
        json.WriteString("sha256", pack.Sha256);
        json.WriteEndObject();
    }

    private static void WritePack(Utf8JsonWriter json, PackIdentity pack)
    {
        json.WriteStartObject("pack");
        json.WriteString("id", pack.Id);
        json.WriteString("version", pack.Version);
        json.WriteString("sha256", pack.Sha256);
        json.WriteEndObject();
    }

    /// <summary>The ordered remediation steps, as every JSON-based output writes them.</summary>
    internal static void WriteRemediation(Utf8JsonWriter json, IReadOnlyList<RemediationStep> steps)
    {
        json.WriteStartArray("remediation");
        foreach (var step in steps)
        {
            json.WriteStartObject();
            json.WriteNumber("order", step.Order);
            json.WriteString("id", step.Id);
            WriteOptional(json, "command", step.Command);
            json.WriteString("text", step.Text);
            WriteOptional(json, "detail", step.Detail);
            WriteOptional(json, "hint", step.Hint);
            WriteStrings(json, "rules", step.Rules);
            if (step.AppliesTo.Count > 0)
            {
                WriteStrings(json, "appliesTo", step.AppliesTo);
            }

            json.WriteString("status", StatusName(step.Status));
            if (step.StatusSource is not null)
            {
                json.WriteStartObject("statusLocation");
                json.WriteString("source", step.StatusSource);
                if (step.StatusLine is { } line)
                {
                    json.WriteNumber("line", line);
                }

                json.WriteEndObject();
            }

            WriteOptional(json, "statusReason", step.StatusReason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A step status as files write it: <c>open</c>, <c>done</c>, <c>undone</c>.</summary>
    internal static string StatusName(RemediationStepStatus status) => status.Name();

    /// <summary>Facts read from the evidence, by name.</summary>
    internal static void WriteFacts(Utf8JsonWriter json, IReadOnlyDictionary<string, string> facts)
    {
        json.WriteStartObject("facts");
        foreach (var (key, value) in facts)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    internal static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    internal static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
