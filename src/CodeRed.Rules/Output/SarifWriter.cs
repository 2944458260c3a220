using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Tooling;

namespace CodeRed.Rules.Output;

/// <summary>How <see cref="SarifWriter"/> writes a log.</summary>
public sealed class SarifOptions
{
    /// <summary>
    /// The severity configuration the reports were evaluated with: each setting becomes a rule configuration override
    /// of the invocation (category and "all" settings are expanded to the rules they reach).
    /// </summary>
    public SeverityConfiguration? Severity { get; init; }

    /// <summary>The tool version written in <c>tool.driver.version</c>; by default this library's version.</summary>
    public string? ToolVersion { get; init; }

    /// <summary>
    /// The command line of the run, written as the invocation's <c>commandLine</c> and as the content of the stand-in
    /// artifact that locates findings about a model or firmware given on it. Null: the stand-in holds the model and
    /// firmware as <c>--model M --firmware V</c>.
    /// </summary>
    public string? CommandLine { get; init; }

    /// <summary>The directory relative evidence names are relative to (the <c>SRCROOT</c> base); by default the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>
    /// The start of each run's <c>automationDetails.id</c>, which goes on with the device's name and <c>/</c>
    /// (GitHub takes the id as the analysis category). By default <c>codered/analyze/</c>.
    /// </summary>
    public string AutomationIdPrefix { get; init; } = "codered/analyze/";

    /// <summary>
    /// Properties of each run's <c>automationDetails</c>, such as the Azure Pipelines build identity
    /// (<c>azuredevops/pipeline/build/…</c>) that GitHub Advanced Security for Azure DevOps requires; null for none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? AutomationProperties { get; init; }
}

/// <summary>
/// Writes reports as SARIF 2.1.0, as Roslyn's <c>/errorlog</c> does for compiler diagnostics, in the form GitHub code
/// scanning and GitHub Advanced Security for Azure DevOps accept: one run per report (per device), whose tool driver
/// lists every rule of the pack with its help page, one result per diagnostic, each with a location, the severity
/// settings as configuration overrides, and the pack, verdict and remediation in the run's property bag.
/// </summary>
/// <remarks>
/// Locations: a finding in the evidence is at its line. A finding about the device is where the evidence revealed
/// what it judged: a firmware read from the startup banner is at that banner line. What the engine was told rather
/// than what it read (the model, a firmware given by the caller, or their absence) is located at a stand-in: the
/// artifact <c>command-line</c> under the base id <c>INVOCATION</c>, whose content is the run's command line (or the
/// <c>--model</c>/<c>--firmware</c> arguments of a library caller), at the column of the argument the finding is about.
/// Evidence files are relative URIs under <c>SRCROOT</c> (the base directory), or under <c>ROOT</c> (the file
/// system root) when outside it; standard input is <c>stdin</c> under <c>STDIN</c>.
/// </remarks>
public static partial class SarifWriter
{
    /// <summary>The schema address written in <c>$schema</c>.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The tool name in <c>tool.driver.name</c>.</summary>
    public const string ToolName = "codered";

    /// <summary>The tag every rule carries besides its category.</summary>
    public const string Tag = "code-red";

    /// <summary>The base id of evidence files named relative to the base directory.</summary>
    public const string SourceRootBaseId = "SRCROOT";

    /// <summary>The base id of the stand-in artifact: the run's command line.</summary>
    public const string InvocationBaseId = "INVOCATION";

    /// <summary>The stand-in artifact's URI, relative to <see cref="InvocationBaseId"/>.</summary>
    public const string CommandLineUri = "command-line";

    private const string RootBaseId = "ROOT";
    private const string StdinBaseId = "STDIN";

    /// <summary>
    /// Writes one report as a SARIF log. <paramref name="severity"/> is the configuration the report was evaluated
    /// with: each setting becomes a rule configuration override of the invocation (category and "all" settings are
    /// expanded to the rules they reach). <paramref name="toolVersion"/> defaults to this library's version.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument but the last two is null.</exception>
    public static void Write(Stream output, AnalysisReport report, RulePack pack, SeverityConfiguration? severity = null, string? toolVersion = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        Write(output, [report], pack, new SarifOptions { Severity = severity, ToolVersion = toolVersion });
    }

    /// <summary>Writes reports as one SARIF log with one run per report (a fleet: one run per device).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/>, <paramref name="reports"/>, a report or <paramref name="pack"/> is null.</exception>
    public static void Write(Stream output, IReadOnlyList<AnalysisReport> reports, RulePack pack, SarifOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(pack);
        foreach (var report in reports)
        {
            ArgumentNullException.ThrowIfNull(report, nameof(reports));
        }

        options ??= new SarifOptions();
        var context = new LogContext(pack, options, options.ToolVersion ?? LibraryVersion(), Path.GetFullPath(options.BaseDirectory ?? Environment.CurrentDirectory), severalPacks: false);
        WriteLog(output, reports.Select(r => (context, r)));
    }

    /// <summary>
    /// Writes reports made with several packs as one SARIF log: one run per report, each with its own pack's rules as the
    /// driver's rules (the pack's id and version in the driver's full name and the run's properties), and the pack id in
    /// the run's <c>automationDetails.id</c> so that code-scanning services keep one analysis per device and pack. Each
    /// report must come from one of <paramref name="packs"/> (by <see cref="AnalysisReport.Pack"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument but the last, a report or a pack is null.</exception>
    /// <exception cref="ArgumentException">A report's pack is not among <paramref name="packs"/>.</exception>
    public static void Write(Stream output, IReadOnlyList<AnalysisReport> reports, IReadOnlyList<RulePack> packs, SarifOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(packs);
        options ??= new SarifOptions();
        var version = options.ToolVersion ?? LibraryVersion();
        var baseDirectory = Path.GetFullPath(options.BaseDirectory ?? Environment.CurrentDirectory);
        var contexts = packs.Select(p => new LogContext(p ?? throw new ArgumentNullException(nameof(packs)), options, version, baseDirectory, severalPacks: packs.Count > 1)).ToArray();
        var runs = reports.Select(r =>
        {
            ArgumentNullException.ThrowIfNull(r, nameof(reports));
            return (contexts.FirstOrDefault(c => c.Pack.Identity == r.Pack) ?? throw new ArgumentException($"the report of pack {r.Pack} was not made with any of the packs given", nameof(reports)), r);
        }).ToArray();
        WriteLog(output, runs);
    }

    private static void WriteLog(Stream output, IEnumerable<(LogContext Context, AnalysisReport Report)> runs)
    {
        using var json = new Utf8JsonWriter(output, JsonReportWriter.Options);
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        foreach (var (context, report) in runs)
        {
            WriteRun(json, context, report);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>What every run of one log shares: the pack, the options and each rule's help text.</summary>
    private sealed class LogContext(RulePack pack, SarifOptions options, string toolVersion, string baseDirectory, bool severalPacks)
    {
        /// <summary>The log holds runs of several packs: each run's automation id names its pack.</summary>
        public bool SeveralPacks => severalPacks;

        private IReadOnlyDictionary<string, string>? _pages;

        public RulePack Pack => pack;

        public SarifOptions Options => options;

        public string ToolVersion => toolVersion;

        public string BaseDirectory => baseDirectory;

        /// <summary>The rule's docs page (docs/rules/ID.md, as <c>codered rules docs</c> writes it), or null.</summary>
        public string? Page(string id) =>
            (_pages ??= MarkdownDocsWriter.Generate(pack, rulesDirectory: null)).TryGetValue($"rules/{id}.md", out var page) ? page : null;
    }

    /// <summary>Where a result is: an artifact (by index) and a region.</summary>
    private sealed record Place(int Artifact, long Line, long? Column, long? EndColumn, string? Snippet);

    /// <summary>One artifact of a run: an evidence source, or the stand-in for the command line.</summary>
    private sealed record Artifact(string Uri, string BaseId, string? Name, long? Lines, string? Contents);

    private static void WriteRun(Utf8JsonWriter json, LogContext context, AnalysisReport report)
    {
        var pack = context.Pack;
        var severity = context.Options.Severity;

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

        var artifacts = new List<Artifact>();
        var artifactIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, lines) in report.SourcesRead)
        {
            if (!artifactIndex.ContainsKey(name))
            {
                var (uri, baseId) = ArtifactLocation(name, context.BaseDirectory, roots);
                artifactIndex[name] = artifacts.Count;
                artifacts.Add(new Artifact(uri, baseId, name, lines, null));
            }
        }

        var places = report.Diagnostics.Select(d => Locate(context, report, d, artifacts, artifactIndex)).ToList();

        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("fullName", $"{ToolName} {context.ToolVersion} (CodeRed.Rules, rule pack {report.Pack.Id} {report.Pack.Version})");
        if (pack.Advisory.PublisherNamespace is { } information)
        {
            // The rules are the advisory's: its publisher is where to learn more about them.
            json.WriteString("informationUri", information);
        }

        json.WriteString("name", ToolName);
        json.WriteString("version", context.ToolVersion);
        if (SemanticVersion().IsMatch(context.ToolVersion))
        {
            json.WriteString("semanticVersion", context.ToolVersion);
        }

        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(json, context, rule);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        if (context.Options.CommandLine is { } commandLine)
        {
            json.WriteString("commandLine", commandLine);
        }

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

        // The run is one device: GitHub and Azure DevOps keep one analysis per automation category.
        var device = DeviceKey(report);
        json.WriteStartObject("automationDetails");
        json.WriteStartObject("description");
        json.WriteString("text", report.SourcesRead.Count > 0
            ? $"codered analysis of the device whose evidence is {device}"
            : $"codered analysis of the device given as {device}");
        json.WriteEndObject();
        json.WriteString("id", context.SeveralPacks ? $"{context.Options.AutomationIdPrefix}{device}/{report.Pack.Id}/" : $"{context.Options.AutomationIdPrefix}{device}/");
        if (context.Options.AutomationProperties is { Count: > 0 } automation)
        {
            json.WriteStartObject("properties");
            foreach (var (key, value) in automation.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();

        json.WriteStartObject("originalUriBaseIds");
        if (artifacts.Any(a => a.BaseId == SourceRootBaseId))
        {
            WriteBase(json, SourceRootBaseId, DirectoryUri(context.BaseDirectory), "The directory the evidence names are relative to.");
        }

        foreach (var (root, id) in roots)
        {
            WriteBase(json, id, DirectoryUri(root), "The file system root, for evidence outside the base directory.");
        }

        if (artifacts.Any(a => a.BaseId == StdinBaseId))
        {
            WriteBase(json, StdinBaseId, null, "Not a file: the standard input the evidence was read from.");
        }

        if (artifacts.Any(a => a.BaseId == InvocationBaseId))
        {
            WriteBase(json, InvocationBaseId, null,
                "Not a file: the invocation itself. Its artifact 'command-line' holds the command line; findings about what was given on it (the model, a version) are located there.");
        }

        json.WriteEndObject();

        json.WriteString("columnKind", "utf16CodeUnits");

        json.WriteStartArray("artifacts");
        foreach (var artifact in artifacts)
        {
            json.WriteStartObject();
            json.WriteStartObject("location");
            json.WriteString("uri", artifact.Uri);
            json.WriteString("uriBaseId", artifact.BaseId);
            json.WriteEndObject();
            if (artifact.Contents is { } contents)
            {
                json.WriteStartObject("contents");
                json.WriteString("text", contents);
                json.WriteEndObject();
                json.WriteStartObject("description");
                json.WriteString("text", "The command line of this run: the stand-in location of findings about the model and version given on it.");
                json.WriteEndObject();
            }

            if (artifact.Name is { } name)
            {
                json.WriteStartObject("properties");
                json.WriteString("name", name);
                json.WriteNumber("lines", artifact.Lines ?? 0);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("results");
        for (var i = 0; i < report.Diagnostics.Count; i++)
        {
            WriteResult(json, report, report.Diagnostics[i], ruleIndex[report.Diagnostics[i].Descriptor], places[i], artifacts);
        }

        json.WriteEndArray();

        WriteRunProperties(json, report);
        json.WriteEndObject();
    }

    private static void WriteBase(Utf8JsonWriter json, string id, string? uri, string description)
    {
        json.WriteStartObject(id);
        if (uri is not null)
        {
            json.WriteString("uri", uri);
        }

        json.WriteStartObject("description");
        json.WriteString("text", description);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Names the run's device: its evidence sources, else the model and firmware it was given.</summary>
    private static string DeviceKey(AnalysisReport report)
    {
        if (report.SourcesRead.Count > 0)
        {
            return string.Join('+', report.SourcesRead.Select(s => s.Name).Distinct(StringComparer.Ordinal));
        }

        var given = DeviceArguments(report);
        return given.Length > 0 ? given : "no model, no evidence";
    }

    /// <summary>What the caller gave about the device, as codered's options: <c>--model M --firmware "V"</c>.</summary>
    private static string DeviceArguments(AnalysisReport report)
    {
        var parts = new List<string>();
        if (report.Device.ModelInput is { } model)
        {
            parts.Add("--model " + Quote(model));
        }

        if (report.Device.FirmwareSource == "given" && report.Device.Firmware is { } firmware)
        {
            parts.Add("--firmware " + Quote(firmware.ToString()));
        }

        return string.Join(' ', parts);
        static string Quote(string value) => value.Any(char.IsWhiteSpace) ? $"\"{value}\"" : value;
    }

    /// <summary>
    /// Where a diagnostic is: a line finding at its line; a finding about a firmware read from the evidence at the line
    /// it was read from; any other device finding at the stand-in artifact, at the argument it is about.
    /// </summary>
    private static Place Locate(LogContext context, AnalysisReport report, Diagnostic d, List<Artifact> artifacts, Dictionary<string, int> artifactIndex)
    {
        if (d.Source is { } source && d.Line is >= 1 && artifactIndex.TryGetValue(source, out var index))
        {
            return new Place(index, d.Line.Value, d.Column is >= 1 ? d.Column : null, null, string.IsNullOrEmpty(d.LineText) ? null : d.LineText);
        }

        var aboutFirmware = context.Pack.Definition.FindRule(d.Descriptor.Id)?.When?.Version is VersionCondition.BelowFix or VersionCondition.Fixed;
        if (aboutFirmware && ReadFrom(report) is { } read)
        {
            return new Place(read.Artifact, read.Line, null, null, null);
        }

        var standIn = artifacts.FindIndex(a => a.BaseId == InvocationBaseId);
        var text = context.Options.CommandLine ?? DeviceArguments(report);
        if (standIn < 0)
        {
            standIn = artifacts.Count;
            artifacts.Add(new Artifact(CommandLineUri, InvocationBaseId, null, null, text));
        }

        // The argument the finding is about: the firmware given, else the model given.
        var argument = aboutFirmware && report.Device.FirmwareSource == "given" ? report.Device.Firmware?.ToString() : report.Device.ModelInput;
        var at = string.IsNullOrEmpty(argument) ? -1 : text.IndexOf(argument, StringComparison.Ordinal);
        return at >= 0
            ? new Place(standIn, 1, at + 1, at + 1 + argument!.Length, argument)
            : new Place(standIn, 1, null, null, text.Length > 0 ? text : null);

        // The firmware fact's place, "source:line", when it names one of the report's sources.
        (int Artifact, long Line)? ReadFrom(AnalysisReport r)
        {
            var where = r.Device.FirmwareSource;
            var colon = where?.LastIndexOf(':') ?? -1;
            return colon > 0 && long.TryParse(where.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var line) && line >= 1
                && artifactIndex.TryGetValue(where![..colon], out var i)
                ? (i, line)
                : null;
        }
    }

    private static void WriteRule(Utf8JsonWriter json, LogContext context, RuleDescriptor rule)
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

        // The rule's docs page, the same text `codered rules docs` writes (without the samples, which a loaded pack
        // does not carry); a rule without a page (the engine's CR0001) gets its title and description.
        var markdown = Help(context.Page(rule.Id)) ?? $"# {rule.Id}: {rule.Title.English}\n\n{rule.Description.English}\n";
        json.WriteStartObject("help");
        json.WriteString("markdown", markdown);
        json.WriteString("text", PlainText(markdown));
        json.WriteEndObject();

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

        json.WriteString("status", rule.Status.Name());
        json.WriteNumber("ruleVersion", rule.Version);
        if (rule.ReplacedBy is { } replacement)
        {
            json.WriteString("replacedBy", replacement);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, AnalysisReport report, Diagnostic d, int ruleIndex, Place place, List<Artifact> artifacts)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", d.Id);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(d.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", d.Message.Length > 0 ? d.Message : d.Descriptor.Title.English);
        json.WriteEndObject();

        var artifact = artifacts[place.Artifact];
        json.WriteStartArray("locations");
        json.WriteStartObject();
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", artifact.Uri);
        json.WriteString("uriBaseId", artifact.BaseId);
        json.WriteNumber("index", place.Artifact);
        json.WriteEndObject();
        json.WriteStartObject("region");
        json.WriteNumber("startLine", place.Line);
        if (place.Column is { } column)
        {
            json.WriteNumber("startColumn", column);
        }

        if (place.EndColumn is { } end)
        {
            json.WriteNumber("endColumn", end);
        }

        if (place.Snippet is { } snippet)
        {
            json.WriteStartObject("snippet");
            json.WriteString("text", snippet);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();

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

        if (d.Line is null)
        {
            // Model and firmware findings are about the device.
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
        JsonReportWriter.WriteOptional(json, "verdictNote", report.Verdict.Note);
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
        JsonReportWriter.WriteOptional(json, "modelSource", device.ModelSource);
        JsonReportWriter.WriteOptional(json, "model", device.Model?.Name);
        if (device.Model is { } model)
        {
            json.WriteString("status", model.Status.Name());
            json.WriteString("fixedIn", model.FixText);
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
            if (severity.Rules.ContainsKey(rule.Id) || severity.Categories.ContainsKey(rule.Category) || severity.AllRules is not null)
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
    /// The relative URI of an evidence name: each path segment escaped (a space is <c>%20</c>), <c>/</c> between them;
    /// standard input (<c>-</c>) is <c>stdin</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="sourceName"/> is null.</exception>
    public static string ArtifactUri(string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (sourceName == "-")
        {
            return "stdin";
        }

        var path = Path.DirectorySeparatorChar == '/' ? sourceName : sourceName.Replace(Path.DirectorySeparatorChar, '/');
        return string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>
    /// An evidence name as a relative URI and its base id: <c>SRCROOT</c> for a name relative to the base directory
    /// (or a full path inside it), a root base (<c>ROOT</c>, <c>ROOT2</c>, …) for a full path elsewhere, <c>STDIN</c>
    /// for standard input.
    /// </summary>
    private static (string Uri, string BaseId) ArtifactLocation(string name, string baseDirectory, SortedDictionary<string, string> roots)
    {
        if (name == "-")
        {
            return (ArtifactUri(name), StdinBaseId);
        }

        if (!Path.IsPathFullyQualified(name))
        {
            var full = Path.GetFullPath(name, baseDirectory);
            return IsUnder(full, baseDirectory) ? (ArtifactUri(Path.GetRelativePath(baseDirectory, full)), SourceRootBaseId) : Rooted(full);
        }

        var path = Path.GetFullPath(name);
        return IsUnder(path, baseDirectory) ? (ArtifactUri(Path.GetRelativePath(baseDirectory, path)), SourceRootBaseId) : Rooted(path);

        (string, string) Rooted(string full)
        {
            var root = Path.GetPathRoot(full)!;
            if (!roots.TryGetValue(root, out var id))
            {
                id = roots.Count == 0 ? RootBaseId : RootBaseId + (roots.Count + 1).ToString(CultureInfo.InvariantCulture);
                roots[root] = id;
            }

            return (ArtifactUri(full[root.Length..]), id);
        }
    }

    private static bool IsUnder(string path, string directory)
    {
        var relative = Path.GetRelativePath(directory, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    /// <summary>A directory as an absolute <c>file:</c> URI ending with <c>/</c>, as a base id's URI must.</summary>
    private static string DirectoryUri(string directory)
    {
        var uri = new Uri(Path.GetFullPath(directory)).AbsoluteUri;
        return uri.EndsWith('/') ? uri : uri + "/";
    }

    /// <summary>The docs page without its Examples section (the samples are files beside the pack, not part of it).</summary>
    private static string? Help(string? page)
    {
        if (page is null)
        {
            return null;
        }

        var examples = page.IndexOf("\n## Examples\n", StringComparison.Ordinal);
        var next = examples < 0 ? -1 : page.IndexOf("\n## ", examples + 1, StringComparison.Ordinal);
        return examples < 0 ? page : page[..(examples + 1)] + (next < 0 ? "" : page[(next + 1)..]);
    }

    /// <summary>Markdown as plain text: headings, table rules, code marks and link targets dropped.</summary>
    private static string PlainText(string markdown)
    {
        var text = new StringBuilder();
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (TableRule().IsMatch(line) || line.StartsWith("| Property | Value |", StringComparison.Ordinal))
            {
                continue;
            }

            line = Heading().Replace(line, "");
            line = TableRow().Replace(line, m => m.Groups["key"].Value.Trim() + ": " + m.Groups["value"].Value.Trim());
            line = Link().Replace(line, "${text}").Replace("`", "", StringComparison.Ordinal).Replace("**", "", StringComparison.Ordinal);
            text.Append(line).Append('\n');
        }

        return text.ToString().Trim() + "\n";
    }

    [GeneratedRegex(@"^\|(?:-+\|)+$")]
    private static partial Regex TableRule();

    [GeneratedRegex(@"^#{1,6} ")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\| (?<key>[^|]+) \| (?<value>.*) \|$")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex Link();

    private static bool IsAbsoluteUri(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && !uri.IsFile && !text.StartsWith('/');

    /// <summary>
    /// A rule name from its title, as a Pascal-case identifier in SARIF's sense (each word one capital, then lower-case
    /// letters or digits: <c>HttpServerOutOfSessions</c>): everything but letters and digits dropped, acronyms
    /// lower-cased after their first letter, a word of digits joined to the word before, one-letter words dropped.
    /// </summary>
    internal static string PascalCase(string title, string fallback)
    {
        var name = new StringBuilder();
        foreach (var word in NonWord().Split(title))
        {
            if (word.Length == 0 || word.Length == 1 && char.IsLetter(word[0]))
            {
                continue;
            }

            if (char.IsDigit(word[0]))
            {
                if (name.Length > 0)
                {
                    name.Append(word.ToLowerInvariant());
                }

                continue;
            }

            name.Append(char.ToUpperInvariant(word[0])).Append(word[1..].ToLowerInvariant());
        }

        return name.Length > 0 ? name.ToString() : fallback;
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
