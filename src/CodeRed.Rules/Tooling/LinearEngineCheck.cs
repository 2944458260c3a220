using System.Text.RegularExpressions;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Tooling;

/// <summary>
/// Proves, for the linter, that the linear-time engine (<see cref="RegexOptions.NonBacktracking"/>) accepts every
/// regex of a pack, in bounded memory and time. Building that engine costs milliseconds and about a megabyte per
/// regex (measured on .NET 10: 9 ms for a 90-character signature), so 10,000 regexes built one by one and kept took
/// 2 minutes and 16 GB. Here regexes with the same options are built together, as one alternation of up to
/// <see cref="MaxBatchSize"/> automaton nodes, and each engine is dropped at once: building 80 such regexes together
/// costs about 0.1 ms per regex. The engine accepts an alternation only when it accepts every branch, so an accepted
/// batch proves each of its regexes; a refused batch is built again one regex at a time, to name the ones refused.
/// </summary>
internal static class LinearEngineCheck
{
    /// <summary>Automaton nodes (as <see cref="RegexLimits.Measure"/> estimates them) in one batch: well below .NET's own 10,000.</summary>
    public const int MaxBatchSize = 4000;

    /// <summary>Regexes in one batch.</summary>
    public const int MaxBatchCount = 100;

    /// <summary>Each pattern the linear engine refuses, with the reason; literals are never refused.</summary>
    public static IEnumerable<(Pattern Pattern, string Refusal)> Refusals(IEnumerable<Pattern> patterns)
    {
        foreach (var group in patterns.Where(p => p.Regex is not null).GroupBy(p => p.Regex!.Options))
        {
            var batch = new List<Pattern>();
            long size = 0;
            foreach (var pattern in group)
            {
                var cost = Math.Max(RegexLimits.Measure(pattern.Source).UnrolledSize, pattern.Source.Length) + 2;
                if (batch.Count > 0 && (size + cost > MaxBatchSize || batch.Count >= MaxBatchCount))
                {
                    foreach (var refusal in Check(batch, group.Key))
                    {
                        yield return refusal;
                    }

                    batch.Clear();
                    size = 0;
                }

                batch.Add(pattern);
                size += cost;
            }

            foreach (var refusal in Check(batch, group.Key))
            {
                yield return refusal;
            }
        }
    }

    private static IEnumerable<(Pattern, string)> Check(List<Pattern> batch, RegexOptions options)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        if (batch.Count > 1)
        {
            // Each regex in its own group, so inline options such as (?i) end with it; the line break ends a
            // free-spacing (?x) comment that would otherwise swallow the group's closing parenthesis.
            var alternation = string.Join("|", batch.Select(p => "(?:" + p.Source + "\n)"));
            try
            {
                _ = new Regex(alternation, options | RegexOptions.NonBacktracking);
                return [];
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException)
            {
                // Refused as a whole (or too large together): find the regexes refused on their own.
            }
        }

        return batch.Select(p => (p, p.VerifyLinear())).Where(r => r.Item2 is not null).Select(r => (r.p, r.Item2!)).ToArray();
    }
}
