using System.Globalization;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// Settings of the CodeRed.Rules engine in a host. Bind them from configuration (conventionally the section
/// <see cref="SectionName"/>) or set them in code; they are read through
/// <c>IOptionsMonitor&lt;CodeRedRulesOptions&gt;</c>, so changed configuration applies to later evaluations.
/// </summary>
public sealed class CodeRedRulesOptions
{
    /// <summary>The conventional configuration section: <c>CodeRed</c>.</summary>
    public const string SectionName = "CodeRed";

    /// <summary>
    /// A rule-pack directory or file, or null (or empty) for the default pack embedded in CodeRed.Rules. A
    /// relative path is taken from the host's content root (<c>IHostEnvironment.ContentRootPath</c>) when a
    /// host environment is registered, else from the current directory.
    /// </summary>
    public string? RulesPath { get; set; }

    /// <summary>
    /// More built-in packs to evaluate (ids as <c>codered packs</c> lists them, <see cref="RulePack.BuiltIn"/>), besides the
    /// pack of <see cref="RulesPath"/> (or the embedded default), which is always evaluated first; naming that pack
    /// again is harmless. <see cref="ICodeRedEvaluator.EvaluateAll"/> evaluates them all.
    /// </summary>
#pragma warning disable CA2227 // Configuration binding and object initializers set it.
    public List<string> PackIds { get; set; } = [];

    /// <summary>
    /// More rule-pack directories or files to evaluate besides <see cref="RulesPath"/> (relative paths as for it). They
    /// are loaded when the options change, not watched. Rule IDs must be unique across all packs in use.
    /// </summary>
    public List<string> AdditionalRulesPaths { get; set; } = [];
#pragma warning restore CA2227

    /// <summary>
    /// When true and <see cref="RulesPath"/> is set, changed rule files are loaded again after a short quiet
    /// period; an invalid or incomplete pack keeps the last good one and is logged. Off by default.
    /// </summary>
    public bool ReloadOnChange { get; set; }

    /// <summary>
    /// Severity settings as the CLI's <c>--severity</c>: key a rule ID (<c>CR2001</c>), <c>category:NAME</c>
    /// (<c>category:LogSignature</c>) or <c>all</c>; value <c>error</c>, <c>warning</c>, <c>info</c>,
    /// <c>hidden</c> or <c>none</c> (rule off). A rule setting beats a category setting, which beats
    /// <c>all</c>. Keys ignore case.
    /// </summary>
#pragma warning disable CA2227 // Configuration binding and object initializers set it.
    public Dictionary<string, string> SeverityOverrides { get; set; } = new(StringComparer.OrdinalIgnoreCase);
#pragma warning restore CA2227

    /// <summary>
    /// Language of messages and remediation: any language the pack in force carries (<c>en</c> and <c>ja</c> for the
    /// embedded pack; <see cref="RulePack.Languages"/>); null for the current UI culture.
    /// </summary>
    public string? Language { get; set; }

    /// <summary>The culture <paramref name="language"/> names: null for null or empty, false when it names none.</summary>
    internal static bool TryGetCulture(string? language, out CultureInfo? culture)
    {
        culture = null;
        if (string.IsNullOrWhiteSpace(language))
        {
            return true;
        }

        try
        {
            culture = CultureInfo.GetCultureInfo(language.Trim().ToLowerInvariant(), predefinedOnly: true);
            return true;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }
}
