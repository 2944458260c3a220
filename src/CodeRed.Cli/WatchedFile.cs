namespace CodeRed.Cli;

/// <summary>
/// An evidence file read once, counting its bytes, so that a file truncated while it is read (log rotation by
/// copy-and-truncate, a writer restarting) is reported rather than giving a silent partial report.
/// </summary>
/// <remarks>
/// It hands its file to the library's parallel scan of a large file (<see cref="Rules.Evaluation.IFileBackedStream"/>),
/// which reads the file directly and leaves it positioned after what it read: what was read is then the file's
/// position, not a count of the bytes that went through <see cref="Read(Span{byte})"/>.
/// </remarks>
internal sealed class WatchedFile(string displayName, Stream inner) : Stream, Rules.Evaluation.IFileBackedStream
{
    private readonly long? _lengthAtOpen = inner.CanSeek ? inner.Length : null;
    private readonly long _start = inner.CanSeek ? inner.Position : 0;
    private long _counted;

    FileStream? Rules.Evaluation.IFileBackedStream.File => inner as FileStream;

    private long BytesRead => inner is FileStream { CanSeek: true } file ? file.Position - _start : _counted;

    public string DisplayName { get; } = displayName;

    /// <summary>Opens a file named on the command line; null, with the reason, when it cannot be read.</summary>
    /// <remarks>A FIFO or device named explicitly is opened and read as a stream: that is what was asked for.</remarks>
    public static WatchedFile? Open(string path, out string? error)
    {
        error = null;
        if (!File.Exists(path))
        {
            error = Directory.Exists(path) ? "a folder" : "no such file";
            return null;
        }

        try
        {
            return new WatchedFile(path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            return null;
        }
    }

    /// <summary>What went wrong with the size while the file was read, or null when it stayed whole.</summary>
    public string? Shrank()
    {
        if (_lengthAtOpen is not { } before)
        {
            return null; // a pipe or a device: no size to compare with
        }

        long now;
        try
        {
            now = inner.Length;
        }
        catch (IOException)
        {
            return null;
        }

        return BytesRead < before ? $"shrank while it was read ({before} bytes when opened, {BytesRead} read)"
            : now < BytesRead ? $"was truncated while it was read (now {now} bytes, {BytesRead} read)"
            : null;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        _counted += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
