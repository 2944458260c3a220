using System.Globalization;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tooling;

/// <summary>The outcome of one sample: whether it held, and what was seen.</summary>
/// <param name="Sample">The sample run.</param>
/// <param name="Passed">True when the rule was reported exactly as the sample expects.</param>
/// <param name="Detail">What was seen (e.g. <c>reported 3 time(s), first at line 2</c>), and on failure what was expected.</param>
public sealed record SampleResult(RuleSample Sample, bool Passed, string Detail);

/// <summary>
/// Runs samples (<c>codered rules test</c>): every positive sample must raise its rule, with the count, line and column
/// its expectations name, and every negative sample must not raise it. Each sample is evaluated on its own, as one
/// evidence source (a device case has none), with its model and firmware; the rule under test is switched on at its
/// default severity (so a rule disabled by default is tested too) and every other rule keeps its default, so
/// suppression between rules holds as in use.
/// </summary>
public static class SampleTester
{
    /// <summary>Runs every sample of <paramref name="layout"/> against <paramref name="pack"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<SampleResult> Run(RulePack pack, SampleLayout layout)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(layout);
        return layout.Samples.Select(s => Run(pack, s)).ToArray();
    }

    /// <summary>Runs one sample.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SampleResult Run(RulePack pack, RuleSample sample)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(sample);
        if (pack.FindRule(sample.RuleId) is not { } rule)
        {
            return new SampleResult(sample, false, $"no rule {sample.RuleId} in the pack");
        }

        if (sample.Firmware is not null && !Products.FirmwareVersion.TryParse(sample.Firmware, out _, out var firmwareError))
        {
            return new SampleResult(sample, false, $"the sample's firmware is not a version: {firmwareError}");
        }

        AnalysisReport report;
        try
        {
            report = pack.Evaluate(
                new DeviceEvidence
                {
                    Model = sample.Model,
                    Firmware = sample.Firmware,
                    Patches = sample.Patches,
                    Sources = sample.LogPath is null ? [] : [EvidenceSource.FromFile(sample.LogPath, name: sample.Name)],
                },
                new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule(rule.Id, rule.DefaultSeverity), Culture = CultureInfo.InvariantCulture });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new SampleResult(sample, false, "cannot read the sample: " + e.Message);
        }

        var hits = report.Diagnostics.Where(d => d.Id == rule.Id).ToArray();
        var seen = hits.Length == 0
            ? "not reported"
            : $"reported {hits.Sum(d => (long)d.Count)} time(s)" + (hits[0].Line is { } line ? $", first at line {line}, column {hits[0].Column}" : "");
        if (sample.Kind == SampleKind.Negative)
        {
            return new SampleResult(sample, hits.Length == 0, hits.Length == 0 ? seen : $"{seen}, but the sample is negative");
        }

        if (hits.Length == 0)
        {
            return new SampleResult(sample, false, $"{seen}, but the sample is positive");
        }

        var wrong = new List<string>();
        var count = hits.Sum(d => (long)d.Count);
        if (sample.ExpectedCount is { } c && c != count)
        {
            wrong.Add($"count {c}");
        }

        if (sample.ExpectedLine is { } l && hits[0].Line != l)
        {
            wrong.Add($"line {l}");
        }

        if (sample.ExpectedColumn is { } col && hits[0].Column != col)
        {
            wrong.Add($"column {col}");
        }

        return new SampleResult(sample, wrong.Count == 0, wrong.Count == 0 ? seen : $"{seen}, but the sample expects {string.Join(", ", wrong)}");
    }
}
