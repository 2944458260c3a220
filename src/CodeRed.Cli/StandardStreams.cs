namespace CodeRed.Cli;

/// <summary>Standard output went away: a reader that stopped reading (<c>| head -1</c>). Stop at once, quietly.</summary>
internal sealed class BrokenPipeException() : Exception("standard output was closed by its reader");

/// <summary>Standard output cannot be written: closed (<c>&gt;&amp;-</c>), a full disk, <c>/dev/full</c>.</summary>
internal sealed class OutputFailedException(string message) : Exception(message);

/// <summary>
/// Standard output with its failures made plain: a reader gone (EPIPE) becomes <see cref="BrokenPipeException"/>,
/// any other write error <see cref="OutputFailedException"/>. After a failure writes are dropped, so a flush
/// on the way out cannot fail twice.
/// </summary>
internal sealed class GuardedOutputStream(Stream inner) : Stream
{
    private const int BrokenPipe = 32; // EPIPE on Linux and macOS

    private bool _failed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!_failed)
        {
            Guard(buffer, static (s, b) => s.Write(b));
        }
    }

    public override void Flush()
    {
        if (!_failed)
        {
            Guard(default, static (s, _) => s.Flush());
        }
    }

    private delegate void StreamAction(Stream stream, ReadOnlySpan<byte> buffer);

    private void Guard(ReadOnlySpan<byte> buffer, StreamAction action)
    {
        try
        {
            action(inner, buffer);
        }
        catch (IOException e) when (IsBrokenPipe(e))
        {
            _failed = true;
            throw new BrokenPipeException();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            _failed = true;
            throw new OutputFailedException($"cannot write to standard output ({(e is UnauthorizedAccessException ? "it is closed or not writable" : e.Message)})");
        }
    }

    private static bool IsBrokenPipe(IOException e) =>
        e.HResult == BrokenPipe || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// Standard error that never throws: with stderr closed or on <c>/dev/full</c> a message cannot be shown, and
/// failing to show it must not turn an exit code 2 into an abort.
/// </summary>
internal sealed class SafeErrorWriter(TextWriter inner) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Try(() => inner.Write(value));

    public override void Write(string? value) => Try(() => inner.Write(value));

    public override void WriteLine(string? value) => Try(() => inner.WriteLine(value));

    public override void WriteLine() => Try(inner.WriteLine);

    public override void Flush() => Try(inner.Flush);

    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
        }
    }
}
