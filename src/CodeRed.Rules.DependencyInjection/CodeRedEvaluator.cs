using System.Globalization;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// The registered <see cref="ICodeRedEvaluator"/>: reads the pack once per call, with the last valid options.
/// The engine records the evaluation metrics (meter <c>CodeRed.Rules</c>).
/// </summary>
/// <remarks>
/// Whether options are valid depends on the pack too: a severity setting must name a rule or category of the pack
/// in force and the language must be one it carries (<see cref="SeverityConfiguration.Validate"/> and
/// <see cref="RulePack.Languages"/>, the checks the library and the CLI make). They are checked for every new pair
/// of options and pack, when either changes: options that do not fit are logged and the last valid ones stay, as
/// for options that do not parse (<see cref="LastValidOptions"/>); options that never fitted throw.
/// </remarks>
internal sealed class CodeRedEvaluator : ICodeRedEvaluator, IDisposable
{
    /// <summary>The evaluation options for one options instance and one pack.</summary>
    private sealed record Built(CodeRedRulesOptions Source, RulePack Pack, EvaluationOptions Options);

    private readonly IRulePackProvider _provider;
    private readonly LastValidOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private Built? _built;
    private EvaluationOptions? _lastValid;

    private readonly string? _contentRoot;

    public CodeRedEvaluator(IRulePackProvider provider, LastValidOptions options, ILogger logger, string? contentRoot = null)
    {
        _contentRoot = contentRoot;
        _provider = provider;
        _options = options;
        _logger = logger;
        // Checked when the options or the pack change, so a misfit is logged then, not at some later evaluation.
        _options.Changed += OnChanged;
        _provider.PackChanged += OnPackChanged;
    }

    public RulePack Pack => _provider.Current;

    /// <inheritdoc/>
    /// <exception cref="OptionsValidationException">The options were never valid for the pack in force.</exception>
    public EvaluationOptions Options => For(_provider.Current);

    /// <exception cref="OptionsValidationException">A pack id is not built in, a path does not load, or two packs share a rule ID.</exception>
    public IReadOnlyList<RulePack> Packs => PacksFor(_provider.Current);

    public IReadOnlyList<AnalysisReport> EvaluateAll(DeviceEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var packs = PacksFor(_provider.Current);
        var options = For(packs[0]);
        return packs.Count == 1 ? [packs[0].Evaluate(evidence, Fit(options, packs[0]))] : RulePack.EvaluateAll(packs, evidence, options);
    }

    /// <summary>The options with only the severity settings <paramref name="pack"/> has (settings may name rules of another pack in force).</summary>
    private static EvaluationOptions Fit(EvaluationOptions options, RulePack pack) =>
        options.Severity.Validate(pack).Count == 0 ? options : new EvaluationOptions
        {
            Severity = options.Severity.For(pack), Culture = options.Culture, ContextLines = options.ContextLines, MaxDistinctValues = options.MaxDistinctValues, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
        };

    /// <summary>The packs in force beside <paramref name="primary"/>; none while they do not load (then <see cref="Packs"/> says why).</summary>
    private IReadOnlyList<RulePack> Others(RulePack primary)
    {
        try
        {
            return PacksFor(primary).Skip(1).ToArray();
        }
        catch (OptionsValidationException)
        {
            return [];
        }
    }

    /// <summary>The packs beside the primary one, loaded once per options instance.</summary>
    private sealed record Extra(CodeRedRulesOptions Source, RulePack Primary, IReadOnlyList<RulePack> Packs);

    private Extra? _extra;

    private IReadOnlyList<RulePack> PacksFor(RulePack primary)
    {
        var current = _options.Current;
        var extra = Volatile.Read(ref _extra);
        if (extra is not null && ReferenceEquals(extra.Source, current) && ReferenceEquals(extra.Primary, primary))
        {
            return extra.Packs;
        }

        var problems = new List<string>();
        var packs = new List<RulePack> { primary };
        foreach (var id in current.PackIds ?? [])
        {
            if (RulePack.FindBuiltIn(id?.Trim() ?? "") is not { } pack)
            {
                problems.Add($"CodeRedRulesOptions.PackIds: no built-in pack '{id}' (built in: {string.Join(", ", RulePack.BuiltIn.Select(p => p.Identity.Id))}).");
            }
            else if (!packs.Any(p => p.Identity == pack.Identity))
            {
                packs.Add(pack);
            }
        }

        foreach (var path in current.AdditionalRulesPaths ?? [])
        {
            try
            {
                packs.Add(RulePack.LoadFrom(_contentRoot is not null && !Path.IsPathRooted(path) ? Path.Combine(_contentRoot, path) : path));
            }
            catch (RulePackException e)
            {
                problems.Add($"CodeRedRulesOptions.AdditionalRulesPaths: '{path}' does not load: {string.Join("; ", e.Problems.Where(p => p.Severity == ProblemSeverity.Error))}");
            }
        }

        try
        {
            RulePack.EnsureDistinct(packs);
        }
        catch (RulePackException e)
        {
            problems.AddRange(e.Problems.Select(p => "CodeRedRulesOptions: " + p));
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(CodeRedRulesOptions), problems);
        }

        Volatile.Write(ref _extra, new Extra(current, primary, packs));
        return packs;
    }

    public AnalysisReport Evaluate(DeviceEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var pack = _provider.Current; // read once: this call evaluates against this pack, whatever reloads meanwhile
        return pack.Evaluate(evidence, Fit(For(pack), pack));
    }

    public void Dispose()
    {
        _options.Changed -= OnChanged;
        _provider.PackChanged -= OnPackChanged;
    }

    private EvaluationOptions For(RulePack pack)
    {
        var current = _options.Current;
        var built = Volatile.Read(ref _built);
        if (built is not null && ReferenceEquals(built.Source, current) && ReferenceEquals(built.Pack, pack))
        {
            return built.Options;
        }

        lock (_gate)
        {
            var (options, problems) = Build(current, pack, Others(pack));
            if (problems.Count == 0)
            {
                _lastValid = options;
            }
            else if (_lastValid is { } last && Misfits(last, pack) is { Count: 0 })
            {
                Log.OptionsRejected(_logger, string.Join(" ", problems), "the last valid ones");
                options = last;
            }
            else if (_lastValid is not null)
            {
                // The last valid options do not fit this pack either (it dropped a rule they name): the pack's defaults.
                Log.OptionsRejected(_logger, string.Join(" ", problems), "the pack's defaults");
                options = EvaluationOptions.Default;
            }
            else
            {
                throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(CodeRedRulesOptions), problems);
            }

            Volatile.Write(ref _built, new Built(current, pack, options));
            return options;
        }
    }

    private void OnChanged(CodeRedRulesOptions options) => Check();

    private void OnPackChanged(object? sender, RulePackChangedEventArgs e) => Check();

    private void Check()
    {
        try
        {
            _ = Options;
        }
        catch (OptionsValidationException e)
        {
            Log.OptionsRejected(_logger, string.Join(" ", e.Failures), "none yet");
        }
    }

    /// <summary>The evaluation options, and what in <paramref name="options"/> does not fit <paramref name="pack"/>.</summary>
    internal static (EvaluationOptions Options, IReadOnlyList<string> Problems) Build(CodeRedRulesOptions options, RulePack pack, IReadOnlyList<RulePack>? others = null)
    {
        others ??= [];
        var problems = new List<string>();
        CodeRedRulesOptions.TryGetCulture(options.Language, out var culture);
        if (culture is not null && !pack.Languages.Contains(options.Language!.Trim().ToLowerInvariant(), StringComparer.Ordinal))
        {
            problems.Add($"CodeRedRulesOptions.Language '{options.Language}' is not a language the pack {pack.Identity.Id} carries ({string.Join(", ", pack.Languages)}).");
        }

        var severity = SeverityConfiguration.FromSettings(options.SeverityOverrides ?? []);
        // With several packs a setting must fit one of them (each is evaluated with the part that applies to it).
        IEnumerable<string> misfits = others.Count == 0
            ? severity.Validate(pack)
            : severity.Rules.Keys.Where(id => others.Prepend(pack).All(p => p.FindRule(id) is null)).Select(id => $"no rule '{id}' in the packs in force")
                .Concat(severity.Categories.Keys.Where(c => others.Prepend(pack).All(p => !p.Rules.Any(r => string.Equals(r.Category, c, StringComparison.OrdinalIgnoreCase)))).Select(c => $"no category '{c}' in the packs in force"));
        problems.AddRange(misfits.Select(p => "CodeRedRulesOptions.SeverityOverrides: " + p));
        return (new EvaluationOptions { Severity = severity, Culture = culture }, problems);
    }

    /// <summary>The problems of evaluation options built before, against another pack.</summary>
    private static IReadOnlyList<string> Misfits(EvaluationOptions options, RulePack pack)
    {
        var problems = new List<string>(options.Severity.Validate(pack));
        if (options.Culture is { } culture && !pack.Languages.Contains(culture.Name, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"language {culture.Name}");
        }

        return problems;
    }
}
