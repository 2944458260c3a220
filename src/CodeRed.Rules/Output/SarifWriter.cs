using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Output;

/// <summary>
/// Writes a report as SARIF 2.1.0, as Roslyn's <c>/errorlog</c> does for compiler diagnostics: one run whose tool
/// driver lists every rule of the pack, one result per diagnostic, the severity settings as configuration overrides,
/// and the pack, verdict and remediation in the run's property bag.
/// </summary>
public static partial class SarifWriter
{
    /// <summary>The schema address written in <c>$schema</c>.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The tool name in <c>tool.driver.name</c>.</summary>
    public const string ToolName = "codered";

    /// <summary>The tag every rule carries besides its category.</summary>
    public const string Tag = "code-red";

    /// <summary>
    /// Writes one report as a SARIF log. <paramref name="severity"/> is the configuration the report was evaluated
    /// with: each setting becomes a rule configuration override of the invocation (category and "all" settings are
    /// expanded to the rules they reach). <paramref name="toolVersion"/> defaults to this library's version.
    /// </summary>
    public static void Write(Stream output, AnalysisReport report, RulePack pack, SeverityConfiguration? severity = null, string? toolVersion = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(pack);
        using var json = new Utf8JsonWriter(output, JsonReportWriter.Options);
        Write(json, report, pack, severity, toolVersion ?? LibraryVersion());
    }

    private static void Write(Utf8JsonWriter json, AnalysisReport report, RulePack pack, SeverityConfiguration? severity, string toolVersion)
    {
        // The rules: every rule of the pack, then any other rule a diagnostic came from (the engine's CR0001).
        var rules = pack.Rules.ToList();
        foreach (var d in report.Diagnostics)
        {
            if (!rules.Contains(d.Descriptor))
            {
                rules.Add(d.Descriptor);
            }
        }

        var ruleIndex = new Dictionary<RuleDescriptor, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            ruleIndex[rules[i]] = i;
        }

        var artifactIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, _) in report.Sources)
        {
            artifactIndex.TryAdd(name, artifactIndex.Count);
        }

        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", ToolName);
        json.WriteString("version", toolVersion);
        if (SemanticVersion().IsMatch(toolVersion))
        {
            json.WriteString("semanticVersion", toolVersion);
        }

        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(json, rule);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", true);
        var overrides = Overrides(rules, severity);
        if (overrides.Count > 0)
        {
            json.WriteStartArray("ruleConfigurationOverrides");
            foreach (var (rule, level) in overrides)
            {
                json.WriteStartObject();
                json.WriteStartObject("descriptor");
                json.WriteString("id", rule.Id);
                json.WriteNumber("index", ruleIndex[rule]);
                json.WriteEndObject();
                json.WriteStartObject("configuration");
                if (level is { } value)
                {
                    json.WriteString("level", Level(value));
                    json.WriteBoolean("enabled", true);
                }
                else
                {
                    json.WriteBoolean("enabled", false);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteString("columnKind", "utf16CodeUnits");

        json.WriteStartArray("artifacts");
        foreach (var (name, lines) in report.Sources.DistinctBy(s => s.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteStartObject("location");
            json.WriteString("uri", ArtifactUri(name));
            json.WriteEndObject();
            json.WriteStartObject("properties");
            json.WriteString("name", name);
            json.WriteNumber("lines", lines);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("results");
        foreach (var d in report.Diagnostics)
        {
            WriteResult(json, report, d, ruleIndex[d.Descriptor], artifactIndex);
        }

        json.WriteEndArray();

        WriteRunProperties(json, report);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter json, RuleDescriptor rule)
    {
        json.WriteStartObject();
        json.WriteString("id", rule.Id);
        json.WriteString("name", PascalCase(rule.Title.English, rule.Id));
        json.WriteStartObject("shortDescription");
        json.WriteString("text", rule.Title.English.Length > 0 ? rule.Title.English : rule.Id);
        json.WriteEndObject();
        if (rule.Description.English.Length > 0)
        {
            json.WriteStartObject("fullDescription");
            json.WriteString("text", rule.Description.English);
            json.WriteEndObject();
        }

        // SARIF's helpUri has format "uri", which must be absolute; a relative help link goes in the property bag.
        var absoluteHelp = IsAbsoluteUri(rule.HelpUri);
        if (absoluteHelp)
        {
            json.WriteString("helpUri", rule.HelpUri);
        }

        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(rule.DefaultSeverity));
        json.WriteBoolean("enabled", rule.IsEnabledByDefault);
        json.WriteEndObject();

        json.WriteStartObject("properties");
        json.WriteString("category", rule.Category);
        json.WriteStartArray("tags");
        json.WriteStringValue(rule.Category);
        if (!string.Equals(rule.Category, Tag, StringComparison.Ordinal))
        {
            json.WriteStringValue(Tag);
        }

        json.WriteEndArray();
        if (!absoluteHelp && rule.HelpUri.Length > 0)
        {
            json.WriteString("helpPath", rule.HelpUri);
        }

        json.WriteString("status", rule.Status.ToString().ToLowerInvariant());
        json.WriteNumber("ruleVersion", rule.Version);
        if (rule.ReplacedBy is { } replacement)
        {
            json.WriteString("replacedBy", replacement);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, AnalysisReport report, Diagnostic d, int ruleIndex, Dictionary<string, int> artifacts)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", d.Id);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(d.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", d.Message.Length > 0 ? d.Message : d.Descriptor.Title.English);
        json.WriteEndObject();

        var located = d.Source is not null && d.Line is >= 1;
        if (located)
        {
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", ArtifactUri(d.Source!));
            if (artifacts.TryGetValue(d.Source!, out var index))
            {
                json.WriteNumber("index", index);
            }

            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", d.Line!.Value);
            if (d.Column is { } column && column >= 1)
            {
                json.WriteNumber("startColumn", column);
            }

            if (!string.IsNullOrEmpty(d.LineText))
            {
                json.WriteStartObject("snippet");
                json.WriteString("text", d.LineText);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("properties");
        json.WriteNumber("count", d.Count);
        json.WriteString("category", d.Descriptor.Category);
        if (d.Properties.Count > 0)
        {
            json.WriteStartObject("values");
            foreach (var (key, values) in d.Properties)
            {
                JsonReportWriter.WriteStrings(json, key, values);
            }

            json.WriteEndObject();
        }

        if (d.ValuesTruncated)
        {
            json.WriteBoolean("valuesTruncated", true);
        }

        if (d.Caveats.Count > 0)
        {
            JsonReportWriter.WriteStrings(json, "caveats", d.Caveats);
        }

        if (!located)
        {
            // Model and firmware findings are about the device, not a place in a file.
            WriteDevice(json, "device", report.Device);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteRunProperties(Utf8JsonWriter json, AnalysisReport report)
    {
        json.WriteStartObject("properties");
        json.WriteStartObject("pack");
        json.WriteString("id", report.Pack.Id);
        json.WriteString("version", report.Pack.Version);
        json.WriteString("sha256", report.Pack.Sha256);
        json.WriteEndObject();
        WriteDevice(json, "device", report.Device);
        json.WriteString("verdict", report.Verdict.Word);
        json.WriteString("summary", report.Verdict.Text);
        if (report.MaxSeverity is { } max)
        {
            json.WriteString("maxSeverity", max.ToName());
        }

        JsonReportWriter.WriteRemediation(json, report.Remediation);
        JsonReportWriter.WriteFacts(json, report.Facts);
        json.WriteEndObject();
    }

    private static void WriteDevice(Utf8JsonWriter json, string name, DeviceSummary device)
    {
        json.WriteStartObject(name);
        JsonReportWriter.WriteOptional(json, "modelInput", device.ModelInput);
        JsonReportWriter.WriteOptional(json, "model", device.Model?.Name);
        if (device.Model is { } model)
        {
            json.WriteString("status", model.Status == ModelStatus.Affected ? "affected" : "not-affected");
            json.WriteString("fixedIn", model.FixedIn?.ToString() ?? "pending");
            json.WriteBoolean("workaroundApplies", model.WorkaroundApplies);
        }

        JsonReportWriter.WriteOptional(json, "firmware", device.Firmware?.ToString());
        JsonReportWriter.WriteOptional(json, "firmwareSource", device.FirmwareSource);
        json.WriteEndObject();
    }

    /// <summary>Every rule a setting reaches, with its configured severity (null: off), in rule order.</summary>
    internal static List<(RuleDescriptor Rule, DiagnosticSeverity? Level)> Overrides(IEnumerable<RuleDescriptor> rules, SeverityConfiguration? severity)
    {
        var result = new List<(RuleDescriptor, DiagnosticSeverity?)>();
        if (severity is null)
        {
            return result;
        }

        foreach (var rule in rules)
        {
            if (severity.Rules.ContainsKey(rule.Id) || severity.Categories.ContainsKey(rule.Category) || severity.All.IsSet)
            {
                result.Add((rule, severity.Resolve(rule)));
            }
        }

        return result;
    }

    /// <summary>SARIF's level for a severity: error, warning, note (info), none (hidden).</summary>
    public static string Level(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "note",
        _ => "none",
    };

    /// <summary>
    /// The artifact URI of an evidence source: standard input (<c>-</c>) is <c>stdin</c>; a rooted path becomes a
    /// <c>file:</c> URI; any other name a relative URI reference with <c>/</c> separators and each segment escaped
    /// (a space is <c>%20</c>).
    /// </summary>
    public static string ArtifactUri(string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (sourceName == "-")
        {
            return "stdin";
        }

        if (Path.IsPathFullyQualified(sourceName))
        {
            return new Uri(Path.GetFullPath(sourceName)).AbsoluteUri;
        }

        var path = Path.DirectorySeparatorChar == '/' ? sourceName : sourceName.Replace(Path.DirectorySeparatorChar, '/');
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    private static bool IsAbsoluteUri(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && !uri.IsFile && !text.StartsWith('/');

    /// <summary>A rule name from its title: each word capitalized, everything but letters and digits dropped.</summary>
    internal static string PascalCase(string title, string fallback)
    {
        var name = new StringBuilder();
        foreach (var word in NonWord().Split(title))
        {
            if (word.Length > 0)
            {
                name.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
            }
        }

        return name.Length > 0 && char.IsLetter(name[0]) ? name.ToString() : fallback;
    }

    /// <summary>This library's version, without build metadata.</summary>
    internal static string LibraryVersion()
    {
        var informational = typeof(SarifWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational?.Split('+')[0];
        return string.IsNullOrEmpty(version)
            ? typeof(SarifWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"
            : version;
    }

    [GeneratedRegex(@"[^\p{L}\p{Nd}]+")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex SemanticVersion();
}
