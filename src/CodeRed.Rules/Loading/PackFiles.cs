using System.Reflection;

namespace CodeRed.Rules.Loading;

/// <summary>One YAML file of a pack: its path relative to the pack root, and its text.</summary>
internal sealed record PackFile(string Path, string Text);

/// <summary>Finds the files of a pack on disk or in the assembly.</summary>
internal static class PackFiles
{
    /// <summary>Rule files are small; anything larger is refused before it is parsed.</summary>
    public const int MaxFileChars = 2 * 1024 * 1024;

    public const int MaxFiles = 2000;

    public static IReadOnlyList<PackFile> FromPath(string path)
    {
        if (File.Exists(path))
        {
            return [Read(path, System.IO.Path.GetFileName(path))];
        }

        if (!Directory.Exists(path))
        {
            throw new RulePackException([new PackProblem(path, 0, 0, ProblemSeverity.Error, "no such file or directory")]);
        }

        var root = System.IO.Path.GetFullPath(path);
        var files = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Select(f => (Full: f, Relative: System.IO.Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Where(f => !f.Relative.Split('/').Contains("samples", StringComparer.OrdinalIgnoreCase))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        if (files.Count > MaxFiles)
        {
            throw new RulePackException([new PackProblem(path, 0, 0, ProblemSeverity.Error, $"more than {MaxFiles} rule files")]);
        }

        return files.Select(f => Read(f.Full, f.Relative)).ToArray();
    }

    public static IReadOnlyList<PackFile> FromEmbedded(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("rules/", StringComparison.Ordinal))
            .OrderBy(n => n["rules/".Length..], StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new PackFile(n["rules/".Length..], reader.ReadToEnd());
            })
            .ToArray();

    private static PackFile Read(string fullPath, string relative)
    {
        try
        {
            using var reader = new StreamReader(fullPath);
            return new PackFile(relative, ReadBounded(reader, relative));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RulePackException([new PackProblem(relative, 0, 0, ProblemSeverity.Error, "cannot read the file: " + e.Message)]);
        }
    }

    public static string ReadBounded(TextReader reader, string name)
    {
        var buffer = new char[MaxFileChars + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = reader.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
        }

        if (total > MaxFileChars)
        {
            throw new RulePackException([new PackProblem(name, 1, 1, ProblemSeverity.Error,
                $"the file is larger than {MaxFileChars / (1024 * 1024)} MiB; rule files are small, this is not one")]);
        }

        return new string(buffer, 0, total);
    }
}
