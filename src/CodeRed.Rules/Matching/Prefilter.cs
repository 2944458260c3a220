using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// The fast path of evaluation. Every pattern tried on every line (rule patterns, section starts, record starts, facts,
/// the command-echo prompts) names the rarest of its required fragments (<see cref="RequiredFragments"/>, ranked by
/// <see cref="ByteFrequency"/>), and all those literals are searched for at once (<see cref="MultiLiteralSearch"/>
/// over bytes, <see cref="SearchValues{T}"/> over chars). A hit is only a candidate line when some pattern that named
/// the literal also passes its <see cref="FragmentCheck"/> on the line (its other fragments in order, an anchored
/// fragment near enough to the line start), still on the bytes. Lines without a candidate cannot match anything, so
/// the scanner skips them without decoding them. When some pattern has no usable fragment there is no prefilter and
/// every line takes the full path.
/// </summary>
internal sealed class Prefilter
{
    /// <summary>A fragment shorter than this is too common to search for on its own (it can still be checked).</summary>
    public const int MinimumSearchLength = 3;

    private static readonly ConditionalWeakTable<RulePack, ConcurrentDictionary<string, Prefilter?>> Cache = new();

    private readonly FragmentCheck[]?[] _checks; // per searched literal: the checks to pass, or null when finding it is enough
    private readonly StringComparison _charComparison;
#if NET9_0_OR_GREATER
    private SearchValues<string>? _charValues; // built when text in memory is first searched: a file's bytes never need it, and 10,000 literals take 45 ms
#endif

    private Prefilter(string[] literals, bool[] ignoreCase, FragmentCheck[]?[] checks)
    {
        Literals = literals;
        LiteralIgnoresCase = ignoreCase;
        _checks = checks;
        _anchoredWithin = Enumerable.Range(0, literals.Length).Select(id => AnchoredWithin(literals[id], checks[id])).ToArray();
        AsciiLiterals = literals.Select(Encoding.ASCII.GetBytes).ToArray();
        Search = new MultiLiteralSearch(AsciiLiterals, ignoreCase);
        _charComparison = ignoreCase.Any(x => x) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _keyChars = Math.Min(4, literals.Min(l => l.Length));
        _byKey = Enumerable.Range(0, literals.Length).GroupBy(id => KeyOf(literals[id].AsSpan(0, _keyChars)))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    private readonly int[] _anchoredWithin; // per literal: the furthest start every check allows it (its first fragment), or -1

    /// <summary>
    /// The largest offset from its line's start at which the first occurrence of literal <paramref name="id"/> in an
    /// ASCII line can pass: every check that names it begins with it, anchored (the prompt `^\s{0,8}Manager` allows 8),
    /// or -1 when some check does not bound it. Lets the scan refuse a hit from its line's start alone.
    /// </summary>
    internal int AnchoredWithin(int id) => _anchoredWithin[id];

    private static int AnchoredWithin(string literal, FragmentCheck[]? checks)
    {
        var within = -1;
        foreach (var check in checks ?? [])
        {
            if (check.Fragments is not [{ MaxStart: { } max } first, ..] || first.Text != literal)
            {
                return -1;
            }

            within = Math.Max(within, max);
        }

        return within;
    }

    private readonly int _keyChars;
    private readonly Dictionary<string, int[]> _byKey; // literals by their first chars, ASCII case folded

    private static string KeyOf(ReadOnlySpan<char> chars)
    {
        Span<char> folded = stackalloc char[chars.Length];
        for (var i = 0; i < chars.Length; i++)
        {
            folded[i] = char.IsAsciiLetterUpper(chars[i]) ? (char)(chars[i] | 0x20) : chars[i];
        }

        return new string(folded);
    }

    /// <summary>The literals searched for, one per distinct rarest fragment.</summary>
    public IReadOnlyList<string> Literals { get; }

    /// <summary>Per literal: searched without ASCII case.</summary>
    public IReadOnlyList<bool> LiteralIgnoresCase { get; }

    /// <summary>The literals as ASCII bytes: bytes of any ASCII-compatible encoding can be searched before decoding.</summary>
    public IReadOnlyList<byte[]> AsciiLiterals { get; }

    internal MultiLiteralSearch Search { get; }

    /// <summary>The prefilter for a set of active rules, or null when some always-tried pattern has no usable fragment.</summary>
    public static Prefilter? For(RulePack pack, IReadOnlyList<CompiledRule> active)
    {
        if (active.Any(r => !r.AllClausesSearchable))
        {
            return null; // a column clause with nothing to search for: every line must reach it
        }

        var key = string.Join(',', active.Select(r => r.Index));
        return Cache.GetOrCreateValue(pack).GetOrAdd(key, _ => Build(PatternsTriedOnEveryLine(pack, active)));
    }

    /// <summary>Every pattern that a line outside any record or section is tried against.</summary>
    internal static List<Pattern> PatternsTriedOnEveryLine(RulePack pack, IReadOnlyList<CompiledRule> active) =>
        active.SelectMany(r => r.Section is { } s ? [s.Start] : r.SearchPatterns)
            .Concat(pack.Records.Select(r => r.Start))
            .Concat(pack.ColumnSets.Select(c => c.Header)) // a header line must reach the column tracker
            .Concat(pack.Facts.Select(f => f.Pattern))
            .Concat(pack.CommandEcho is { } echo ? echo.Prompts.Append(echo.Confirmation).OfType<Pattern>() : [])
            .ToList();

    /// <summary>
    /// Per pattern the rarest fragment (never a shorter, more common cover of several patterns: a common word would make
    /// ordinary lines candidates); patterns naming the same literal share its search. n log n in the number of patterns.
    /// <paramref name="literalOf"/>, when given, receives per pattern the index of its literal.
    /// </summary>
    internal static Prefilter? Build(IReadOnlyList<Pattern> patterns, int[]? literalOf = null)
    {
        var index = new Dictionary<(string, bool), int>();
        var literals = new List<string>();
        var ignoreCase = new List<bool>();
        var checks = new List<Dictionary<string, FragmentCheck>?>();
        for (var n = 0; n < patterns.Count; n++)
        {
            var pattern = patterns[n];
            var caseless = pattern.Comparison == StringComparison.OrdinalIgnoreCase;
            var fragments = pattern.Fragments;
            string? best = null;
            var bestRarity = double.MaxValue;
            foreach (var fragment in fragments)
            {
                if (fragment.Text.Length < MinimumSearchLength && !IsWholeLiteral(pattern, fragment))
                {
                    continue;
                }

                var rarity = ByteFrequency.Rarity(fragment.Text, caseless);
                if (rarity < bestRarity || rarity == bestRarity && fragment.Text.Length > best!.Length)
                {
                    (best, bestRarity) = (fragment.Text, rarity);
                }
            }

            if (best is null)
            {
                return null;
            }

            if (!index.TryGetValue((best, caseless), out var id))
            {
                index[(best, caseless)] = id = literals.Count;
                literals.Add(best);
                ignoreCase.Add(caseless);
                checks.Add(new());
            }

            if (literalOf is not null)
            {
                literalOf[n] = id;
            }

            var check = new FragmentCheck(fragments, caseless);
            if (checks[id] is { } list)
            {
                if (check.IsTrivialFor(best))
                {
                    checks[id] = null; // one pattern needs no more than the literal: every hit is a candidate
                }
                else
                {
                    list.TryAdd(string.Join('\0', fragments.Select(f => f.Text + "\u0001" + f.MaxStart)), check);
                }
            }
        }

        if (literals.Count == 0)
        {
            return null;
        }

        return new Prefilter([.. literals], [.. ignoreCase], checks.Select(c => c?.Values.ToArray()).ToArray());
    }

    /// <summary>Whether the pattern has a fragment long enough to search for.</summary>
    internal static bool CanSearch(Pattern pattern) => pattern.Fragments.Any(f => f.Text.Length >= MinimumSearchLength || IsWholeLiteral(pattern, f));

    /// <summary>A literal pattern is searched for as it is, however short (as before: it is all the pattern asks for).</summary>
    private static bool IsWholeLiteral(Pattern pattern, RequiredFragment fragment) => pattern.Literal == fragment.Text;

    /// <summary>Whether a line holding literal <paramref name="id"/> is a candidate: some pattern naming it passes its check.</summary>
    /// <remarks>Optimized from the first call: it runs on every hit of the search (see MultiLiteralSearch.Verify).</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal bool Passes(int id, ReadOnlySpan<byte> line)
    {
        if (_checks[id] is not { } checks)
        {
            return true;
        }

        foreach (var check in checks)
        {
            if (check.Passes(line))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc cref="Passes(int, ReadOnlySpan{byte})"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal bool Passes(int id, ReadOnlySpan<char> line)
    {
        if (_checks[id] is not { } checks)
        {
            return true;
        }

        foreach (var check in checks)
        {
            if (check.Passes(line))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Index of the first place any literal starts in decoded text, or -1.</summary>
    public int IndexOfAny(ReadOnlySpan<char> text)
    {
#if NET9_0_OR_GREATER
        return text.IndexOfAny(_charValues ??= SearchValues.Create([.. Literals], _charComparison)); // a race builds it twice, alike
#else
        var best = -1;
        foreach (var literal in Literals)
        {
            var index = (best < 0 ? text : text[..best]).IndexOf(literal.AsSpan(), _charComparison);
            if (index >= 0)
            {
                best = index;
            }
        }

        return best;
#endif
    }

    /// <summary>Which literals start at <paramref name="at"/> of decoded text (after <see cref="IndexOfAny"/> found one there).</summary>
    internal void LiteralsAt(ReadOnlySpan<char> text, int at, List<int> found)
    {
        found.Clear();
        if (at + _keyChars > text.Length || !_byKey.TryGetValue(KeyOf(text.Slice(at, _keyChars)), out var ids))
        {
            return;
        }

        foreach (var id in ids)
        {
            var literal = Literals[id];
            if (at + literal.Length <= text.Length && text.Slice(at, literal.Length).Equals(literal, LiteralIgnoresCase[id] ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                found.Add(id);
            }
        }
    }
}
