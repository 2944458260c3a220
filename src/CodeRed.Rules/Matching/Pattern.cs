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

    /// <summary>Matches the line; on success, returns the column (1-based) and fills the captures.</summary>
    public bool TryMatch(string line, out int column, out Match? match)
    {
        match = null;
        if (Regex is null)
        {
            var index = line.AsSpan().IndexOf(Literal.AsSpan(), Comparison);
            column = index + 1;
            return index >= 0;
        }

        if (!MayMatch(line))
        {
            column = 0;
            return false;
        }

        var m = Regex.Match(line);
        column = m.Index + 1;
        if (!m.Success)
        {
            return false;
        }

        match = m;
        return true;
    }
}
