using System.Text.RegularExpressions;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;

namespace CodeRed.Rules;

/// <summary>A severity configuration file could not be read; every problem has file, line and column.</summary>
public sealed class SeverityConfigurationException(IReadOnlyList<PackProblem> problems)
    : Exception("The severity configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    /// <summary>Every problem found.</summary>
    public IReadOnlyList<PackProblem> Problems { get; } = problems;
}

/// <summary>
/// Reads severity settings written with the .editorconfig keys Roslyn uses:
/// <c>dotnet_diagnostic.CR2001.severity = error</c> (one rule),
/// <c>dotnet_analyzer_diagnostic.category-LogSignature.severity = warning</c> (a category) and
/// <c>dotnet_analyzer_diagnostic.severity = none</c> (all rules). Section headers and comments are ignored.
/// </summary>
public static partial class SeverityConfigurationFile
{
    [GeneratedRegex(@"^dotnet_diagnostic\.(?<rule>[^.\s]+)\.severity$|^dotnet_analyzer_diagnostic\.category-(?<category>[^.\s]+)\.severity$|^dotnet_analyzer_diagnostic\.severity$", RegexOptions.IgnoreCase)]
    private static partial Regex Key();

    /// <summary>
    /// A configuration file longer than this is refused: real ones are a few lines. The bound holds for files that
    /// report no length (<c>/dev/zero</c>, a pipe) too, since the text is read in pieces.
    /// </summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Reads and parses a configuration file, refusing one larger than <see cref="MaxFileBytes"/>.</summary>
    /// <exception cref="SeverityConfigurationException">The file is too large or has an invalid line; every problem names the file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static SeverityConfiguration Load(string path, RulePack? pack = null, SeverityConfiguration? start = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > MaxFileBytes)
        {
            throw TooLarge(path);
        }

        // Bytes, counted as they come: a device or pipe that never ends is cut off at the bound.
        var bytes = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (bytes.Length + read > MaxFileBytes)
            {
                throw TooLarge(path);
            }

            bytes.Write(buffer, 0, read);
        }

        bytes.Position = 0;
        using var reader = new StreamReader(bytes, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader.ReadToEnd(), path, pack, start);
    }

    private static SeverityConfigurationException TooLarge(string path) =>
        new([new PackProblem(path, 1, 1, ProblemSeverity.Error, $"the file is larger than {MaxFileBytes / 1024} KiB; severity configuration files are a few lines, this is not one")]);

    /// <summary>
    /// Parses the text; rule IDs and categories are checked against <paramref name="pack"/> when given (otherwise when
    /// evaluated, by <see cref="SeverityConfiguration.Validate"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="fileName"/> is null.</exception>
    /// <exception cref="SeverityConfigurationException">A line is not understood; every problem has file, line and column.</exception>
    public static SeverityConfiguration Parse(string text, string fileName, RulePack? pack = null, SeverityConfiguration? start = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var config = start ?? SeverityConfiguration.Empty;
        var problems = new List<PackProblem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';' || trimmed[0] == '[' && trimmed[^1] == ']')
            {
                continue;
            }

            var column = line.Length - line.TrimStart().Length + 1;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                problems.Add(Problem(fileName, i, column, "expected 'key = value'"));
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            var comment = value.IndexOfAny(['#', ';']);
            if (comment >= 0)
            {
                value = value[..comment].Trim();
            }

            var match = Key().Match(key);
            if (!match.Success)
            {
                problems.Add(Problem(fileName, i, column, $"unknown key '{key}' (use dotnet_diagnostic.<ID>.severity, dotnet_analyzer_diagnostic.category-<Category>.severity or dotnet_analyzer_diagnostic.severity)"));
                continue;
            }

            if (!SeverityNames.TryParseSetting(value, out var severity))
            {
                problems.Add(Problem(fileName, i, eq + 2, $"'{value}' is not a severity (error, warning, info, hidden, none)"));
                continue;
            }

            if (match.Groups["rule"].Success)
            {
                var id = match.Groups["rule"].Value;
                if (pack is not null && SeverityConfiguration.UnknownRule(pack, id) is { } unknown)
                {
                    problems.Add(Problem(fileName, i, column, unknown));
                    continue;
                }

                config = config.WithRule(id, severity);
            }
            else if (match.Groups["category"].Success)
            {
                var category = match.Groups["category"].Value;
                if (pack is not null && SeverityConfiguration.UnknownCategory(pack, category) is { } unknown)
                {
                    problems.Add(Problem(fileName, i, column, unknown));
                    continue;
                }

                config = config.WithCategory(category, severity);
            }
            else
            {
                config = config.WithAll(severity);
            }
        }

        return problems.Count > 0 ? throw new SeverityConfigurationException(problems) : config;
    }

    private static PackProblem Problem(string file, int index, int column, string message) =>
        new(file, index + 1, column, ProblemSeverity.Error, message);
}
