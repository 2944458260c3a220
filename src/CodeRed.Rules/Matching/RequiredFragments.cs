using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// A run of plain characters that every match of a pattern contains. <see cref="MaxStart"/> is the largest char offset
/// from the start of the line at which the run can begin, when the pattern is anchored at the line start (<c>^</c>) and
/// everything before the run has a bounded width; otherwise null.
/// </summary>
internal readonly record struct RequiredFragment(string Text, int? MaxStart);

/// <summary>
/// Every literal fragment a pattern requires, in pattern order (all of them, not only the longest): the prefilter
/// searches for the rarest and checks the others (and an anchored one's start offset) on the bytes of a candidate line
/// before anything is decoded. Conservative by design: groups are opaque, a top-level alternation yields nothing, and a
/// construct the reader does not understand ends a run. A fragment that a match might lack would lose matches, so
/// "fewer fragments" is always the safe answer.
/// <para>
/// Fragments are ASCII only (a non-ASCII char ends a run: the byte search cannot know how the source encodes it). In a
/// case-insensitive pattern, <c>k</c> and <c>s</c> also end runs: the regex engine folds them together with the Kelvin
/// sign (U+212A) and the long s (U+017F), which are not ASCII bytes.
/// </para>
/// </summary>
internal static class RequiredFragments
{
    /// <summary>Fragments of a literal pattern: the literal itself, cut into the runs a byte search can use.</summary>
    public static IReadOnlyList<RequiredFragment> OfLiteral(string literal, bool ignoreCase)
    {
        var result = new List<RequiredFragment>();
        Split(literal, null, ignoreCase, result);
        return result;
    }

    /// <summary>Fragments of a regex pattern (options as the loader compiles it: culture-invariant, explicit capture).</summary>
    public static IReadOnlyList<RequiredFragment> OfRegex(string pattern, bool ignoreCase)
    {
        if (pattern.Contains("(?x", StringComparison.Ordinal) || pattern.Contains("(?i", StringComparison.Ordinal) && !ignoreCase)
        {
            return []; // inline options change what characters mean
        }

        var runs = new List<(string Text, int? MaxStart)>();
        var current = new StringBuilder();
        int? currentStart = null;
        var anchored = pattern.StartsWith('^');
        int? offset = anchored ? 0 : null; // max chars consumed so far from the line start, while bounded
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            char? literal = null;
            var width = 1; // chars one repetition of the atom consumes at most
            var atomEnd = i + 1;
            switch (c)
            {
                case '|':
                    return []; // top-level alternation: no fragment is required by every branch
                case '(':
                    var close = GroupEnd(pattern, i);
                    if (close < 0)
                    {
                        return [];
                    }

                    atomEnd = close + 1;
                    width = -1; // unknown
                    break;
                case ')':
                    return []; // unbalanced: the regex would not compile anyway
                case '[':
                    atomEnd = RequiredLiteralExtractor.SkipClass(pattern, i) + 1;
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        return [];
                    }

                    var next = pattern[i + 1];
                    atomEnd = i + 2;
                    if (next is 'b' or 'B' or 'A' or 'z' or 'Z' or 'G')
                    {
                        width = 0;
                    }
                    else if (next is 'p' or 'P')
                    {
                        var brace = pattern.IndexOf('}', i);
                        if (brace < 0)
                        {
                            return [];
                        }

                        atomEnd = brace + 1;
                    }
                    else if (next == 'x')
                    {
                        atomEnd = Math.Min(pattern.Length, i + 4);
                    }
                    else if (next == 'u')
                    {
                        atomEnd = Math.Min(pattern.Length, i + 6);
                    }
                    else if (next == 'c')
                    {
                        atomEnd = Math.Min(pattern.Length, i + 3);
                    }
                    else if (char.IsDigit(next))
                    {
                        // An octal escape or a backreference: skip its digits, match nothing literal.
                        atomEnd = i + 2;
                        while (atomEnd < pattern.Length && char.IsDigit(pattern[atomEnd]))
                        {
                            atomEnd++;
                        }

                        width = next == '0' ? 1 : -1;
                    }
                    else if (char.IsLetter(next))
                    {
                        // \s \d \w \S \t \n \e \k<..> and friends: one char of a class (or a named reference, refused by the loader).
                        if (next == 'k')
                        {
                            return [];
                        }
                    }
                    else
                    {
                        literal = next;
                    }

                    break;
                case '.':
                    break;
                case '^' or '$':
                    width = 0;
                    break;
                case '\r' or '\n':
                    // Lines never hold a line break: as a fragment it could never be found.
                    return [];
                case '*' or '+' or '?':
                    return []; // a quantifier with nothing before it: not understood
                case '{' when Quantifier(pattern, i, out _, out _) > 0:
                    return [];
                default:
                    literal = c;
                    break;
            }

            var quantifierLength = Quantifier(pattern, atomEnd, out var min, out var max);
            i = atomEnd + quantifierLength;
            if (literal is { } ch && min >= 1)
            {
                if (current.Length == 0)
                {
                    currentStart = offset;
                }

                current.Append(ch);
                if (max != 1)
                {
                    Break(); // the char is required, but what follows may repeat it
                }
            }
            else if (width != 0 || literal is not null)
            {
                Break();
            }
            else if (c is '^' or '$' || c == '\\')
            {
                Break(); // anchors between runs: keep the runs apart
            }

            offset = offset is { } o && width >= 0 && max >= 0 ? o + width * max : null;
        }

        Break();
        var result = new List<RequiredFragment>();
        foreach (var (text, start) in runs)
        {
            Split(text, start, ignoreCase, result);
        }

        return result;

        void Break()
        {
            if (current.Length > 0)
            {
                runs.Add((current.ToString(), currentStart));
                current.Clear();
            }
        }
    }

    /// <summary>Cuts a run at chars a byte search cannot stand for; each piece keeps its own maximal start.</summary>
    private static void Split(string text, int? maxStart, bool ignoreCase, List<RequiredFragment> into)
    {
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || !char.IsAscii(text[i]) || ignoreCase && text[i] is 'k' or 'K' or 's' or 'S')
            {
                if (i > start)
                {
                    into.Add(new RequiredFragment(text[start..i], maxStart + start));
                }

                start = i + 1;
            }
        }
    }

    /// <summary>Index of the <c>)</c> closing the group opened at <paramref name="open"/>, or -1.</summary>
    private static int GroupEnd(string pattern, int open)
    {
        var depth = 0;
        for (var i = open; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = RequiredLiteralExtractor.SkipClass(pattern, i);
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>
    /// Length of the quantifier at <paramref name="at"/> (0 when none; then min = max = 1), with its bounds; max is -1
    /// when unbounded. A lazy or possessive suffix is included in the length.
    /// </summary>
    private static int Quantifier(string pattern, int at, out int min, out int max)
    {
        min = max = 1;
        if (at >= pattern.Length)
        {
            return 0;
        }

        var length = 0;
        switch (pattern[at])
        {
            case '?':
                (min, max, length) = (0, 1, 1);
                break;
            case '*':
                (min, max, length) = (0, -1, 1);
                break;
            case '+':
                (min, max, length) = (1, -1, 1);
                break;
            case '{':
                var close = pattern.IndexOf('}', at);
                if (close < 0)
                {
                    return 0;
                }

                var body = pattern.AsSpan(at + 1, close - at - 1);
                var comma = body.IndexOf(',');
                var low = comma < 0 ? body : body[..comma];
                if (!int.TryParse(low, System.Globalization.NumberStyles.None, null, out var n))
                {
                    return 0; // not a quantifier: '{' is then a plain char
                }

                if (comma < 0)
                {
                    (min, max) = (n, n);
                }
                else if (comma == body.Length - 1)
                {
                    (min, max) = (n, -1);
                }
                else if (int.TryParse(body[(comma + 1)..], System.Globalization.NumberStyles.None, null, out var m))
                {
                    (min, max) = (n, m);
                }
                else
                {
                    return 0;
                }

                length = close - at + 1;
                break;
            default:
                return 0;
        }

        if (at + length < pattern.Length && pattern[at + length] is '?' or '+')
        {
            length++;
        }

        return length;
    }
}
