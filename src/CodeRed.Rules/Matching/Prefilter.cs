using System.Runtime.CompilerServices;
using System.Buffers;
using System.Collections.Concurrent;

namespace CodeRed.Rules.Matching;

/// <summary>
/// The fast path of evaluation: every literal that some pattern tried on every line requires, searched for
/// all at once with a vectorized multi-substring search. Lines without any of them cannot match anything,
/// so the scanner skips them without decoding them into strings. When some pattern has no required literal,
/// there is no prefilter and every line takes the full path.
/// </summary>
internal sealed class Prefilter
{
    private static readonly ConditionalWeakTable<RulePack, ConcurrentDictionary<string, Prefilter?>> Cache = new();

#if NET9_0_OR_GREATER
    private readonly SearchValues<string> _values;

    private Prefilter(string[] literals, StringComparison comparison)
    {
        Literals = literals;
        _values = SearchValues.Create(literals, comparison);
    }

    /// <summary>Index of the first place any literal starts, or -1.</summary>
    public int IndexOfAny(ReadOnlySpan<char> text) => Literals.Count == 0 ? -1 : text.IndexOfAny(_values);
#else
    private readonly StringComparison _comparison;

    private Prefilter(string[] literals, StringComparison comparison)
    {
        Literals = literals;
        _comparison = comparison;
    }

    /// <summary>Index of the first place any literal starts, or -1 (one vectorized search per literal on .NET 8).</summary>
    public int IndexOfAny(ReadOnlySpan<char> text)
    {
        var best = -1;
        foreach (var literal in Literals)
        {
            var index = (best < 0 ? text : text[..best]).IndexOf(literal.AsSpan(), _comparison);
            if (index >= 0)
            {
                best = index;
            }
        }

        return best;
    }
#endif

    public IReadOnlyList<string> Literals { get; }

    /// <summary>The literals as UTF-8 bytes when all are ASCII and case-sensitive (bytes can then be searched before decoding), else null.</summary>
    public IReadOnlyList<byte[]>? AsciiLiterals { get; private init; }

    /// <summary>The prefilter for a set of active rules, or null when some always-tried pattern has no literal.</summary>
    public static Prefilter? For(RulePack pack, IReadOnlyList<CompiledRule> active)
    {
        var key = string.Join(',', active.Select(r => r.Index));
        return Cache.GetOrCreateValue(pack).GetOrAdd(key, _ => Build(pack, active));
    }

    private static Prefilter? Build(RulePack pack, IReadOnlyList<CompiledRule> active)
    {
        var patterns = active.SelectMany(r => r.Section is { } s ? [s.Start] : r.Patterns)
            .Concat(pack.Records.Select(r => r.Start))
            .Concat(pack.Facts.Select(f => f.Pattern))
            .Concat(pack.CommandEcho is { } echo ? echo.Prompts.Append(echo.Confirmation).OfType<Pattern>() : [])
            .ToList();
        if (patterns.Any(p => p.RequiredLiteral is null))
        {
            return null;
        }

        var comparison = patterns.Any(p => p.Comparison == StringComparison.OrdinalIgnoreCase)
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        var literals = Cover(patterns.Select(p => p.RequiredLiteral!).Distinct(StringComparer.Ordinal).ToList(), comparison);
        var ascii = comparison == StringComparison.Ordinal && literals.All(l => l.All(char.IsAscii));
        return new Prefilter(literals, comparison)
        {
            AsciiLiterals = ascii ? literals.Select(System.Text.Encoding.ASCII.GetBytes).ToArray() : null,
        };
    }

    /// <summary>
    /// Fewer literals make a faster search: a line holding a literal holds each of its substrings, so one
    /// shared substring (at least four chars) can stand for several literals, e.g.
    /// "onnection" for "connection" and "Connection", or "startup" for "startup" and "startup,". Greedy set
    /// cover: take the substring that stands for the most literals not yet covered, longest first on ties.
    /// </summary>
    internal static string[] Cover(List<string> literals, StringComparison comparison)
    {
        const int MinimumShared = 4;
        var uncovered = new List<string>(literals);
        var chosen = new List<string>();
        while (uncovered.Count > 0)
        {
            var best = uncovered[0];
            var bestCount = 1;
            foreach (var literal in uncovered)
            {
                for (var length = literal.Length; length >= MinimumShared; length--)
                {
                    for (var start = 0; start + length <= literal.Length; start++)
                    {
                        var candidate = literal.Substring(start, length);
                        var count = uncovered.Count(l => l.Contains(candidate, comparison));
                        if (count > bestCount || count == bestCount && candidate.Length > best.Length)
                        {
                            best = candidate;
                            bestCount = count;
                        }
                    }
                }
            }

            chosen.Add(best);
            uncovered.RemoveAll(l => l.Contains(best, comparison));
        }

        return [.. chosen];
    }
}
