namespace CodeRed.Rules.IO;

/// <summary>
/// A file written whole or not at all: the bytes go to a temporary file in the same folder, flushed to disk, then
/// renamed over the target (a rename within one file system is atomic). A full disk or a crash halfway leaves the
/// old file as it was, never a fragment.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string _target;
    private readonly string _temporary;
    private readonly bool _direct;
    private bool _committed;

    private AtomicFile(string target)
    {
        _target = Path.GetFullPath(target);
        if (FileTree.IsSpecial(_target))
        {
            _temporary = _target;
            _direct = true;
            Stream = new FileStream(_target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
            return;
        }

        var folder = Path.GetDirectoryName(_target) ?? ".";
        _temporary = Path.Combine(folder, $".{Path.GetFileName(_target)}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
    }

    /// <summary>Where to write the content.</summary>
    public FileStream Stream { get; }

    /// <summary>Starts writing <paramref name="path"/>. A FIFO or device (<c>-o /dev/stdout</c>) is written directly: it cannot be renamed over.</summary>
    /// <exception cref="IOException">The temporary file cannot be created (no such folder, no permission, disk full).</exception>
    public static AtomicFile Create(string path) => new(path);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file cannot be written; the old file, if any, is unchanged.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>Flushes the content to disk and renames it over the target.</summary>
    /// <exception cref="IOException">The content could not be written or renamed; the target is unchanged.</exception>
    public void Commit()
    {
        Stream.Flush(flushToDisk: !_direct);
        Stream.Dispose();
        if (!_direct)
        {
            File.Move(_temporary, _target, overwrite: true);
        }

        _committed = true;
    }

    /// <summary>Removes the temporary file unless <see cref="Commit"/> renamed it.</summary>
    public void Dispose()
    {
        try
        {
            Stream.Dispose();
        }
        catch (IOException)
        {
            // Closing flushes what is buffered: on a full disk that fails too; the file is removed anyway.
        }

        if (_committed || _direct)
        {
            return;
        }

        try
        {
            File.Delete(_temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
