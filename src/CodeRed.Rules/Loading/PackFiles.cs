using System.Reflection;
using System.Text;
using CodeRed.Rules.IO;

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

        // The safe walk: links followed once by (device, inode), loops, FIFOs, devices and unreadable folders
        // refused by name. A pack is all or nothing, so anything skipped would be a rule silently missing.
        // Hidden names are skipped: editors' backup files, .git, and a Kubernetes ConfigMap volume's '..data' and
        // '..<timestamp>' folders, whose files the visible links already lead to (with the same paths, so the
        // same hash, as a plain copy of the folder).
        var files = new List<FileTreeEntry>();
        var problems = new List<PackProblem>();
        var walk = FileTree.Walk(path, new FileTreeOptions
        {
            SkipHidden = true,
            IncludeFile = name => name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase),
            Descend = name => !name.Equals("samples", StringComparison.OrdinalIgnoreCase),
            // A folder with its own manifest is another pack (loaded by its own path or built in), not part of this one.
            DescendPath = folder => !IsPackRoot(folder),
        });
        foreach (var (entry, problem) in walk)
        {
            if (problem is not null)
            {
                var why = problem.Kind switch
                {
                    FileTreeProblemKind.Loop => "; a rule folder must not loop",
                    FileTreeProblemKind.NotRegular => "; rule files must be plain files",
                    _ => "",
                };
                problems.Add(new PackProblem(problem.DisplayPath, 0, 0, ProblemSeverity.Error, problem.Reason + why));
            }
            else if (files.Count == MaxFiles)
            {
                // One more than allowed: a directory of a million files is refused without listing them all.
                throw Refuse(path, 0, $"more than {MaxFiles} rule files");
            }
            else
            {
                files.Add(entry!);
            }
        }

        if (problems.Count > 0)
        {
            throw new RulePackException(problems);
        }

        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        long total = 0;
        foreach (var file in files)
        {
            total += file.Length > MaxFileBytes ? throw TooLarge(file.RelativePath) : file.Length;
        }

        if (total > MaxPackBytes)
        {
            throw Refuse(path, 0, $"the rule files add up to {total} bytes, more than {MaxPackBytes / (1024 * 1024)} MiB; rule packs are small, this is not one");
        }

        return files.Select(Read).ToArray();
    }

    /// <summary>The names a pack's manifest file may have; a folder below a pack root holding one is another pack.</summary>
    public static readonly IReadOnlyList<string> ManifestNames = ["pack.yaml", "pack.yml"];

    /// <summary>The resource prefix of the default pack (the repository's <c>rules/</c> without its nested packs).</summary>
    public const string DefaultPrefix = "rules/";

    /// <summary>The resource prefix below which each nested pack folder of <c>rules/</c> is embedded (<c>packs/webserver/...</c>).</summary>
    public const string NestedPrefix = "packs/";

    /// <summary>Whether a folder holds its own pack manifest.</summary>
    public static bool IsPackRoot(string folder) => ManifestNames.Any(name => File.Exists(System.IO.Path.Join(folder, name)));

    /// <summary>The default pack's files, embedded under <see cref="DefaultPrefix"/>.</summary>
    public static IReadOnlyList<PackFile> FromEmbedded(Assembly assembly) => FromEmbedded(assembly, DefaultPrefix);

    /// <summary>
    /// The resource prefixes of the packs embedded in <paramref name="assembly"/>: <see cref="DefaultPrefix"/> first, then
    /// every folder below <see cref="NestedPrefix"/> holding a manifest, in ordinal order (found by name, not listed in code).
    /// </summary>
    public static IReadOnlyList<string> EmbeddedPrefixes(Assembly assembly)
    {
        var names = assembly.GetManifestResourceNames();
        var nested = names
            .Where(n => n.StartsWith(NestedPrefix, StringComparison.Ordinal) && ManifestNames.Any(m => n.EndsWith("/" + m, StringComparison.Ordinal)))
            .Select(n => n[..(n.LastIndexOf('/') + 1)])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return [.. names.Any(n => n.StartsWith(DefaultPrefix, StringComparison.Ordinal)) ? [DefaultPrefix] : Array.Empty<string>(), .. nested];
    }

    /// <summary>The files of the pack embedded under <paramref name="prefix"/>, without those of packs nested below it.</summary>
    public static IReadOnlyList<PackFile> FromEmbedded(Assembly assembly, string prefix)
    {
        var names = assembly.GetManifestResourceNames();
        var inner = EmbeddedPrefixes(assembly).Where(p => p.Length > prefix.Length && p.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        return names
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !inner.Any(p => n.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(n => n[prefix.Length..], StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new PackFile(n[prefix.Length..], reader.ReadToEnd());
            })
            .ToArray();
    }

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

    private static PackFile Read(FileTreeEntry file)
    {
        try
        {
            using var stream = file.Open();
            return new PackFile(file.RelativePath, ReadBounded(stream, file.RelativePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse(file.RelativePath, 0, "cannot read the file: " + e.Message);
        }
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
