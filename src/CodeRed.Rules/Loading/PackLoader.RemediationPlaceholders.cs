using System.Globalization;
using System.Text.RegularExpressions;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Loading;

/// <summary>Remediation placeholders are checked as rule messages are: each must have something behind it.</summary>
internal sealed partial class PackLoader
{
    /// <summary>What a device rule's diagnostic carries, for <c>{RULEID.name}</c>.</summary>
    private static readonly string[] DeviceProperties = ["model", "firmware", "firmwareSource", "fixedIn"];

    /// <summary>Something failed to load already: a placeholder naming a rule not found may name a rule in it, and is not reported as well.</summary>
    private bool _someRuleUnread;

    /// <summary>
    /// Reports every placeholder of a remediation step's <paramref name="key"/> (all languages) that names no built-in
    /// value, no fact, and no capture of a rule (<c>{RULEID.capture}</c>). <c>{source}</c> and <c>{line}</c> belong to
    /// one diagnostic, so they have no value in remediation and are reported too.
    /// </summary>
    private void CheckRemediationPlaceholders(MapReader step, string key, IEnumerable<string> texts, List<CompiledRule> rules, IReadOnlyList<FactSpec> facts)
    {
        if (step.Get(key) is not { } node)
        {
            return;
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var name in MessageTemplate.Parse(text).Names)
            {
                if (reported.Add(name) && RemediationPlaceholderProblem(name, rules, facts, _someRuleUnread) is { } problem)
                {
                    step.Error(node, $"the {key} of a remediation step uses '{{{Shorten(name)}}}', but {problem}");
                }
            }
        }
    }

    private static string? RemediationPlaceholderProblem(string name, List<CompiledRule> rules, IReadOnlyList<FactSpec> facts, bool someRuleUnread)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            if (name is "source" or "line")
            {
                return $"'{name}' belongs to one diagnostic and has no value in remediation (use {{RULEID.capture}} for captured values)";
            }

            return BuiltInPlaceholders.Contains(name) || facts.Any(f => f.Name == name)
                ? null
                : $"no built-in value or fact of that name exists (facts: {(facts.Count == 0 ? "none" : string.Join(", ", facts.Select(f => f.Name)))}; a rule's captures are written {{RULEID.capture}})";
        }

        var id = name[..dot];
        var capture = name[(dot + 1)..];
        if (rules.FirstOrDefault(r => r.Descriptor.Id == id) is not { } rule)
        {
            return someRuleUnread ? null : $"no rule '{Shorten(id)}' is in the pack";
        }

        var captures = CapturesOf(rule);
        return captures.Contains(capture)
            ? null
            : $"rule {id} has no capture '{Shorten(capture)}' (it has: {(captures.Count == 0 ? "none" : string.Join(", ", captures.Order(StringComparer.Ordinal)))})";
    }

    /// <summary>The names a rule's diagnostics carry values for: its captures (with <c>rows</c> for a section), or the device properties.</summary>
    private static HashSet<string> CapturesOf(CompiledRule rule)
    {
        if (rule.Device is not null)
        {
            return new HashSet<string>(DeviceProperties, StringComparer.Ordinal);
        }

        var names = new HashSet<string>(rule.Patterns.SelectMany(p => p.CaptureNames), StringComparer.Ordinal);
        names.UnionWith(rule.Columns.SelectMany(c => c.Capture.Select(x => x.Name)));
        if (rule.Section is { } section)
        {
            names.UnionWith(section.Count.CaptureNames);
            names.Add("rows");
        }

        return names;
    }

    private static IEnumerable<string> AllLanguages(LocalizedText? text) =>
        text is null ? [] : text.Languages.Select(l => text.Get(CultureInfo.GetCultureInfo(l)));
}
