using System.Text.RegularExpressions;

namespace CodeRed.Rules.Matching;

/// <summary>
/// A compiled signature pattern: a literal or a regular expression, matched anywhere in a line.
/// <para>
/// Safety: every regex must be one that <see cref="RegexOptions.NonBacktracking"/> accepts. The loader refuses
/// the constructs it cannot run (backreferences, lookarounds, atomic groups, conditionals, balancing groups),
/// and the linter (<c>codered rules validate</c>) builds the linear engine for every pattern to prove it. Speed:
/// matching runs first on the backtracking interpreter, which builds in microseconds and extracts captures about
/// ten times faster, under a short match timeout. The first timeout (a line crafted to make the pattern
/// backtrack) switches the pattern to the linear engine for good, so hostile input costs at most one timeout per
/// pattern and never a lost match. The linear engine is built only then: it costs milliseconds and megabytes to
/// build, which pack loading should not pay.
/// </para>
/// A literal every match must contain is extracted at load time and checked first, so most lines never reach a regex.
/// </summary>
internal sealed class Pattern
{
    /// <summary>How long the backtracking interpreter may spend on one line before the pattern switches to the linear engine.</summary>
    internal static readonly TimeSpan FastPathTimeout = TimeSpan.FromMilliseconds(100);

    private const RegexOptions BaseOptions = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private readonly Lazy<Regex>? _linear;
    private readonly FragmentCheck? _check;
    private volatile bool _fastDisabled;

    private Pattern(string source, Regex? regex, string? literal, bool ignoreCase, IReadOnlyList<RequiredFragment>? fragments = null)
    {
        Source = source;
        Regex = regex;
        Literal = literal;
        Comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        RequiredLiteral = literal ?? RequiredLiteralExtractor.Extract(source, ignoreCase);
        Fragments = fragments ?? (literal is null ? RequiredFragments.OfRegex(source, ignoreCase) : RequiredFragments.OfLiteral(literal, ignoreCase));
        _check = Fragments.Count == 0 ? null : new FragmentCheck(Fragments, ignoreCase);
        CaptureNames = regex is null
            ? []
            : regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToArray();
        _linear = regex is null ? null : new Lazy<Regex>(() => new Regex(source, regex.Options | RegexOptions.NonBacktracking));
    }

    /// <summary>
    /// The same pattern with its fragments' start offsets dropped: what a line must hold when the pattern matches a part
    /// of it (a column's value) rather than the line, so that <c>^</c> is the part's start, not the line's.
    /// </summary>
    internal Pattern Unanchored() =>
        new(Source, Regex, Literal, Comparison == StringComparison.OrdinalIgnoreCase, Fragments.Select(f => f with { MaxStart = null }).ToArray());

    /// <summary>The pattern as written in the rule file.</summary>
    public string Source { get; }

    /// <summary>The regex on the backtracking interpreter (with the match timeout), or null for a literal.</summary>
    public Regex? Regex { get; }

    public string? Literal { get; }

    /// <summary>A substring every matching line contains, or null when none could be found.</summary>
    public string? RequiredLiteral { get; }

    public StringComparison Comparison { get; }

    /// <summary>Every fragment a match must contain, in pattern order (what the prefilter searches for and checks).</summary>
    public IReadOnlyList<RequiredFragment> Fragments { get; }

    public IReadOnlyList<string> CaptureNames { get; }

    /// <summary>True once a line made the backtracking path time out; from then on only the linear engine runs.</summary>
    internal bool FastPathDisabled => _fastDisabled;

    public static Pattern FromLiteral(string literal, bool ignoreCase) => new(literal, null, literal, ignoreCase);

    /// <summary>Compiles a regex or returns the reason it cannot be used.</summary>
    public static Pattern? FromRegex(string source, bool ignoreCase, out string? error) => FromRegex(source, ignoreCase, checkConstructs: true, out error);

    /// <summary>
    /// As <see cref="FromRegex(string, bool, out string?)"/>; without <paramref name="checkConstructs"/> the quick scan for
    /// constructs the linear engine refuses is skipped, so tests can reach the linter's own proof on the engine.
    /// </summary>
    internal static Pattern? FromRegex(string source, bool ignoreCase, bool checkConstructs, out string? error)
    {
        var options = BaseOptions | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            var regex = new Regex(source, options, FastPathTimeout);
            if (checkConstructs && LinearEngineRefuses(source) is { } construct)
            {
                error = $"the regex uses {construct}, which is not allowed (backreferences, lookarounds, atomic groups, conditionals, balancing groups, \\G): patterns must run in linear time";
                return null;
            }

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
    }

    /// <summary>
    /// Builds the linear engine and reports whether it accepts the pattern; the engine is dropped, not kept (the
    /// linter checks thousands of patterns, and one engine costs about a megabyte). Evaluation builds its own only
    /// on the first timeout.
    /// </summary>
    public string? VerifyLinear()
    {
        if (Regex is null)
        {
            return null;
        }

        try
        {
            _ = new Regex(Source, Regex.Options | RegexOptions.NonBacktracking);
            return null;
        }
        catch (NotSupportedException e)
        {
            return "the linear-time engine (NonBacktracking) refuses the regex: " + e.Message;
        }
    }

    /// <summary>Cheap test on the line before any regex work: the required fragments, in order.</summary>
    public bool MayMatch(ReadOnlySpan<char> line) => _check is null || _check.Passes(line);

    /// <summary>Lines longer than this are matched in windows of this many characters.</summary>
    internal const int MatchWindow = 8192;

    /// <summary>How far consecutive windows overlap: every match of at most this many characters lies whole in one window.</summary>
    internal const int WindowOverlap = 4096;

    /// <summary>
    /// Matches the line; on success, returns the column (1-based) and fills the captures. A line longer than
    /// <see cref="MatchWindow"/> characters (only hostile input has them) is matched in windows of that size that
    /// overlap by <see cref="WindowOverlap"/>, each window on its own: a greedy capture then ends at the window's end
    /// instead of running on through a megabyte. A match longer than the overlap may be found cut short.
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
            return Found(MatchSafely(line, 0, line.Length), out column, out match);
        }

        for (var start = 0; start < line.Length; start += MatchWindow - WindowOverlap)
        {
            var length = Math.Min(MatchWindow, line.Length - start);
            if (MayMatch(line.AsSpan(start, length)))
            {
                var m = MatchSafely(line, start, length);
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

    /// <summary>
    /// Where the pattern matches the line, without a <see cref="Match"/> object (nothing allocated): for callers that
    /// need no captures. The same answer as <see cref="TryMatch"/>: column 1-based, length of the match.
    /// </summary>
    public bool TryFind(string line, out int column, out int length)
    {
        if (Regex is null || line.Length > MatchWindow)
        {
            var found = TryMatch(line, out column, out var match);
            length = match?.Length ?? Literal?.Length ?? 0;
            return found;
        }

        column = 0;
        length = 0;
        if (!MayMatch(line))
        {
            return false;
        }

        if (!_fastDisabled)
        {
            try
            {
                return First(Regex, line, out column, out length);
            }
            catch (RegexMatchTimeoutException)
            {
                _fastDisabled = true;
            }
        }

        return First(_linear!.Value, line, out column, out length);
    }

    private static bool First(Regex regex, string line, out int column, out int length)
    {
        foreach (var m in regex.EnumerateMatches(line.AsSpan()))
        {
            column = m.Index + 1;
            length = m.Length;
            return true;
        }

        column = 0;
        length = 0;
        return false;
    }

    private static bool Found(Match m, out int column, out Match? match)
    {
        column = m.Index + 1;
        match = m.Success ? m : null;
        return m.Success;
    }

    private Match MatchSafely(string line, int start, int length)
    {
        if (!_fastDisabled)
        {
            try
            {
                return Regex!.Match(line, start, length);
            }
            catch (RegexMatchTimeoutException)
            {
                _fastDisabled = true; // a one-way latch: this pattern met input that makes it backtrack
            }
        }

        return _linear!.Value.Match(line, start, length);
    }

    /// <summary>
    /// The first construct the linear engine cannot run, read from the pattern's text (escapes and character
    /// classes skipped), or null. A miss here is still caught by the linter, which builds the engine.
    /// </summary>
    internal static string? LinearEngineRefuses(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\' when i + 1 < pattern.Length:
                    var next = pattern[++i];
                    if (next is 'k' || next is >= '1' and <= '9')
                    {
                        return "a backreference";
                    }

                    if (next is 'G')
                    {
                        return "a \\G anchor";
                    }

                    break;
                case '[':
                    i = RequiredLiteralExtractor.SkipClass(pattern, i);
                    break;
                case '(' when i + 2 < pattern.Length && pattern[i + 1] == '?':
                    var rest = pattern.AsSpan(i + 2);
                    if (rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!"))
                    {
                        return "a lookaround";
                    }

                    if (rest.StartsWith(">"))
                    {
                        return "an atomic group";
                    }

                    if (rest.StartsWith("("))
                    {
                        return "a conditional";
                    }

                    if (rest[0] is '<' or '\'' && rest[1..].IndexOfAny('>', '\'') + 1 is var close and > 0 && rest[1..close].Contains('-'))
                    {
                        return "a balancing group";
                    }

                    break;
            }
        }

        return null;
    }
}
