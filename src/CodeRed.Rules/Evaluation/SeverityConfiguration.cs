using System.ComponentModel;
using CodeRed.Rules.Model;

namespace CodeRed.Rules;

/// <summary>One severity setting as made: the severity it sets, or null for rules turned off (<c>none</c>).</summary>
/// <param name="Severity">The severity, or null for off.</param>
public sealed record SeveritySetting(DiagnosticSeverity? Severity);

/// <summary>
/// Severity settings in the manner of .editorconfig for Roslyn diagnostics: per rule, per category, and for
/// all rules. A rule setting beats a category setting, which beats the setting for all. <c>null</c> (written
/// <c>none</c>) turns a rule off. Immutable: the <c>With</c> methods return new configurations.
/// </summary>
public sealed class SeverityConfiguration
{
    private readonly IReadOnlyDictionary<string, DiagnosticSeverity?> _rules;
    private readonly IReadOnlyDictionary<string, DiagnosticSeverity?> _categories;
    private readonly bool _hasAll;
    private readonly DiagnosticSeverity? _all;

    private SeverityConfiguration(IReadOnlyDictionary<string, DiagnosticSeverity?> rules, IReadOnlyDictionary<string, DiagnosticSeverity?> categories, bool hasAll, DiagnosticSeverity? all)
    {
        _rules = rules;
        _categories = categories;
        _hasAll = hasAll;
        _all = all;
    }

    /// <summary>No settings: every rule keeps its defaults.</summary>
    public static SeverityConfiguration Empty { get; } = new(
        new Dictionary<string, DiagnosticSeverity?>(StringComparer.OrdinalIgnoreCase),
        new Dictionary<string, DiagnosticSeverity?>(StringComparer.OrdinalIgnoreCase), false, null);

    /// <summary>
    /// Sets one rule's severity; null hides its findings. A configuration can be built before the pack is known, so the
    /// ID is checked against a pack by <see cref="Validate"/>, which every evaluation runs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or white space.</exception>
    public SeverityConfiguration WithRule(string id, DiagnosticSeverity? severity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new(With(_rules, id.Trim(), severity), _categories, _hasAll, _all);
    }

    /// <summary>Sets the severity of every rule in a category; null hides their findings. Checked by <see cref="Validate"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="category"/> is null, empty or white space.</exception>
    public SeverityConfiguration WithCategory(string category, DiagnosticSeverity? severity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        return new(_rules, With(_categories, category.Trim(), severity), _hasAll, _all);
    }

    /// <summary>
    /// What this configuration names that <paramref name="pack"/> lacks: one message per unknown rule ID or category,
    /// naming the known ones; empty when every setting applies. The library (at the start of every evaluation), the
    /// CLI and the dependency-injection options validator all use this one check.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="pack"/> is null.</exception>
    public IReadOnlyList<string> Validate(RulePack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var problems = new List<string>();
        foreach (var id in _rules.Keys)
        {
            if (UnknownRule(pack, id) is { } problem)
            {
                problems.Add(problem);
            }
        }

        foreach (var category in _categories.Keys)
        {
            if (UnknownCategory(pack, category) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }

    /// <summary>
    /// This configuration without the settings that name a rule ID or category <paramref name="pack"/> lacks: one
    /// configuration for several packs used together, each evaluated with the part that applies to it. Check the whole
    /// configuration first: a setting no pack in use has is a mistake (<see cref="Validate"/> on each pack).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="pack"/> is null.</exception>
    public SeverityConfiguration For(RulePack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return new(
            _rules.Where(r => UnknownRule(pack, r.Key) is null).ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase),
            _categories.Where(c => UnknownCategory(pack, c.Key) is null).ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase),
            _hasAll, _all);
    }

    /// <summary>The message for a rule ID the pack lacks, or null when it has it.</summary>
    internal static string? UnknownRule(RulePack pack, string id) =>
        pack.FindRule(id) is not null
            ? null
            : $"no rule '{Shorten(id)}' in pack {pack.Identity.Id} (its rules: {string.Join(", ", pack.Rules.Select(r => r.Id))})";

    /// <summary>The message for a category no rule of the pack has, or null.</summary>
    internal static string? UnknownCategory(RulePack pack, string category)
    {
        var known = pack.Rules.Select(r => r.Category).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        return known.Contains(category, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"no category '{Shorten(category)}' in pack {pack.Identity.Id} (its categories: {string.Join(", ", known)})";
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    /// <summary>Sets the severity of all rules; null turns them off.</summary>
    public SeverityConfiguration WithAll(DiagnosticSeverity? severity) => new(_rules, _categories, true, severity);

    /// <summary>
    /// Reads settings as the CLI's <c>--severity</c> options write them: the key is a rule ID,
    /// <c>category:NAME</c> or <c>all</c>; the value is error, warning, info, hidden or none (findings hidden).
    /// Rule IDs and categories are checked against a pack by <see cref="Validate"/>, which every evaluation runs.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is null.</exception>
    /// <exception cref="FormatException">A key or value is not understood; the message names every such setting.</exception>
    public static SeverityConfiguration FromSettings(IEnumerable<KeyValuePair<string, string>> settings, SeverityConfiguration? start = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = start ?? Empty;
        var errors = new List<string>();
        foreach (var (rawKey, value) in settings)
        {
            var key = rawKey?.Trim() ?? "";
            if (value is null || !SeverityNames.TryParseSetting(value, out var severity))
            {
                errors.Add($"'{key}': '{value}' is not a severity (error, warning, info, hidden, none)");
                continue;
            }

            if (key.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                config = config.WithAll(severity);
            }
            else if (key.StartsWith("category:", StringComparison.OrdinalIgnoreCase))
            {
                var category = key["category:".Length..].Trim();
                if (category.Length == 0)
                {
                    errors.Add($"'{key}': the category name is missing (write category:NAME)");
                    continue;
                }

                config = config.WithCategory(category, severity);
            }
            else if (key.Length == 0 || key.Contains(':', StringComparison.Ordinal) || key.Any(char.IsWhiteSpace))
            {
                errors.Add($"'{key}': expected a rule ID, category:NAME or all");
            }
            else
            {
                config = config.WithRule(key, severity);
            }
        }

        return errors.Count > 0
            ? throw new FormatException("Invalid severity settings: " + string.Join("; ", errors))
            : config;
    }

    /// <summary>Every rule setting, for reports such as SARIF's invocation.</summary>
    public IReadOnlyDictionary<string, DiagnosticSeverity?> Rules => _rules;

    /// <summary>Every category setting.</summary>
    public IReadOnlyDictionary<string, DiagnosticSeverity?> Categories => _categories;

    /// <summary>The setting for all rules, if one was made (as a tuple: use <see cref="AllRules"/>).</summary>
    [Obsolete("Use AllRules: null when no setting for all rules was made, else the SeveritySetting made.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public (bool IsSet, DiagnosticSeverity? Severity) All => (_hasAll, _all);

    /// <summary>The setting for all rules (<c>all=...</c>), or null when none was made.</summary>
    public SeveritySetting? AllRules => _hasAll ? new SeveritySetting(_all) : null;

    /// <summary>The effective severity of a rule, or null when it is off.</summary>
    public DiagnosticSeverity? Resolve(RuleDescriptor rule)
    {
        if (_rules.TryGetValue(rule.Id, out var byRule))
        {
            return byRule;
        }

        if (_categories.TryGetValue(rule.Category, out var byCategory))
        {
            return byCategory;
        }

        if (_hasAll)
        {
            return _all;
        }

        return rule.IsEnabledByDefault ? rule.DefaultSeverity : null;
    }

    private static Dictionary<string, DiagnosticSeverity?> With(IReadOnlyDictionary<string, DiagnosticSeverity?> source, string key, DiagnosticSeverity? value) =>
        new(source, StringComparer.OrdinalIgnoreCase) { [key] = value };
}

/// <summary>Options for one evaluation.</summary>
public sealed class EvaluationOptions
{
    /// <summary>Defaults: rule defaults, the current UI culture's language.</summary>
    public static EvaluationOptions Default { get; } = new();

    /// <summary>Severity settings; checked against the pack (<see cref="SeverityConfiguration.Validate"/>) when an evaluation starts.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public SeverityConfiguration Severity
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value), "EvaluationOptions.Severity must not be null; use SeverityConfiguration.Empty for the rule defaults.");
    } = SeverityConfiguration.Empty;

    /// <summary>
    /// Language of messages and remediation text; null means the current UI culture. A language the pack does not carry
    /// (<see cref="RulePack.Languages"/>) gives an English report; <see cref="AnalysisReport.Culture"/> says which.
    /// </summary>
    public System.Globalization.CultureInfo? Culture { get; init; }

    /// <summary>
    /// How many distinct values of one capture a diagnostic keeps, and a remediation text shows over all sources; the
    /// report says when more were cut. At least 1; default 100.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int MaxDistinctValues
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 100;

    /// <summary>
    /// How many lines before and after each finding's first hit the report keeps (for the HTML report's evidence in
    /// context), 0 to 10; default 0. Above 0, every line of the evidence is decoded, not only the lines the rules'
    /// literals point at, so the scan is slower; memory stays bounded (this many lines, cut at 500 characters, per finding).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 0 or more than 10.</exception>
    public int ContextLines
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
            field = value;
        }
    }

    /// <summary>
    /// How many threads may search one large file on disk (32 MiB or more, read as bytes), default
    /// <see cref="Environment.ProcessorCount"/>; 1 reads every file in one pass. The report is the same either way:
    /// the threads only look for the lines the rules' literals point at, and the lines are judged in file order.
    /// Evaluations running side by side share one budget of <see cref="Environment.ProcessorCount"/> threads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = Environment.ProcessorCount;
}
