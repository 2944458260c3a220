using System.Text.RegularExpressions;

namespace CodeRed.Rules.Matching;

/// <summary>
/// A compiled signature pattern: a literal or a regular expression, matched anywhere in a line.
/// Safety comes from <see cref="RegexOptions.NonBacktracking"/>: every regex must compile with it (the loader
/// refuses backreferences, lookarounds and atomic groups), and it matches in time linear in the line whatever
/// the pattern. Speed comes from running the same regex first with the backtracking interpreter, which extracts
/// captures about ten times faster, under a short match timeout: the first timeout (a line crafted to make the
/// pattern backtrack) switches the pattern to the linear engine for good, so hostile input costs at most one
/// timeout per pattern and never a lost match. A literal every match must contain is extracted at load time
/// and checked first, so most lines never reach a regex.
/// </summary>
internal sealed class Pattern
{
    /// <summary>How long the backtracking interpreter may spend on one line before the pattern switches to the linear engine.</summary>
    internal static readonly TimeSpan FastPathTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex? _fast;
    private volatile bool _fastDisabled;

    private Pattern(string source, Regex? regex, Regex? fast, string? literal, bool ignoreCase)
    {
        Source = source;
        Regex = regex;
        _fast = fast;
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

    public static Pattern FromLiteral(string literal, bool ignoreCase) => new(literal, null, null, literal, ignoreCase);

    /// <summary>True once a line made the backtracking path time out; from then on only the linear engine runs.</summary>
    internal bool FastPathDisabled => _fastDisabled;

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
            var fast = new Regex(source, options & ~RegexOptions.NonBacktracking, FastPathTimeout);
            error = null;
            return new Pattern(source, regex, fast, null, ignoreCase);
        }
        catch (ArgumentException e)
        {
            error = e is RegexParseException parse
                ? $"the regex does not compile: {parse.Error} at offset {parse.Offset}"
                : "the regex cannot be used: " + e.Message;
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

        var m = MatchSafely(line);
        column = m.Index + 1;
        if (!m.Success)
        {
            return false;
        }

        match = m;
        return true;
    }

    private Match MatchSafely(string line)
    {
        if (!_fastDisabled)
        {
            try
            {
                return _fast!.Match(line);
            }
            catch (RegexMatchTimeoutException)
            {
                _fastDisabled = true; // a one-way latch: this pattern met input that makes it backtrack
            }
        }

        return Regex!.Match(line);
    }
}
