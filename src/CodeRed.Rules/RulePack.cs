using System.Globalization;
using System.Reflection;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules;

/// <summary>Which pack produced a result: id, version and the SHA-256 of the pack's content.</summary>
public sealed record PackIdentity(string Id, string Version, string Sha256)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} {Version} (sha256 {Sha256})";
}

/// <summary>The advisory a pack encodes.</summary>
public sealed record AdvisoryInfo(LocalizedText Title, string Publisher, DateOnly FirstEdition, DateOnly? Revised)
{
    /// <summary>A URL under the publisher's control that identifies it (CSAF's <c>publisher.namespace</c>), or null.</summary>
    public string? PublisherNamespace { get; init; }

    /// <summary>The advisory's language (e.g. <c>ja</c>), or null.</summary>
    public string? Language { get; init; }

    /// <summary>A short summary of the advisory, or null.</summary>
    public LocalizedText? Summary { get; init; }

    /// <summary>The Traffic Light Protocol label for sharing the advisory (<c>WHITE</c>, <c>GREEN</c>, <c>AMBER</c>, <c>RED</c>), or null.</summary>
    public string? Tlp { get; init; }

    /// <summary>The https URL where the advisory's CSAF document is published (CSAF's canonical URL, a <c>self</c> reference), or null.</summary>
    public string? CanonicalUrl { get; init; }
}

/// <summary>
/// A vulnerability the advisory is about, such as the CVE the worm exploits, with the advisory's justification flags
/// for models that are not affected.
/// </summary>
public sealed record VulnerabilityInfo(string Cve, LocalizedText Title, LocalizedText? Notes, IReadOnlyList<VulnerabilityFlag> Flags)
{
    /// <summary>The weakness behind the vulnerability, or null.</summary>
    public CweInfo? Cwe { get; init; }

    /// <summary>The CVSS v2 base score as published for the CVE, or null.</summary>
    public CvssV2Score? CvssV2 { get; init; }
}

/// <summary>A Common Weakness Enumeration entry: its id (<c>CWE-119</c>) and its name as MITRE writes it.</summary>
public sealed record CweInfo(string Id, string Name);

/// <summary>A CVSS v2 base vector (<c>AV:N/AC:L/Au:N/C:C/I:C/A:C</c>) and its base score.</summary>
public sealed record CvssV2Score(string Vector, double BaseScore);

/// <summary>
/// Why models with a given note of the model matrix are not affected, as a CSAF/VEX flag label
/// (e.g. <c>vulnerable_code_not_in_execute_path</c>).
/// </summary>
public sealed record VulnerabilityFlag(string Note, string Label);

/// <summary>A reference given by the advisory.</summary>
public sealed record PackReference(string Title, string? Url);

/// <summary>
/// A loaded, validated and compiled rule pack. Immutable and safe to share between threads: evaluate as
/// many evidence sets as you like, from as many threads as you like.
/// </summary>
public sealed class RulePack
{
    private static readonly Lazy<RulePack> DefaultPack = new(() => Load(PackFiles.FromEmbedded(typeof(RulePack).Assembly), "embedded:rules"));

    // Every embedded pack, the default first; found by resource prefix, so a new folder below rules/ with its own
    // pack.yaml is built in without a line of code.
    private static readonly Lazy<IReadOnlyList<RulePack>> BuiltInPacks = new(() => PackFiles.EmbeddedPrefixes(Assembly)
        .Select(prefix => prefix == PackFiles.DefaultPrefix ? Default : Load(PackFiles.FromEmbedded(Assembly, prefix), "embedded:" + prefix.TrimEnd('/')))
        .ToArray());

    internal RulePack(
        PackIdentity identity,
        int schemaVersion,
        LocalizedText title,
        AdvisoryInfo advisory,
        IReadOnlyList<PackReference> references,
        IReadOnlyList<VulnerabilityInfo> vulnerabilities,
        ModelMatrix models,
        IReadOnlyList<CompiledRule> rules,
        IReadOnlyList<RecordSpec> records,
        IReadOnlyList<FactSpec> facts,
        IReadOnlyList<RemediationSpec> remediation,
        IReadOnlyDictionary<string, VerdictSpec> verdicts,
        IReadOnlyList<PackProblem> warnings)
    {
        Identity = identity;
        SchemaVersion = schemaVersion;
        Title = title;
        Advisory = advisory;
        References = references;
        Vulnerabilities = vulnerabilities;
        Models = models;
        CompiledRules = rules;
        Rules = rules.Select(r => r.Descriptor).ToArray();
        // Arrays, so that the per-line loops over them allocate no enumerator.
        Records = records.ToArray();
        Facts = facts.ToArray();
        Remediation = remediation;
        Verdicts = verdicts;
        Warnings = warnings;
    }

    /// <summary>Pack id, version and content hash.</summary>
    public PackIdentity Identity { get; }

    /// <summary>The version of the rule-file format the pack is written in.</summary>
    public int SchemaVersion { get; }

    /// <summary>The pack's title.</summary>
    public LocalizedText Title { get; }

    /// <summary>The advisory the pack encodes, with its dates.</summary>
    public AdvisoryInfo Advisory { get; }

    /// <summary>The advisory's references.</summary>
    public IReadOnlyList<PackReference> References { get; }

    /// <summary>The vulnerabilities the advisory is about (e.g. the CVE the worm exploits); may be empty.</summary>
    public IReadOnlyList<VulnerabilityInfo> Vulnerabilities { get; }

    /// <summary>The model matrix.</summary>
    public ModelMatrix Models { get; }

    /// <summary>Every rule, in ID order.</summary>
    public IReadOnlyList<RuleDescriptor> Rules { get; private set; }

    /// <summary>
    /// The pack as written: manifest, models, rules and remediation as definitions (what the writers, the docs generator
    /// and the linter read). Rules added as <see cref="CodeRule"/> are not among them.
    /// </summary>
    public PackDefinition Definition { get; internal init; } = null!;

    /// <summary>Problems that did not stop the pack from loading (the linter's findings).</summary>
    public IReadOnlyList<PackProblem> Warnings { get; }

    /// <summary>
    /// The languages the pack carries (two-letter ISO names, English first): those of its title and of its rules' titles
    /// and messages. A report asked for in another language is written in English (<see cref="AnalysisReport.Culture"/>).
    /// </summary>
    public IReadOnlyList<string> Languages => field ??= Title.Languages
        .Concat(Rules.SelectMany(r => r.Title.Languages.Concat(r.MessageFormat.Languages)))
        .Where(l => l != "en")
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .Prepend("en")
        .ToArray();

    /// <summary>
    /// The culture a report asked for in <paramref name="culture"/> is written in: that culture when the pack carries its
    /// language (<see cref="Languages"/>), else English. Null means the current UI culture.
    /// </summary>
    internal CultureInfo ReportCulture(CultureInfo? culture)
    {
        culture ??= CultureInfo.CurrentUICulture;
        return Languages.Contains(CultureLanguage.Of(culture), StringComparer.Ordinal) ? culture : English;
    }

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    /// <summary>Engine phrases, with the pack's own (manifest <c>phrases</c>) first.</summary>
    internal ReportPhrases Phrases { get; init; } = ReportPhrases.BuiltIn;

    /// <summary>The manifest's timestamp shapes, tried in order on each hit line (the timeline's times).</summary>
    internal TimestampSpec[] Timestamps { get; init; } = [];

    /// <summary>The product the pack is about: its version scheme and the words reports use for it (the manifest's <c>product</c>).</summary>
    public ProductInfo Product { get; internal init; } = ProductInfo.Default;

    /// <summary>The manifest's column sets: header lines that name the columns of the data lines after them (<c>columns</c>).</summary>
    internal ColumnSetSpec[] ColumnSets { get; init; } = [];

    internal IReadOnlyList<CompiledRule> CompiledRules { get; private set; }
    internal RecordSpec[] Records { get; }
    internal FactSpec[] Facts { get; }
    internal IReadOnlyList<RemediationSpec> Remediation { get; }

    /// <summary>How commands typed at the device are recognized (remediation <c>commandEcho</c>), or null.</summary>
    internal CommandEchoSpec? CommandEcho { get; init; }

    /// <summary>The note the verdict carries once every step that can be done was done (remediation <c>doneNote</c>), or null.</summary>
    internal LocalizedText? DoneNote { get; init; }
    internal IReadOnlyDictionary<string, VerdictSpec> Verdicts { get; }

    /// <summary>The default pack, embedded in this assembly. Loaded once.</summary>
    public static RulePack Default => DefaultPack.Value;

    /// <summary>
    /// Every pack embedded in this assembly, <see cref="Default"/> first, then the others in order of their folder names.
    /// Loaded once, on first use.
    /// </summary>
    public static IReadOnlyList<RulePack> BuiltIn => BuiltInPacks.Value;

    /// <summary>The built-in pack with the id <paramref name="id"/> (ignoring case), or null.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public static RulePack? FindBuiltIn(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return BuiltIn.FirstOrDefault(p => string.Equals(p.Identity.Id, id, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Finds a rule by ID (deprecated rules included), ignoring case; null when the pack has none.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public RuleDescriptor? FindRule(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Loads a pack from a directory (every <c>*.yaml</c>/<c>*.yml</c> below it, except <c>samples</c> folders)
    /// or from one file.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="RulePackException">The pack does not load (also a missing path); the exception lists every problem with file, line and column.</exception>
    public static RulePack LoadFrom(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(PackFiles.FromPath(path), path);
    }

    /// <summary>Loads a pack from YAML texts, each named by a path used in problem reports.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="files"/> is null.</exception>
    /// <exception cref="RulePackException">The pack does not load; the exception lists every problem.</exception>
    public static RulePack LoadFromTexts(IEnumerable<KeyValuePair<string, string>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return Load(files.Select(f => new PackFile(f.Key ?? throw new ArgumentException("a file name is null", nameof(files)), f.Value ?? "")).ToArray(), "texts");
    }

    /// <summary>Loads a pack from one YAML stream (one or more documents).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="RulePackException">The pack does not load (also a stream over the size bound); the exception lists every problem.</exception>
    public static RulePack LoadFromStream(Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        return Load([new PackFile(name, PackFiles.ReadBounded(stream, name))], name);
    }

    /// <summary>Evaluates evidence against this pack.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="evidence"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A source in <paramref name="evidence"/> is null, or the severity settings name a rule ID or category this pack does
    /// not have (<see cref="SeverityConfiguration.Validate"/>; the message names the known ones).
    /// </exception>
    /// <exception cref="FormatException"><see cref="DeviceEvidence.Firmware"/> is not a firmware version.</exception>
    /// <exception cref="InvalidOperationException">A source made by <see cref="EvidenceSource.FromStream"/> was already evaluated.</exception>
    /// <exception cref="IOException">A source cannot be read (for a file: missing, unreadable, or a directory).</exception>
    /// <exception cref="UnauthorizedAccessException">A source file may not be read.</exception>
    public AnalysisReport Evaluate(DeviceEvidence evidence, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        options ??= EvaluationOptions.Default;
        if (evidence.Sources.Any(s => s is null))
        {
            throw new ArgumentException("DeviceEvidence.Sources holds a null source.", nameof(evidence));
        }

        if (options.Severity.Validate(this) is { Count: > 0 } problems)
        {
            throw new ArgumentException("The severity settings name what the pack does not have: " + string.Join("; ", problems), nameof(options));
        }

        // The batch path is a session fed whole sources: the same code judges live evidence.
        using var session = EvaluationSession.Start(this, new SessionOptions { Model = evidence.Model, Firmware = evidence.Firmware, Patches = evidence.Patches, Evaluation = options });
        foreach (var source in evidence.Sources)
        {
            session.Feed(source);
        }

        return session.Complete()[0];
    }

    /// <summary>
    /// This pack with rules written in C# added (after the pack's own rules). The pack's identity stays: its hash is the
    /// hash of its files. This pack is not changed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A rule's ID is not an ID, or is already in the pack (or given twice).</exception>
    public RulePack WithRules(params CodeRule[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal) { [Evaluator.RuleFailure.Id] = "the engine" };
        foreach (var rule in Rules)
        {
            ids[rule.Id] = rule.SourceFile;
        }

        var added = new List<CompiledRule>();
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            var compiled = CodeRules.Compile(rule, CompiledRules.Count + added.Count, Identity.Id);
            if (!ids.TryAdd(compiled.Descriptor.Id, compiled.Descriptor.SourceFile))
            {
                throw new ArgumentException($"rule ID {compiled.Descriptor.Id} of {compiled.Descriptor.SourceFile} is already used by {ids[compiled.Descriptor.Id]} in pack '{Identity.Id}'", nameof(rules));
            }

            added.Add(compiled);
        }

        // A copy shares everything immutable; only the rule lists differ.
        var copy = (RulePack)MemberwiseClone();
        copy.CompiledRules = [.. CompiledRules, .. added];
        copy.Rules = copy.CompiledRules.Select(r => r.Descriptor).ToArray();
        return copy;
    }

    /// <summary>
    /// A copy of the pack with <paramref name="rules"/> added: rules defined in C# as they would be in YAML. Each is
    /// written as its rule file (<see cref="DefinitionYaml.Write(RuleDefinition)"/>, named
    /// <c>&lt;definitions&gt;/ID.yaml</c>) and the pack is loaded again with it, so it gets every check a rule file gets:
    /// unknown references, placeholders, the regex policy, duplicate IDs. Rules added as <see cref="CodeRule"/> are kept.
    /// The copy's <see cref="PackIdentity.Sha256"/> covers the added rules.
    /// </summary>
    /// <exception cref="RulePackException">A rule is not valid; the problems name the rule's generated file.</exception>
    public RulePack WithRules(params RuleDefinition[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var files = Files.ToList();
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            files.Add(new PackFile(DefinitionsFolder + rule.Id + ".yaml", DefinitionYaml.Write(rule)));
        }

        var loaded = Load(files, Origin);
        var code = CompiledRules.Select(r => r.Code).OfType<CodeRule>().ToArray();
        return code.Length == 0 ? loaded : loaded.WithRules(code);
    }

    /// <summary>The rule written in C# with this ID, or null.</summary>
    internal CodeRule? CodeRuleOf(string id) => CompiledRules.FirstOrDefault(r => r.Code is not null && r.Descriptor.Id == id)?.Code;

    /// <summary>
    /// Builds a pack from a definition made in C# (or a loaded pack's <see cref="Definition"/>, changed with <c>with</c>):
    /// its files are written (<see cref="DefinitionYaml.WritePack(PackDefinition)"/>) and loaded, with every check rule
    /// files get. The identity's hash is computed from those files; the definition's is not used.
    /// </summary>
    /// <exception cref="RulePackException">The definition is not a valid pack; the problems name the generated files.</exception>
    public static RulePack FromDefinition(PackDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Load(DefinitionYaml.WritePack(definition).Select(f => new PackFile(f.Path, f.Text)).ToArray(), "definition");
    }

    /// <summary>Where rules added as definitions say they come from: not a folder on disk.</summary>
    internal const string DefinitionsFolder = "<definitions>/";

    /// <summary>The files the pack was loaded from (what <see cref="WithRules(RuleDefinition[])"/> loads again).</summary>
    internal IReadOnlyList<PackFile> Files { get; init; } = [];

    /// <summary>
    /// Evaluates one device's evidence against several packs in one pass (each line read once, judged by every pack):
    /// one report per pack, in the order of <paramref name="packs"/>. Severity settings apply to the pack that has the
    /// rule or category they name; a setting no pack has is refused.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="packs"/>, a pack or <paramref name="evidence"/> is null.</exception>
    /// <exception cref="RulePackException">A pack is given twice or two packs share a rule ID (<see cref="EnsureDistinct"/>).</exception>
    /// <exception cref="ArgumentException">No pack is given, a source is null, or a severity setting names what no pack has.</exception>
    /// <exception cref="FormatException"><see cref="DeviceEvidence.Firmware"/> is not a version.</exception>
    /// <exception cref="IOException">A source cannot be read.</exception>
    public static IReadOnlyList<AnalysisReport> EvaluateAll(IReadOnlyList<RulePack> packs, DeviceEvidence evidence, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(packs);
        ArgumentNullException.ThrowIfNull(evidence);
        if (packs.Count == 1)
        {
            return [(packs[0] ?? throw new ArgumentNullException(nameof(packs))).Evaluate(evidence, options)];
        }

        EnsureDistinct(packs);
        if (evidence.Sources.Any(s => s is null))
        {
            throw new ArgumentException("DeviceEvidence.Sources holds a null source.", nameof(evidence));
        }

        using var session = EvaluationSession.Start(packs, new SessionOptions { Model = evidence.Model, Firmware = evidence.Firmware, Patches = evidence.Patches, Evaluation = options });
        foreach (var source in evidence.Sources)
        {
            session.Feed(source);
        }

        return session.Complete();
    }

    internal static RulePack Load(IReadOnlyList<PackFile> files, string origin) => PackLoader.Load(files, origin);

    /// <summary>Where the pack was loaded from: a folder or file path, <c>embedded:…</c>, <c>texts</c> or a stream's name.</summary>
    internal string Origin { get; init; } = "";

    /// <summary>A rule's file as a user finds it: below the folder the pack came from, or the file itself.</summary>
    internal string DisplayFile(RuleDescriptor rule) =>
        Origin.Length == 0 || Origin is "texts" or "definition" || rule.SourceFile.StartsWith(DefinitionsFolder, StringComparison.Ordinal) ? rule.SourceFile
        : Origin.StartsWith("embedded:", StringComparison.Ordinal) ? Origin + "/" + rule.SourceFile
        : Directory.Exists(Origin) ? Path.Join(Origin, rule.SourceFile)
        : Origin;

    /// <summary>
    /// Checks that <paramref name="packs"/> can be used together: no pack twice and every rule ID (ignoring case) in
    /// one pack only. A collision names both rules' files, lines and columns.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="packs"/> or a pack in it is null.</exception>
    /// <exception cref="RulePackException">A pack is given twice or two packs share a rule ID; every collision is listed.</exception>
    public static void EnsureDistinct(IReadOnlyList<RulePack> packs)
    {
        ArgumentNullException.ThrowIfNull(packs);
        var problems = new List<PackProblem>();
        var packIds = new Dictionary<string, RulePack>(StringComparer.OrdinalIgnoreCase);
        var ruleIds = new Dictionary<string, (RulePack Pack, RuleDescriptor Rule)>(StringComparer.OrdinalIgnoreCase);
        foreach (var pack in packs)
        {
            ArgumentNullException.ThrowIfNull(pack, nameof(packs));
            if (!packIds.TryAdd(pack.Identity.Id, pack))
            {
                problems.Add(new PackProblem(pack.Origin, 0, 0, ProblemSeverity.Error,
                    $"the pack {pack.Identity.Id} is used twice (also from {packIds[pack.Identity.Id].Origin}); give each pack once"));
                continue;
            }

            foreach (var rule in pack.Rules)
            {
                if (ruleIds.TryGetValue(rule.Id, out var first))
                {
                    problems.Add(new PackProblem(pack.DisplayFile(rule), rule.SourceLine, rule.SourceColumn, ProblemSeverity.Error,
                        $"rule id '{rule.Id}' of pack {pack.Identity.Id} is also defined by pack {first.Pack.Identity.Id} at " +
                        $"{first.Pack.DisplayFile(first.Rule)}({first.Rule.SourceLine},{first.Rule.SourceColumn}); rule IDs must be unique across the packs in use"));
                }
                else
                {
                    ruleIds[rule.Id] = (pack, rule);
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new RulePackException(problems);
        }
    }

    internal static Assembly Assembly => typeof(RulePack).Assembly;
}
