using System.Buffers;
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
/// Reads text as bytes or chars in bounded blocks and hands lines to a handler: every line while the handler
/// needs every line (an open record or section, or no prefilter), otherwise only lines that hold a candidate.
/// The rest are counted, never copied. LF, CRLF and lone CR end lines. A line longer than the buffer is handed
/// over in segments that overlap by <see cref="SegmentOverlap"/>, all with the same line number.
/// </summary>
internal static class LineFeeder<T> where T : unmanaged, IEquatable<T>
{
    public const int SegmentOverlap = 4096;

    private static readonly T Cr = typeof(T) == typeof(byte) ? (T)(object)(byte)'\r' : (T)(object)'\r';
    private static readonly T Lf = typeof(T) == typeof(byte) ? (T)(object)(byte)'\n' : (T)(object)'\n';
    private static readonly T[] CrLf = [Cr, Lf];

    /// <summary>Feeds every chosen line to <paramref name="onLine"/>; returns the number of lines in the input.</summary>
    public static long Run(Func<T[], int, int, int> read, int bufferSize, ICandidateFinder<T>? finder, Func<bool> needsEveryLine, LineHandler<T> onLine)
    {
        var buffer = ArrayPool<T>.Shared.Rent(bufferSize);
        try
        {
            var length = 0;
            var eof = false;
            long line = 1;
            long lineOffset = 0; // where the buffer starts within the current line, while an overlong line is read
            while (true)
            {
                while (!eof && length < buffer.Length)
                {
                    var count = read(buffer, length, buffer.Length - length);
                    eof = count <= 0;
                    length += Math.Max(count, 0);
                }

                if (length == 0)
                {
                    break;
                }

                var span = buffer.AsSpan(0, length);
                int complete;
                if (eof)
                {
                    complete = length;
                }
                else
                {
                    // A trailing CR may be the first half of a CRLF: keep it for the next block.
                    var searchEnd = span[^1].Equals(Cr) ? length - 1 : length;
                    complete = span[..searchEnd].LastIndexOfAny(Cr, Lf) + 1;
                }

                if (complete == 0)
                {
                    // One line longer than the buffer: hand over this segment, keep an overlap for the next.
                    onLine(span, line, lineOffset);
                    span[^SegmentOverlap..].CopyTo(buffer);
                    lineOffset += length - SegmentOverlap;
                    length = SegmentOverlap;
                    continue;
                }

                finder?.Reset();
                line = FeedLines(span[..complete], line, lineOffset, finder, needsEveryLine, onLine);
                lineOffset = 0;
                span[complete..].CopyTo(buffer);
                length -= complete;
            }

            return line - 1;
        }
        finally
        {
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
    internal static long CountLineBreaks(ReadOnlySpan<T> text)
    {
        var lf = text.Count(Lf);
        var cr = text.Count(Cr);
        return cr == 0 ? lf : lf + cr - text.Count(CrLf);
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
