using System.Diagnostics;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Benchmarks;

/// <summary>
/// What the default pack's prefilter searches for and what it finds in FILE: per literal its rarity, the positions
/// where it occurs, and the lines it makes candidates (after the fragment checks); then the lines the whole prefilter
/// hands to the rules. A diagnostic for choosing literals (`dotnet CodeRed.Rules.Benchmarks.dll literals FILE`; RULES=DIR
/// for that pack instead of the default one).
/// </summary>
internal static class LiteralStats
{
    public static int Run(string file)
    {
        var pack = Environment.GetEnvironmentVariable("RULES") is { Length: > 0 } rules ? RulePack.LoadFrom(rules) : RulePack.Default;
        var prefilter = Prefilter.For(pack, pack.CompiledRules) ?? throw new InvalidOperationException("the pack has no prefilter");
        var literals = prefilter.Literals;
        var occurrences = new long[literals.Count];
        var candidateLines = new long[literals.Count];
        long lines = 0, candidates = 0;
        var found = new List<int>();
        var finder = new CandidateLines(prefilter);
        var clock = Stopwatch.StartNew();
        foreach (var line in File.ReadLines(file))
        {
            lines++;
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            var anyCandidate = false;
            for (var at = prefilter.Search.Find(bytes, 0, found); at >= 0; at = prefilter.Search.Find(bytes, at + 1, found))
            {
                foreach (var id in found)
                {
                    occurrences[id]++;
                    if (prefilter.Passes(id, bytes))
                    {
                        candidateLines[id]++;
                        anyCandidate = true;
                    }
                }
            }

            finder.Reset();
            if (finder.Find(bytes, 0) >= 0 != anyCandidate)
            {
                Console.Error.WriteLine($"line {lines}: the candidate finder and the per-literal count disagree");
                return 1;
            }

            candidates += anyCandidate ? 1 : 0;
        }

        Console.WriteLine($"{literals.Count} literals; {lines} lines, {candidates} candidate lines ({100.0 * candidates / Math.Max(1, lines):F2}%), {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"{"literal",-32} {"case",-6} {"rarity",10} {"occurrences",12} {"candidate lines",16}");
        foreach (var id in Enumerable.Range(0, literals.Count).OrderByDescending(id => candidateLines[id]).ThenByDescending(id => occurrences[id]))
        {
            Console.WriteLine($"{literals[id],-32} {(prefilter.LiteralIgnoresCase[id] ? "any" : "exact"),-6} {ByteFrequency.Rarity(literals[id], prefilter.LiteralIgnoresCase[id]),10:G3} {occurrences[id],12} {candidateLines[id],16}");
        }

        return 0;
    }
}
