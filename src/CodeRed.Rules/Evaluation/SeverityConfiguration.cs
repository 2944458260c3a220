using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

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

    /// <summary>Sets one rule's severity; null turns it off.</summary>
    public SeverityConfiguration WithRule(string id, DiagnosticSeverity? severity) =>
        new(With(_rules, id, severity), _categories, _hasAll, _all);

    /// <summary>Sets the severity of every rule in a category; null turns them off.</summary>
    public SeverityConfiguration WithCategory(string category, DiagnosticSeverity? severity) =>
        new(_rules, With(_categories, category, severity), _hasAll, _all);

    /// <summary>Sets the severity of all rules; null turns them off.</summary>
    public SeverityConfiguration WithAll(DiagnosticSeverity? severity) => new(_rules, _categories, true, severity);

    /// <summary>
    /// Reads settings as the CLI's <c>--severity</c> options write them: the key is a rule ID,
    /// <c>category:NAME</c> or <c>all</c>; the value is error, warning, info, hidden or none (rule off).
    /// Rule IDs are not checked against a pack: a setting for a rule the pack lacks does nothing.
    /// </summary>
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

    /// <summary>The setting for all rules, if one was made.</summary>
    public (bool IsSet, DiagnosticSeverity? Severity) All => (_hasAll, _all);

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

    /// <summary>Severity settings.</summary>
    public SeverityConfiguration Severity { get; init; } = SeverityConfiguration.Empty;

    /// <summary>Language of messages and remediation text; null means the current UI culture. English is the fallback.</summary>
    public System.Globalization.CultureInfo? Culture { get; init; }

    /// <summary>How many distinct values of one capture a diagnostic keeps; the report says when more were cut.</summary>
    public int MaxDistinctValues { get; init; } = 100;
}
