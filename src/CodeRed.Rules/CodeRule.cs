using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules;

/// <summary>What a rule written in C# is: its ID, texts, category, default severity and help link.</summary>
public sealed record CodeRuleDescriptor
{
    /// <summary>The rule ID: a letter, then 1 to 15 letters or digits; unique in the pack it joins.</summary>
    public required string Id { get; init; }

    /// <summary>A short title.</summary>
    public required LocalizedText Title { get; init; }

    /// <summary>The message template: <c>{count}</c>, <c>{source}</c>, <c>{line}</c> and the names the rule reports as captures.</summary>
    public required LocalizedText Message { get; init; }

    /// <summary>A longer description, or empty.</summary>
    public LocalizedText Description { get; init; } = LocalizedText.Empty;

    /// <summary>The category (for severity settings such as <c>category:LogSignature</c>).</summary>
    public required string Category { get; init; }

    /// <summary>The severity unless settings say otherwise.</summary>
    public required DiagnosticSeverity DefaultSeverity { get; init; }

    /// <summary>A link to the rule's documentation, or empty.</summary>
    public string HelpUri { get; init; } = "";
}

/// <summary>
/// A rule written in C#, added to a pack with <see cref="RulePack.WithRules(CodeRule[])"/>: the engine hands it the lines of each
/// source and it reports hits, which aggregate as a line rule's do (one diagnostic per rule and source, at the first
/// hit, with its count and the distinct values it reported). A rule that throws becomes one <c>CR0001</c> diagnostic
/// and is skipped for the rest of that source; evaluation goes on. One instance serves every evaluation, also on
/// several threads at once: keep no state in it between calls.
/// </summary>
public abstract class CodeRule
{
    /// <summary>Creates the rule with its descriptor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="descriptor"/> is null.</exception>
    protected CodeRule(CodeRuleDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Descriptor = descriptor;
    }

    /// <summary>The rule's ID, texts and severity.</summary>
    public CodeRuleDescriptor Descriptor { get; }

    /// <summary>
    /// Strings one of which every line the rule can hit contains (case-sensitive), so that other lines skip the rule
    /// as they skip the pack's patterns; null (the default) for a rule that must see every line, which makes the
    /// evaluation read every line.
    /// </summary>
    public virtual IReadOnlyList<string>? RequiredLiterals => null;

    /// <summary>Looks at one line and calls <see cref="CodeRuleLine.Report"/> for a hit.</summary>
    public abstract void Analyze(CodeRuleLine line);
}

/// <summary>One line handed to a <see cref="CodeRule"/>, and the way to report a hit on it.</summary>
public sealed class CodeRuleLine
{
    private Action<CodeRuleLine, long, IReadOnlyList<KeyValuePair<string, string>>>? _report;

    internal CodeRuleLine()
    {
    }

    /// <summary>The line's text, without its end (a segment of it for a line longer than 1 Mi characters).</summary>
    public string Text { get; private set; } = "";

    /// <summary>The evidence source's name.</summary>
    public string Source { get; private set; } = "";

    /// <summary>The 1-based line number.</summary>
    public long Number { get; private set; }

    internal void Set(string text, string source, long number, Action<CodeRuleLine, long, IReadOnlyList<KeyValuePair<string, string>>> report)
    {
        Text = text;
        Source = source;
        Number = number;
        _report = report;
    }

    /// <summary>
    /// Reports a hit at <paramref name="column"/> (1-based) with named values (each becomes a property of the finding
    /// and a placeholder of its message). A line counts once per rule, however often it reports.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is below 1.</exception>
    public void Report(long column = 1, params ReadOnlySpan<CodeRuleValue> values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        var list = new KeyValuePair<string, string>[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            list[i] = new(values[i].Name, values[i].Value);
        }

        _report!(this, column, list);
    }
}

/// <summary>A named value a <see cref="CodeRule"/> reports with a hit: a property of the finding and a placeholder of its message.</summary>
/// <param name="Name">The placeholder's name, as the rule's message writes it between braces.</param>
/// <param name="Value">The value found on the line.</param>
public sealed record CodeRuleValue(string Name, string Value);

/// <summary>Turns code rules into compiled rules of a pack.</summary>
internal static partial class CodeRules
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{1,15}$")]
    private static partial Regex IdSyntax();

    public static Matching.CompiledRule Compile(CodeRule rule, int index, string packId)
    {
        var d = rule.Descriptor;
        if (d.Id is null || !IdSyntax().IsMatch(d.Id))
        {
            throw new ArgumentException($"code rule ID '{d.Id}' must be a letter followed by 1 to 15 letters or digits (e.g. XX1001)", nameof(rule));
        }

        var descriptor = new RuleDescriptor
        {
            Id = d.Id,
            Title = d.Title,
            MessageFormat = d.Message,
            Description = d.Description,
            Category = d.Category,
            DefaultSeverity = d.DefaultSeverity,
            IsEnabledByDefault = true,
            HelpUri = d.HelpUri,
            Kind = RuleKind.Line,
            Status = RuleStatus.Stable,
            Version = 1,
            IntroducedIn = "1.0.0",
            Models = [],
            Caveats = [],
            References = [],
            Parameters = new Dictionary<string, int>(),
            Suppresses = [],
            SourceFile = "(code: " + rule.GetType().FullName + ")",
            PackId = packId,
        };

        // The literals stand in the prefilter as patterns do; without any, a pattern with no literal makes every line a candidate.
        var candidates = rule.RequiredLiterals is { Count: > 0 } literals
            ? literals.Select(l => Matching.Pattern.FromLiteral(l, ignoreCase: false)).ToArray()
            : [Matching.Pattern.FromRegex("(?s).", ignoreCase: false, checkConstructs: false, out _)!];
        return new Matching.CompiledRule { Descriptor = descriptor, Patterns = candidates, Code = rule, Index = index };
    }
}
