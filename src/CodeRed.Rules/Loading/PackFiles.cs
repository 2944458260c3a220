using System.Reflection;
using System.Text;

namespace CodeRed.Rules.Loading;

/// <summary>One YAML file of a pack: its path relative to the pack root, and its text.</summary>
internal sealed record PackFile(string Path, string Text);

/// <summary>Finds the files of a pack on disk or in the assembly.</summary>
internal static class PackFiles
{
    /// <summary>Rule files are small; anything larger is refused before it is parsed.</summary>
    public const int MaxFileChars = 2 * 1024 * 1024;

    /// <summary>A file on disk longer than this many bytes is refused by its length, before any of it is read.</summary>
    public const long MaxFileBytes = MaxFileChars;

    /// <summary>All files of a pack on disk together: 2000 files of 2 MiB each would otherwise be 4 GiB of text.</summary>
    public const long MaxPackBytes = 16 * 1024 * 1024;

    public const int MaxFiles = 2000;

    /// <summary>Bytes no encoding can turn into fewer than <see cref="MaxFileChars"/> + 1 characters (UTF-32 uses 4 per character).</summary>
    private const long MaxStreamBytes = 4L * MaxFileChars + 4;

    public static IReadOnlyList<PackFile> FromPath(string path)
    {
        if (File.Exists(path))
        {
            return [Read(path, System.IO.Path.GetFileName(path))];
        }

        if (!Directory.Exists(path))
        {
            throw Refuse(path, 0, "no such file or directory");
        }

        var root = System.IO.Path.GetFullPath(path);
        List<(string Full, string Relative)> files;
        try
        {
            // Take one more than allowed, so a directory of a million files is refused without listing them all.
            files = Directory.EnumerateFiles(root, "*.*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, MatchType = MatchType.Win32 })
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Select(f => (Full: f, Relative: System.IO.Path.GetRelativePath(root, f).Replace('\\', '/')))
                .Where(f => !f.Relative.Split('/').Contains("samples", StringComparer.OrdinalIgnoreCase))
                .Take(MaxFiles + 1)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse(path, 0, "cannot read the directory: " + e.Message);
        }

        if (files.Count > MaxFiles)
        {
            throw Refuse(path, 0, $"more than {MaxFiles} rule files");
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        long total = 0;
        foreach (var (full, relative) in files)
        {
            total += Length(full, relative);
        }

        if (total > MaxPackBytes)
        {
            throw Refuse(path, 0, $"the rule files add up to {total} bytes, more than {MaxPackBytes / (1024 * 1024)} MiB; rule packs are small, this is not one");
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

    /// <summary>The file's length in bytes; a file longer than <see cref="MaxFileBytes"/> is refused without being opened.</summary>
    private static long Length(string fullPath, string relative)
    {
        long length;
        try
        {
            length = new FileInfo(fullPath).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse(relative, 0, "cannot read the file: " + e.Message);
        }

        return length > MaxFileBytes ? throw TooLarge(relative) : length;
    }

    private static PackFile Read(string fullPath, string relative)
    {
        // The length first: a 100 MB file is refused without reading any of it.
        Length(fullPath, relative);
        try
        {
            // Still read with a bound: devices and pipes (/dev/zero) report a length of 0.
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return new PackFile(relative, ReadBounded(reader, relative));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse(relative, 0, "cannot read the file: " + e.Message);
        }
    }

    /// <summary>Reads a stream of YAML, refusing one that cannot be small enough (by its length when it has one) or turns out not to be.</summary>
    public static string ReadBounded(Stream stream, string name)
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxStreamBytes)
        {
            throw TooLarge(name);
        }

        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        return ReadBounded(reader, name);
    }

    /// <summary>Reads at most <see cref="MaxFileChars"/> characters, in small pieces; one more is refused.</summary>
    public static string ReadBounded(TextReader reader, string name)
    {
        var text = new StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (text.Length + read > MaxFileChars)
            {
                throw TooLarge(name);
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }

    private static RulePackException TooLarge(string name) =>
        Refuse(name, 1, $"the file is larger than {MaxFileChars / (1024 * 1024)} MiB; rule files are small, this is not one");

    private static RulePackException Refuse(string name, int line, string message) =>
        new([new PackProblem(name, line, line, ProblemSeverity.Error, message)]);
}
