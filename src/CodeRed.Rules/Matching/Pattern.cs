using System.Text.RegularExpressions;

namespace CodeRed.Rules.Matching;

/// <summary>
/// A compiled signature pattern: a literal or a regular expression, matched anywhere in a line.
/// Regexes run with <see cref="RegexOptions.NonBacktracking"/>, so matching time is linear in the line
/// whatever the pattern. A literal every match must contain is extracted at load time and checked first
/// with a vectorized search, so most lines never reach the regex.
/// </summary>
internal sealed class Pattern
{
    private Pattern(string source, Regex? regex, string? literal, bool ignoreCase)
    {
        Source = source;
        Regex = regex;
        Literal = literal;
        Comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        RequiredLiteral = literal ?? RequiredLiteralExtractor.Extract(source, ignoreCase);
        CaptureNames = regex is null
            ? []
            : regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToArray();
    }

    /// <summary>The pattern as written in the rule file.</summary>
    public string Source { get; }

    public Regex? Regex { get; }

    public string? Literal { get; }

    /// <summary>A substring every matching line contains, or null when none could be found.</summary>
    public string? RequiredLiteral { get; }

    public StringComparison Comparison { get; }

    public IReadOnlyList<string> CaptureNames { get; }

    public static Pattern FromLiteral(string literal, bool ignoreCase) => new(literal, null, literal, ignoreCase);

    /// <summary>Compiles a regex or returns the reason it cannot be used.</summary>
    public static Pattern? FromRegex(string source, bool ignoreCase, out string? error)
    {
        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.ExplicitCapture;
        if (ignoreCase)
        {
            options |= RegexOptions.IgnoreCase;
        }

        try
        {
            // No match timeout: NonBacktracking matching is linear in the input, so a timeout has nothing to guard.
            var regex = new Regex(source, options);
            error = null;
            return new Pattern(source, regex, null, ignoreCase);
        }
        catch (ArgumentException e)
        {
            error = e is RegexParseException parse
                ? $"the regex does not compile: {parse.Error} at offset {parse.Offset}"
                : "the regex cannot be used: " + e.Message;
            return null;
        }
        catch (NotSupportedException e) when (e.Message.Contains("nodes", StringComparison.Ordinal) || e.Message.Contains("automata", StringComparison.Ordinal))
        {
            // .NET's own bound on the unrolled automaton (10,000 nodes); the loader's stricter one usually comes first.
            error = "the regex is too large for the linear-time engine (its counted repetitions unroll into too many automaton nodes): " + e.Message;
            return null;
        }
        catch (NotSupportedException e)
        {
            // NonBacktracking refuses backreferences, lookarounds and atomic groups: the constructs that can backtrack.
            error = "the regex uses a construct that is not allowed (backreferences, lookarounds, atomic groups, conditionals): " + e.Message;
            return null;
        }
    }

    /// <summary>Cheap test on the line before any regex work.</summary>
    public bool MayMatch(ReadOnlySpan<char> line) =>
        RequiredLiteral is null || line.IndexOf(RequiredLiteral.AsSpan(), Comparison) >= 0;

    /// <summary>Lines longer than this are matched in windows of this many characters.</summary>
    internal const int MatchWindow = 8192;

    /// <summary>How far consecutive windows overlap: every match of at most this many characters lies whole in one window.</summary>
    internal const int WindowOverlap = 4096;

    /// <summary>
    /// Matches the line; on success, returns the column (1-based) and fills the captures. A line longer than
    /// <see cref="MatchWindow"/> characters (only hostile input has them) is matched in windows of that size that
    /// overlap by <see cref="WindowOverlap"/>, each window on its own: a greedy capture then ends at the window's end
    /// instead of running on through a megabyte, which costs NonBacktracking's capture phase seconds and gigabytes of
    /// allocations the first time it meets such a length. A match longer than the overlap may be found cut short.
    /// </summary>
    public bool TryMatch(string line, out int column, out Match? match)
    {
        match = null;
        column = 0;
        if (Regex is null)
        {
            var index = line.AsSpan().IndexOf(Literal.AsSpan(), Comparison);
            column = index + 1;
            return index >= 0;
        }

        if (!MayMatch(line))
        {
            return false;
        }

        if (line.Length <= MatchWindow)
        {
            return Found(Regex.Match(line), out column, out match);
        }

        for (var start = 0; start < line.Length; start += MatchWindow - WindowOverlap)
        {
            var length = Math.Min(MatchWindow, line.Length - start);
            if (MayMatch(line.AsSpan(start, length)))
            {
                var m = Regex.Match(line, start, length);
                if (m.Success && m.Index == start && start > 0)
                {
                    // Inside a window, ^ and \b hold at its first character; a real match starting there lay whole in
                    // the window before, which found it or an earlier one. Skip the spurious one.
                    m = m.NextMatch();
                }

                if (m.Success)
                {
                    return Found(m, out column, out match);
                }
            }

            if (start + length >= line.Length)
            {
                break;
            }
        }

        return false;
    }

    private static bool Found(Match m, out int column, out Match? match)
    {
        column = m.Index + 1;
        match = m.Success ? m : null;
        return m.Success;
    }
}
