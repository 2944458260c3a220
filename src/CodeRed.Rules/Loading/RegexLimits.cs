namespace CodeRed.Rules.Loading;

/// <summary>
/// Bounds on what counted repetitions may do to a regex. <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>
/// matches in time linear in the line, but it unrolls every counted repetition (<c>a{1,1000}</c> is a thousand
/// copies of <c>a</c>) into its automaton, and the cost per character grows with the automaton's size once the lazily
/// built DFA gives up: measured on .NET 10, <c>(a|aa){1,50}c</c> scans a million characters in about 30 ms,
/// <c>(a|aa){1,100}c</c> in 0.6 s, <c>(a|aa){1,300}c</c> in 11 s and <c>(a|aa){1,1000}c</c> in over 4 minutes; .NET
/// itself refuses only automata of more than 10,000 nodes. The loader therefore estimates the unrolled size of every
/// regex. It refuses any single count above <see cref="MaxRepetition"/>, and a regex whose repetitions unroll it to
/// more than <see cref="MaxUnrolledSize"/> nodes and beyond its own written length; above <see cref="SlowUnrolledSize"/>
/// it warns. A regex without counted repetitions is never larger than its text, so it is never refused for size.
/// </summary>
internal static class RegexLimits
{
    /// <summary>The largest count a <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> quantifier may name.</summary>
    public const int MaxRepetition = 1000;

    /// <summary>The largest size counted repetitions may unroll a regex to (when that is more than its written length).</summary>
    public const int MaxUnrolledSize = 500;

    /// <summary>Above this unrolled size (and above the regex's own length) the loader warns that matching may be slow.</summary>
    public const int SlowUnrolledSize = 200;

    private const long Cap = 1_000_000_000L;

    /// <summary>The outcome of <see cref="Measure"/>.</summary>
    public readonly record struct Measurement(long UnrolledSize, long LargestCount, string? LargestQuantifier);

    /// <summary>
    /// Estimates the size of the regex once counted repetitions are unrolled: every character, class, escape or
    /// anchor counts 1, alternatives add up, and <c>x{n,m}</c> counts the size of <c>x</c> times the larger bound
    /// (<c>*</c>, <c>+</c> and <c>?</c> do not multiply). It reads the syntax only as far as sizes need and never
    /// throws; a pattern it misreads is still checked by .NET's own limit when it is compiled.
    /// </summary>
    public static Measurement Measure(string pattern)
    {
        var freeSpacing = HasFreeSpacing(pattern);
        var stack = new Stack<Frame>();
        var frame = new Frame();
        long largest = 0;
        string? largestText = null;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    i = SkipEscape(pattern, i);
                    frame.Atom(1);
                    break;
                case '[':
                    i = Matching.RequiredLiteralExtractor.SkipClass(pattern, i);
                    frame.Atom(1);
                    break;
                case '(':
                    if (i + 2 < pattern.Length && pattern[i + 1] == '?' && pattern[i + 2] == '#')
                    {
                        // (?#comment): nothing.
                        var close = pattern.IndexOf(')', i);
                        i = close < 0 ? pattern.Length : close;
                        break;
                    }

                    var bodyStart = SkipGroupPrefix(pattern, i);
                    if (bodyStart < pattern.Length && pattern[bodyStart] == ')' && pattern[bodyStart - 1] != '(')
                    {
                        // (?i) and friends: options only, no atom.
                        i = bodyStart;
                        break;
                    }

                    stack.Push(frame);
                    frame = new Frame();
                    i = bodyStart - 1;
                    break;
                case ')':
                    var size = frame.Total;
                    frame = stack.Count > 0 ? stack.Pop() : new Frame();
                    frame.Atom(size);
                    break;
                case '|':
                    frame.Alternative();
                    break;
                case '*' or '+' or '?':
                    i = SkipLazy(pattern, i);
                    break;
                case '{':
                    if (TryQuantifier(pattern, i, out var end, out var min, out var max))
                    {
                        var count = Math.Max(min, max ?? min);
                        if (count > largest)
                        {
                            largest = count;
                            largestText = pattern[i..(end + 1)];
                        }

                        frame.Repeat(Math.Max(count, 1));
                        i = SkipLazy(pattern, end);
                    }
                    else
                    {
                        frame.Atom(1); // a literal brace
                    }

                    break;
                case '#' when freeSpacing:
                    var newline = pattern.IndexOf('\n', i);
                    i = newline < 0 ? pattern.Length : newline;
                    break;
                case ' ' or '\t' or '\r' or '\n' or '\f' or '\v' when freeSpacing:
                    break;
                default:
                    frame.Atom(1);
                    break;
            }
        }

        while (stack.Count > 0)
        {
            var size = frame.Total;
            frame = stack.Pop();
            frame.Atom(size);
        }

        return new Measurement(frame.Total, largest, largestText);
    }

    private static bool HasFreeSpacing(string pattern)
    {
        // An inline option group that turns x on: (?x), (?ix-s), (?x: ...
        for (var i = pattern.IndexOf("(?", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("(?", i + 2, StringComparison.Ordinal))
        {
            for (var j = i + 2; j < pattern.Length && pattern[j] is 'i' or 'm' or 'n' or 's' or 'x'; j++)
            {
                if (pattern[j] == 'x')
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int SkipEscape(string pattern, int i)
    {
        if (i + 1 >= pattern.Length)
        {
            return i;
        }

        var next = pattern[i + 1];
        if (next is 'p' or 'P' or 'k' && i + 2 < pattern.Length && pattern[i + 2] is '{' or '<' or '\'')
        {
            var close = pattern.IndexOfAny(['}', '>', '\''], i + 3);
            return close < 0 ? pattern.Length - 1 : close;
        }

        return i + 1;
    }

    /// <summary>Index of the first character of a group's body: after <c>(</c>, <c>(?:</c>, <c>(?&lt;name&gt;</c>, <c>(?=</c>, <c>(?i:</c>...</summary>
    private static int SkipGroupPrefix(string pattern, int open)
    {
        var i = open + 1;
        if (i >= pattern.Length || pattern[i] != '?')
        {
            return i;
        }

        i++;
        if (i >= pattern.Length)
        {
            return i;
        }

        switch (pattern[i])
        {
            case ':' or '=' or '!' or '>':
                return i + 1;
            case '<' when i + 1 < pattern.Length && pattern[i + 1] is '=' or '!':
                return i + 2;
            case '<' or '\'':
                var close = pattern.IndexOf(pattern[i] == '<' ? '>' : '\'', i + 1);
                return close < 0 ? pattern.Length : close + 1;
            case '(':
                return i; // a conditional; .NET refuses it under NonBacktracking
            default:
                // Inline options: (?imnsx-imnsx) or (?imnsx-imnsx: body)
                while (i < pattern.Length && (char.IsAsciiLetter(pattern[i]) || pattern[i] == '-'))
                {
                    i++;
                }

                return i < pattern.Length && pattern[i] == ':' ? i + 1 : i;
        }
    }

    private static int SkipLazy(string pattern, int i) => i + 1 < pattern.Length && pattern[i + 1] == '?' ? i + 1 : i;

    /// <summary>Reads <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> at <paramref name="open"/>, as .NET does; anything else is a literal brace.</summary>
    private static bool TryQuantifier(string pattern, int open, out int end, out long min, out long? max)
    {
        end = open;
        min = 0;
        max = null;
        var i = open + 1;
        if (!ReadNumber(pattern, ref i, out min))
        {
            return false;
        }

        if (i < pattern.Length && pattern[i] == '}')
        {
            end = i;
            max = min;
            return true;
        }

        if (i >= pattern.Length || pattern[i] != ',')
        {
            return false;
        }

        i++;
        if (i < pattern.Length && pattern[i] == '}')
        {
            end = i;
            return true;
        }

        if (!ReadNumber(pattern, ref i, out var upper) || i >= pattern.Length || pattern[i] != '}')
        {
            return false;
        }

        max = upper;
        end = i;
        return true;
    }

    private static bool ReadNumber(string pattern, ref int i, out long value)
    {
        value = 0;
        var start = i;
        while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
        {
            value = Math.Min(Cap, value * 10 + (pattern[i] - '0'));
            i++;
        }

        return i > start;
    }

    /// <summary>One level of grouping: the alternatives seen so far, the current sequence, and its last atom.</summary>
    private sealed class Frame
    {
        private long _alternatives;
        private long _sequence;
        private long _last;

        public long Total => Math.Min(Cap, _alternatives + _sequence);

        public void Atom(long size)
        {
            _sequence = Math.Min(Cap, _sequence + size);
            _last = size;
        }

        public void Repeat(long count)
        {
            var repeated = Math.Min(Cap, _last * count);
            _sequence = Math.Min(Cap, _sequence - _last + repeated);
            _last = repeated;
        }

        public void Alternative()
        {
            _alternatives = Math.Min(Cap, _alternatives + _sequence);
            _sequence = 0;
            _last = 0;
        }
    }
}
