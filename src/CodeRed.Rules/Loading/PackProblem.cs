using CodeRed.Rules.Loading;
namespace CodeRed.Rules;

/// <summary>How serious a problem found in a rule pack is.</summary>
public enum ProblemSeverity
{
    /// <summary>The pack still loads; the linter reports it.</summary>
    Warning,

    /// <summary>The pack does not load.</summary>
    Error,
}

/// <summary>One problem in a rule pack, with the place it was found (1-based line and column).</summary>
public sealed record PackProblem(string File, int Line, int Column, ProblemSeverity Severity, string Message)
{
    /// <summary>The message, always one line: line breaks and other control characters are written as escapes.</summary>
    public string Message { get; init; } = ProblemText.OneLine(Message);

    /// <summary>Formats the problem the way compilers do: <c>file(line,col): error: message</c>.</summary>
    public override string ToString() =>
        $"{File}({Line},{Column}): {(Severity == ProblemSeverity.Error ? "error" : "warning")}: {Message}";
}

/// <summary>
/// Thrown when a rule pack cannot be loaded. It lists every problem found, not only the first;
/// nothing of the pack is loaded.
/// </summary>
public sealed class RulePackException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public RulePackException(IReadOnlyList<PackProblem> problems)
        : base(FormatMessage(problems)) => Problems = problems;

    /// <summary>Every problem found, errors and warnings, in file order.</summary>
    public IReadOnlyList<PackProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<PackProblem> problems)
    {
        var errors = problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
        return $"The rule pack is invalid ({errors.Count} error(s)):" + Environment.NewLine +
               string.Join(Environment.NewLine, errors.Select(p => "  " + p));
    }
}
