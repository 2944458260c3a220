using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Model;

/// <summary>
/// The one place that spells every enumerated name the rule files and the outputs share (YAML values, JSON, SARIF
/// properties, CSAF, the docs and the CLI). Spelled by hand in each writer, they drifted ("not affected" beside
/// "not-affected"); a test checks each table covers its enum and the JSON schema lists the same names. Severity names
/// are public API and live in <see cref="SeverityNames"/>.
/// </summary>
internal static class WireNames
{
    public static readonly WireNameTable<ModelStatus> ModelStatus = new(
        (Products.ModelStatus.Affected, "affected"),
        (Products.ModelStatus.NotAffected, "not-affected"));

    public static readonly WireNameTable<RuleStatus> RuleStatus = new(
        (CodeRed.Rules.RuleStatus.Experimental, "experimental"),
        (CodeRed.Rules.RuleStatus.Test, "test"),
        (CodeRed.Rules.RuleStatus.Stable, "stable"),
        (CodeRed.Rules.RuleStatus.Deprecated, "deprecated"));

    public static readonly WireNameTable<RuleKind> RuleKind = new(
        (CodeRed.Rules.RuleKind.Device, "device"),
        (CodeRed.Rules.RuleKind.Line, "line"),
        (CodeRed.Rules.RuleKind.Section, "section"));

    /// <summary>How a device's version stands against its fix, as <c>when: version:</c> names it.</summary>
    public static readonly WireNameTable<VersionCondition> VersionState = new(
        (VersionCondition.BelowFix, "below-fix"),
        (VersionCondition.Fixed, "fixed"),
        (VersionCondition.Unknown, "unknown"),
        (VersionCondition.OutOfRange, "out-of-range"));

    /// <summary>Whether the fixing patch is known to be installed, as <c>when: patch:</c> names it.</summary>
    public static readonly WireNameTable<PatchCondition> PatchState = new(
        (PatchCondition.Installed, "installed"),
        (PatchCondition.Missing, "missing"),
        (PatchCondition.Unknown, "unknown"));

    public static readonly WireNameTable<RemediationStepStatus> StepStatus = new(
        (RemediationStepStatus.Open, "open"),
        (RemediationStepStatus.Done, "done"),
        (RemediationStepStatus.Undone, "undone"));

    /// <summary><c>when: fix:</c> (is a fix released for the model).</summary>
    public static readonly IReadOnlyDictionary<string, bool> FixState = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        [FixName(true)] = true,
        [FixName(false)] = false,
    };

    public static string FixName(bool available) => available ? "available" : "pending";

    public static string Name(this ModelStatus value) => ModelStatus.Name(value);

    public static string Name(this RuleStatus value) => RuleStatus.Name(value);

    public static string Name(this RuleKind value) => RuleKind.Name(value);


    public static string Name(this RemediationStepStatus value) => StepStatus.Name(value);

    public static string Name(this VersionCondition value) => VersionState.Name(value);

    public static string Name(this PatchCondition value) => PatchState.Name(value);
}

/// <summary>Names of the values of one enum, both ways.</summary>
internal sealed class WireNameTable<T>
    where T : struct, Enum
{
    private readonly Dictionary<T, string> _names = [];

    public WireNameTable(params (T Value, string Name)[] entries)
    {
        var byName = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (value, name) in entries)
        {
            _names.Add(value, name);
            byName.Add(name, value);
        }

        ByName = byName;
        Names = [.. entries.Select(e => e.Name)];
    }

    /// <summary>Value by name, in the order given (what a loader error lists as the choices).</summary>
    public IReadOnlyDictionary<string, T> ByName { get; }

    public IReadOnlyList<string> Names { get; }

    public string Name(T value) => _names.TryGetValue(value, out var name)
        ? name
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"no wire name for {typeof(T).Name}.{value}");
}
