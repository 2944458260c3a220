using System.Reflection;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

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
        Records = records;
        Facts = facts;
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
    public IReadOnlyList<RuleDescriptor> Rules { get; }

    /// <summary>Problems that did not stop the pack from loading (the linter's findings).</summary>
    public IReadOnlyList<PackProblem> Warnings { get; }

    internal IReadOnlyList<CompiledRule> CompiledRules { get; }
    internal IReadOnlyList<RecordSpec> Records { get; }
    internal IReadOnlyList<FactSpec> Facts { get; }
    internal IReadOnlyList<RemediationSpec> Remediation { get; }
    internal IReadOnlyDictionary<string, VerdictSpec> Verdicts { get; }

    /// <summary>The default pack, embedded in this assembly. Loaded once.</summary>
    public static RulePack Default => DefaultPack.Value;

    /// <summary>Finds a rule by ID (deprecated rules included).</summary>
    public RuleDescriptor? FindRule(string id) => Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Loads a pack from a directory (every <c>*.yaml</c>/<c>*.yml</c> below it, except <c>samples</c> folders)
    /// or from one file. Throws <see cref="RulePackException"/> listing every problem.
    /// </summary>
    public static RulePack LoadFrom(string path) => Load(PackFiles.FromPath(path), path);

    /// <summary>Loads a pack from YAML texts, each named by a path used in problem reports.</summary>
    public static RulePack LoadFromTexts(IEnumerable<KeyValuePair<string, string>> files) =>
        Load(files.Select(f => new PackFile(f.Key, f.Value)).ToArray(), "texts");

    /// <summary>Loads a pack from one YAML stream (one or more documents).</summary>
    public static RulePack LoadFromStream(Stream stream, string name = "stream") =>
        Load([new PackFile(name, PackFiles.ReadBounded(stream, name))], name);

    /// <summary>Evaluates evidence against this pack.</summary>
    public AnalysisReport Evaluate(DeviceEvidence evidence, EvaluationOptions? options = null) =>
        new Evaluator(this, options ?? EvaluationOptions.Default).Evaluate(evidence);

    internal static RulePack Load(IReadOnlyList<PackFile> files, string origin) => PackLoader.Load(files, origin);

    internal static Assembly Assembly => typeof(RulePack).Assembly;
}
