using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace CodeRed.Rules.Matching;

/// <summary>
/// For packs with many rules: which rules may match a candidate line, so that the line runs those rules only, not all
/// of them (with 10,000 literal rules, looping over every rule on every candidate line cost more than the search). A
/// rule may match when the line holds the literal some pattern of it is searched by; rules with a section, and rules
/// with a pattern that names no literal, and rules written in C# (their literals are a hint to the prefilter, not a
/// promise about the lines they need), run on every line they are given.
/// </summary>
internal sealed class RuleCandidates
{
    /// <summary>Below this many rules the loop over all rules costs less than finding the candidates.</summary>
    public const int MinimumRules = 64;

    private static readonly ConditionalWeakTable<RulePack, ConcurrentDictionary<string, RuleCandidates?>> Cache = new();

    private readonly Prefilter _prefilter;
    private readonly int[][] _rulesByLiteral;
    private readonly int[] _always;

    private RuleCandidates(Prefilter prefilter, int[][] rulesByLiteral, int[] always)
    {
        _prefilter = prefilter;
        _rulesByLiteral = rulesByLiteral;
        _always = always;
    }

    /// <summary>The candidates for rules in this order (positions into <paramref name="rules"/>), or null when every rule should run.</summary>
    public static RuleCandidates? For(RulePack pack, IReadOnlyList<CompiledRule> rules)
    {
        if (rules.Count < MinimumRules)
        {
            return null;
        }

        var key = string.Join(',', rules.Select(r => r.Index));
        return Cache.GetOrCreateValue(pack).GetOrAdd(key, _ => Build(rules));
    }

    private static RuleCandidates? Build(IReadOnlyList<CompiledRule> rules)
    {
        var patterns = new List<Pattern>();
        var owners = new List<int>();
        var always = new List<int>();
        for (var position = 0; position < rules.Count; position++)
        {
            var rule = rules[position];
            var searched = rule.SearchPatterns.ToList();
            if (rule.Section is not null || rule.Code is not null || searched.Count == 0 || !rule.AllClausesSearchable || searched.Any(p => !Prefilter.CanSearch(p)))
            {
                always.Add(position);
                continue;
            }

            foreach (var pattern in searched)
            {
                patterns.Add(pattern);
                owners.Add(position);
            }
        }

        var literalOf = new int[patterns.Count];
        if (patterns.Count == 0 || Prefilter.Build(patterns, literalOf) is not { } prefilter)
        {
            return null;
        }

        var byLiteral = new List<int>[prefilter.Literals.Count];
        for (var i = 0; i < patterns.Count; i++)
        {
            (byLiteral[literalOf[i]] ??= []).Add(owners[i]);
        }

        return new RuleCandidates(prefilter, byLiteral.Select(l => l!.Distinct().ToArray()).ToArray(), [.. always]);
    }

    /// <summary>State for one scan (the pack's candidates are shared by every evaluation).</summary>
    public Scan Start() => new(this);

    /// <summary>One scan's lists, reused line after line.</summary>
    internal sealed class Scan(RuleCandidates candidates)
    {
        private readonly List<int> _rules = [];
        private readonly List<int> _found = [];
        private byte[] _ascii = new byte[256];

        /// <summary>Positions (ascending) of the rules that may match the line; valid until the next call.</summary>
        public List<int> Of(ReadOnlySpan<char> line)
        {
            if (_ascii.Length < line.Length)
            {
                _ascii = new byte[Math.Max(line.Length, 2 * _ascii.Length)];
            }

            // One pass narrows the line and says whether it was ASCII.
            return System.Text.Ascii.FromUtf16(line, _ascii, out var written) == System.Buffers.OperationStatus.Done
                ? candidates.Of(_ascii.AsSpan(0, written), _rules, _found)
                : candidates.Of(line, _rules, _found);
        }
    }

    // An ASCII line (nearly every log line) is searched as bytes, by the packed search the prefilter built anyway: the
    // same literals as the search over chars finds (both fold ASCII case only where a literal ignores it), without
    // building a SearchValues of 10,000 strings for it.
    private List<int> Of(ReadOnlySpan<byte> line, List<int> into, List<int> found)
    {
        into.Clear();
        into.AddRange(_always);
        var pos = 0;
        while (pos < line.Length && _prefilter.Search.Find(line, pos, found) is var at and >= 0)
        {
            foreach (var id in found)
            {
                into.AddRange(_rulesByLiteral[id]);
            }

            pos = at + 1;
        }

        return Distinct(into);
    }

    private List<int> Of(ReadOnlySpan<char> line, List<int> into, List<int> _found)
    {
        into.Clear();
        into.AddRange(_always);
        var pos = 0;
        while (pos < line.Length)
        {
            var index = _prefilter.IndexOfAny(line[pos..]);
            if (index < 0)
            {
                break;
            }

            _prefilter.LiteralsAt(line, pos + index, _found);
            foreach (var id in _found)
            {
                into.AddRange(_rulesByLiteral[id]);
            }

            pos += index + 1;
        }

        return Distinct(into);
    }

    private List<int> Distinct(List<int> into)
    {
        if (into.Count > _always.Length)
        {
            into.Sort();
            var kept = 0;
            for (var i = 0; i < into.Count; i++)
            {
                if (i == 0 || into[i] != into[i - 1])
                {
                    into[kept++] = into[i];
                }
            }

            into.RemoveRange(kept, into.Count - kept);
        }

        return into;
    }
}
