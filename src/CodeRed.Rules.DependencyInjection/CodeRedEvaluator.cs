using CodeRed.Rules.Evaluation;
using Microsoft.Extensions.Options;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// The registered <see cref="ICodeRedEvaluator"/>: reads the pack once per call, with the last valid options.
/// The engine records the evaluation metrics (meter <c>CodeRed.Rules</c>).
/// </summary>
internal sealed class CodeRedEvaluator(IRulePackProvider provider, LastValidOptions options) : ICodeRedEvaluator
{
    /// <summary>The evaluation options built from one options instance; rebuilt when the monitor hands out another.</summary>
    private sealed record Built(CodeRedRulesOptions Source, EvaluationOptions Options);

    private Built? _built;

    public RulePack Pack => provider.Current;

    public EvaluationOptions Options
    {
        get
        {
            var current = options.Current;
            var built = Volatile.Read(ref _built);
            if (built is null || !ReferenceEquals(built.Source, current))
            {
                built = new Built(current, Build(current));
                Volatile.Write(ref _built, built);
            }

            return built.Options;
        }
    }

    public AnalysisReport Evaluate(DeviceEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var settings = Options;
        var pack = provider.Current; // read once: this call evaluates against this pack, whatever reloads meanwhile
        return pack.Evaluate(evidence, settings);
    }

    internal static EvaluationOptions Build(CodeRedRulesOptions options)
    {
        if (!CodeRedRulesOptions.TryGetCulture(options.Language, out var culture))
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(CodeRedRulesOptions),
                [$"CodeRedRulesOptions.Language must be en or ja, not '{options.Language}'."]);
        }

        return new EvaluationOptions
        {
            Severity = SeverityConfiguration.FromSettings(options.SeverityOverrides ?? []),
            Culture = culture,
        };
    }
}
