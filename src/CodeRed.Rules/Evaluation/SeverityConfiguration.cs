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
