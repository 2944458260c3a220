using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// Evaluates evidence against the pack in force (from <see cref="IRulePackProvider"/>) with the host's
/// <see cref="CodeRedRulesOptions"/> applied: severity overrides and language. Thread-safe.
/// </summary>
public interface ICodeRedEvaluator
{
    /// <summary>The pack in force now. A report names the pack that produced it in <see cref="AnalysisReport.Pack"/>.</summary>
    RulePack Pack { get; }

    /// <summary>The evaluation options built from the last valid <see cref="CodeRedRulesOptions"/>.</summary>
    EvaluationOptions Options { get; }

    /// <summary>
    /// Evaluates <paramref name="evidence"/> against the pack in force when the call starts; a reload during
    /// the call does not affect it.
    /// </summary>
    AnalysisReport Evaluate(DeviceEvidence evidence);

    /// <summary>
    /// Every pack in force, in order: <see cref="Pack"/> (the pack of <see cref="CodeRedRulesOptions.RulesPath"/> or the
    /// embedded default), then the built-in packs of <see cref="CodeRedRulesOptions.PackIds"/>, then those of
    /// <see cref="CodeRedRulesOptions.AdditionalRulesPaths"/>. Rule IDs are unique across them.
    /// </summary>
    IReadOnlyList<RulePack> Packs => [Pack];

    /// <summary>Evaluates <paramref name="evidence"/> against every pack in <see cref="Packs"/>: one report per pack, in that order.</summary>
    IReadOnlyList<AnalysisReport> EvaluateAll(DeviceEvidence evidence) => [Evaluate(evidence)];
}
