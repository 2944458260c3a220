using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// Finds the longest run of plain characters that every match of a regex must contain. Conservative by
/// design: it only reads the top level of the pattern, gives up on top-level alternation, and treats any
/// construct it does not understand as a break. A wrong answer would lose matches, so "none" is always safe.
/// </summary>
internal static class RequiredLiteralExtractor
{
    public const int MinimumUsefulLength = 3;

    public static string? Extract(string pattern, bool ignoreCase)
    {
        if (pattern.Contains("(?x", StringComparison.Ordinal) || pattern.Contains("(?i", StringComparison.Ordinal) && !ignoreCase)
        {
            return null; // inline options change what characters mean
        }

        var runs = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            char? literal = null;
            switch (c)
            {
                case '(':
                    depth++;
                    Break();
                    continue;
                case ')':
                    depth--;
                    Break();
                    // A quantifier after a group makes the group optional or repeated; nothing to take.
                    continue;
                case '|':
                    if (depth == 0)
                    {
                        return null;
                    }

                    continue;
                case '[':
                    i = SkipClass(pattern, i);
                    Break();
                    continue;
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        return null;
                    }

                    var next = pattern[i + 1];
                    i++;
                    if (char.IsLetterOrDigit(next))
                    {
                        Break(); // \s \d \w \b \p{..} \1 and friends are classes or anchors, not characters
                        if (next is 'p' or 'P' && i + 1 < pattern.Length && pattern[i + 1] == '{')
                        {
                            i = pattern.IndexOf('}', i);
                            if (i < 0)
                            {
                                return null;
                            }
                        }

                        continue;
                    }

                    literal = next;
                    break;
                case '.' or '^' or '$':
                    Break();
                    continue;
                case '\r' or '\n':
                    // Lines never hold a line break; as a prefilter literal it would make the scanner cut lines wrongly.
                    Break();
                    continue;
                case '*' or '+' or '?' or '{':
                    // Quantifiers are handled with the character before them; a stray one ends the run.
                    Break();
                    if (c == '{')
                    {
                        var close = pattern.IndexOf('}', i);
                        i = close < 0 ? i : close;
                    }

                    continue;
                default:
                    literal = c;
                    break;
            }

            if (depth != 0)
            {
                continue;
            }

            // Look at what follows the character: a quantifier changes whether it is required.
            var following = i + 1 < pattern.Length ? pattern[i + 1] : '\0';
            if (following is '?' or '*' || following == '{' && QuantifierAllowsZero(pattern, i + 1))
            {
                Break();
                continue;
            }

            current.Append(literal!.Value);
            if (following is '+' or '{')
            {
                Break(); // the character is required, but what follows it may repeat it
            }
        }

        Break();
        var best = runs.OrderByDescending(r => r.Trim().Length).FirstOrDefault();
        if (best is null || best.Length < MinimumUsefulLength)
        {
            return null;
        }

        // Ordinal case folding agrees with the regex engine's only for ASCII.
        return ignoreCase && best.Any(ch => ch > 0x7F) ? null : best;

        void Break()
        {
            if (current.Length > 0)
            {
                runs.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static bool QuantifierAllowsZero(string pattern, int brace)
    {
        var close = pattern.IndexOf('}', brace);
        if (close < 0)
        {
            return true;
        }

        var body = pattern.AsSpan(brace + 1, close - brace - 1);
        var comma = body.IndexOf(',');
        var min = comma < 0 ? body : body[..comma];
        return !int.TryParse(min, out var n) || n == 0;
    }

    /// <summary>
    /// Index of the <c>]</c> that closes the character class opened at <paramref name="start"/> (escapes and
    /// class subtraction such as <c>[a-z-[aeiou]]</c> included), or the last index when it is not closed.
    /// Shared by every reader of regex text in the engine.
    /// </summary>
    internal static int SkipClass(string pattern, int start)
    {
        var i = start + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        var depth = 1;
        for (; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[' when pattern[i - 1] == '-':
                    depth++;
                    break;
                case ']':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return pattern.Length - 1;
    }
}
