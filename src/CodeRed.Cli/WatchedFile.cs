namespace CodeRed.Cli;

/// <summary>
/// An evidence file read once, counting its bytes, so that a file truncated while it is read (log rotation by
/// copy-and-truncate, a writer restarting) is reported rather than giving a silent partial report.
/// </summary>
internal sealed class WatchedFile(string displayName, Stream inner) : Stream
{
    private readonly long? _lengthAtOpen = inner.CanSeek ? inner.Length : null;
    private long _read;

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

        return _read < before ? $"shrank while it was read ({before} bytes when opened, {_read} read)"
            : now < _read ? $"was truncated while it was read (now {now} bytes, {_read} read)"
            : null;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        _read += read;
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
