using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// Receives one line (without its break), its 1-based number, and where it starts within its line: 0, except
/// for the later segments of a line longer than the buffer.
/// </summary>
internal delegate void LineHandler<T>(ReadOnlySpan<T> line, long number, long offset);

/// <summary>Finds the next place in a block where some required literal starts.</summary>
internal interface ICandidateFinder<T>
{
    /// <summary>Called when a new block starts: cached positions are stale.</summary>
    void Reset();

    /// <summary>Index (in <paramref name="block"/>) of the first candidate at or after <paramref name="from"/>, or -1.</summary>
    int Find(ReadOnlySpan<T> block, int from);
}

/// <summary>
/// Takes text as bytes or chars in any chunking and hands lines to a handler as soon as they are complete: every line
/// while the handler needs every line (an open record or section, or no prefilter), otherwise only lines that hold a
/// candidate. The rest are counted, never copied. LF, CRLF and lone CR end lines; a CR at the end of what was written
/// waits for the next chunk (it may be half of a CRLF). A line longer than the buffer is handed over in segments that
/// overlap by <see cref="SegmentOverlap"/>, all with the same line number. The buffer is the only memory it holds.
/// </summary>
internal sealed class LineFeeder<T> : IDisposable where T : unmanaged, IEquatable<T>
{
    public const int SegmentOverlap = 4096;

    private static readonly T Cr = typeof(T) == typeof(byte) ? (T)(object)(byte)'\r' : (T)(object)'\r';
    private static readonly T Lf = typeof(T) == typeof(byte) ? (T)(object)(byte)'\n' : (T)(object)'\n';

    private readonly ICandidateFinder<T>? _finder;
    private readonly Func<bool> _needsEveryLine;
    private readonly LineHandler<T> _onLine;
    private T[]? _buffer;
    private int _length;
    private int _searched; // the buffer before this holds no line break: a write only searches what it added
    private long _line = 1;
    private long _lineOffset; // where the buffer starts within the current line, while an overlong line is read

    public LineFeeder(int bufferSize, ICandidateFinder<T>? finder, Func<bool> needsEveryLine, LineHandler<T> onLine)
    {
        _buffer = ArrayPool<T>.Shared.Rent(bufferSize);
        _finder = finder;
        _needsEveryLine = needsEveryLine;
        _onLine = onLine;
    }

    /// <summary>Lines ended so far (after <see cref="Complete"/>: all lines of the input).</summary>
    public long Lines => _line - 1;

    /// <summary>What waits for its line end: the start of a line not yet complete (at most the buffer size).</summary>
    public ReadOnlySpan<T> Pending => _buffer.AsSpan(0, _length);

    /// <summary>Where the pending text starts within its line (non-zero only inside an overlong line).</summary>
    public long PendingOffset => _lineOffset;

    /// <summary>Puts back the state a snapshot holds: the next line number and the text still waiting for its end.</summary>
    public void Restore(long nextLine, long lineOffset, ReadOnlySpan<T> pending)
    {
        _line = nextLine;
        _lineOffset = lineOffset;
        _length = 0;
        _searched = 0;
        pending.CopyTo(Buffer);
        _length = pending.Length;
    }

    private T[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(LineFeeder<T>));

    /// <summary>Takes the next piece of text; complete lines reach the handler before this returns.</summary>
    public void Write(ReadOnlySpan<T> text)
    {
        var buffer = Buffer;
        while (!text.IsEmpty)
        {
            var n = Math.Min(buffer.Length - _length, text.Length);
            text[..n].CopyTo(buffer.AsSpan(_length));
            _length += n;
            text = text[n..];
            Process(eof: false);
        }
    }

    /// <summary>Reads once from <paramref name="read"/> straight into the buffer; false at end of input.</summary>
    public bool ReadFrom(Func<T[], int, int, int> read)
    {
        var buffer = Buffer;
        var count = read(buffer, _length, buffer.Length - _length);
        if (count <= 0)
        {
            return false;
        }

        _length += count;
        Process(eof: false);
        return true;
    }

    /// <summary>End of input: a last line without a break is a line too. Returns the number of lines in the input.</summary>
    public long Complete()
    {
        Process(eof: true);
        return Lines;
    }

    private void Process(bool eof)
    {
        var buffer = Buffer;
        while (_length > 0)
        {
            var span = buffer.AsSpan(0, _length);
            int complete;
            if (eof)
            {
                complete = _length;
            }
            else
            {
                // A trailing CR may be the first half of a CRLF: keep it for the next chunk.
                var searchEnd = span[^1].Equals(Cr) ? _length - 1 : _length;
                var from = Math.Min(_searched, searchEnd);
                var last = span[from..searchEnd].LastIndexOfAny(Cr, Lf);
                complete = last < 0 ? 0 : from + last + 1;
                _searched = searchEnd;
            }

            if (complete == 0)
            {
                if (_length < buffer.Length)
                {
                    return; // wait for the line's end
                }

                // One line longer than the buffer: hand over this segment, keep an overlap for the next.
                _onLine(span, _line, _lineOffset);
                span[^SegmentOverlap..].CopyTo(buffer);
                _lineOffset += _length - SegmentOverlap;
                _length = SegmentOverlap;
                _searched = SegmentOverlap - 1; // a CR ending the segment is a line end after all
                continue;
            }

            _finder?.Reset();
            _line = FeedLines(span[..complete], _line, _lineOffset, _finder, _needsEveryLine, _onLine);
            _lineOffset = 0;
            span[complete..].CopyTo(buffer);
            _length -= complete;
            _searched = 0;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Feeds whole lines (the last may lack its break only at end of input); returns the next line number. The first
    /// line starts <paramref name="firstLineOffset"/> into its line when it ends an overlong one.
    /// </summary>
    private static long FeedLines(ReadOnlySpan<T> text, long line, long firstLineOffset, ICandidateFinder<T>? finder, Func<bool> needsEveryLine, LineHandler<T> onLine)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            if (finder is not null && !needsEveryLine())
            {
                var candidate = finder.Find(text, pos);
                if (candidate < 0)
                {
                    // A last line without a break (end of input) is a line too, as on the path below.
                    var rest = text[pos..];
                    return line + CountLineBreaks(rest) + (rest[^1].Equals(Cr) || rest[^1].Equals(Lf) ? 0 : 1);
                }

                var lineStart = text[pos..candidate].LastIndexOfAny(Cr, Lf) + 1;
                line += CountLineBreaks(text.Slice(pos, lineStart));
                pos += lineStart;
            }

            var remaining = text[pos..];
            var end = remaining.IndexOfAny(Cr, Lf);
            var lineLength = end < 0 ? remaining.Length : end;
            onLine(remaining[..lineLength], line, pos == 0 ? firstLineOffset : 0);
            line++;
            pos += lineLength + (end < 0 ? 0 : remaining[end].Equals(Cr) && end + 1 < remaining.Length && remaining[end + 1].Equals(Lf) ? 2 : 1);
        }

        return line;
    }

    /// <summary>Line breaks in the text: LF, CRLF and lone CR each end a line.</summary>
    internal static long CountLineBreaks(ReadOnlySpan<T> text) =>
        typeof(T) == typeof(byte)
            ? LineBreaks.Count(MemoryMarshal.Cast<T, byte>(text))
            : LineBreaks.Count(MemoryMarshal.Cast<T, char>(text));
}

/// <summary>The first candidate any of several finders sees (several packs read in one pass).</summary>
internal sealed class AnyCandidateFinder<T>(IReadOnlyList<ICandidateFinder<T>> finders) : ICandidateFinder<T>
{
    public void Reset()
    {
        foreach (var finder in finders)
        {
            finder.Reset();
        }
    }

    public int Find(ReadOnlySpan<T> block, int from)
    {
        var best = -1;
        foreach (var finder in finders)
        {
            var index = finder.Find(block, from);
            if (index >= 0 && (best < 0 || index < best))
            {
                best = index;
            }
        }

        return best;
    }
}

/// <summary>Finds candidate lines in bytes: the prefilter's one-pass literal search, each hit checked on the line's bytes.</summary>
internal sealed class ByteCandidateFinder(Matching.Prefilter prefilter) : ICandidateFinder<byte>
{
    private readonly Matching.CandidateLines _lines = new(prefilter);

    public void Reset() => _lines.Reset();

    public int Find(ReadOnlySpan<byte> block, int from) => _lines.Find(block, from);
}

/// <summary>Finds candidate lines in chars with the prefilter's multi-literal search, each hit checked on the line.</summary>
internal sealed class CharCandidateFinder(Matching.Prefilter prefilter) : ICandidateFinder<char>
{
    private readonly Matching.CandidateLines _lines = new(prefilter);

    public void Reset() => _lines.Reset();

    public int Find(ReadOnlySpan<char> block, int from) => _lines.Find(block, from);
}

/// <summary>Replays bytes already read in front of the rest of a stream (used after peeking at a byte-order mark).</summary>
internal sealed class ReplayStream(byte[] prefix, int count, Stream rest) : Stream
{
    private int _offset;

    /// <summary>Bytes handed out so far, the prefix included: what the evaluation read of the source.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int length)
    {
        if (_offset < count)
        {
            var n = Math.Min(length, count - _offset);
            Array.Copy(prefix, _offset, buffer, offset, n);
            _offset += n;
            BytesRead += n;
            return n;
        }

        var read = rest.Read(buffer, offset, length);
        BytesRead += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Which decoding path a source takes.</summary>
internal static class EncodingChoice
{
    /// <summary>ASCII-compatible encodings keep CR, LF and ASCII letters as single bytes, so bytes can be searched before decoding.</summary>
    public static bool IsAsciiCompatible(Encoding encoding)
    {
        if (encoding is UTF8Encoding || encoding.CodePage is 20127 or 28591)
        {
            return true;
        }

        if (encoding.CodePage is 1200 or 1201 or 12000 or 12001 or 65000)
        {
            return false; // UTF-16, UTF-32, UTF-7
        }

        var probe = encoding.GetBytes("\r\nAz:");
        return probe.AsSpan().SequenceEqual("\r\nAz:"u8);
    }
}
