using System.Text;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// One evidence source as it arrives: bytes in any chunking (decoded the way a file is: a byte-order mark seen in
/// the first bytes wins, else the encoding asked for, else UTF-8) or text. Complete lines go to
/// the line handler at once; only a line not yet ended (at most the buffer) and up to three bytes of a
/// character not yet complete are held.
/// </summary>
internal sealed class SourceFeed : IDisposable
{
    /// <summary>Chars or bytes held at once; lines longer than this are scanned in overlapping segments.</summary>
    public const int BufferSize = 1 << 20;

    private const int DecodeChunk = 1 << 16;

    /// <summary>Bytes a decoder may hold between writes: a UTF-16 high surrogate and one byte of the next code unit, a UTF-32 unit less one, or a multi-byte character less one.</summary>
    private const int MaxHeld = 8;

    private readonly Encoding? _asked;
    private readonly IReadOnlyList<Matching.Prefilter?> _prefilters;
    private readonly Func<bool> _needsEveryLine;
    private readonly Action<string, long, long> _onLine;
    private readonly byte[] _head = new byte[4];
    private int _headCount;
    private FeedMode _mode;
    private LineFeeder<byte>? _bytes;
    private LineFeeder<char>? _chars;
    private Encoding? _lineEncoding;
    private Decoder? _decoder;
    private Encoding? _decoding;
    private char[]? _decoded;

    // The last bytes given to the decoder and how many were given: a snapshot works out from them which bytes the
    // decoder holds (a code unit or surrogate pair split across writes), never more than MaxHeld.
    private readonly byte[] _lastFed = new byte[MaxHeld];
    private long _fed;
    private Func<ICandidateFinder<byte>>? _newByteFinder;
    private LineHandler<byte>? _byteLine;

    public SourceFeed(string name, Encoding? encoding, IReadOnlyList<Matching.Prefilter?> prefilters, Func<bool> needsEveryLine, Action<string, long, long> onLine)
    {
        Name = name;
        _asked = encoding;
        _prefilters = prefilters;
        _needsEveryLine = needsEveryLine;
        _onLine = onLine;
    }

    public string Name { get; }

    /// <summary>Threads a large file on disk may be searched with (<see cref="EvaluationOptions.MaxDegreeOfParallelism"/>); 1: one pass.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>The encoding asked for when the source began (null: a byte-order mark decides, else UTF-8).</summary>
    public Encoding? AskedEncoding => _asked;

    /// <summary>Bytes written so far (text written as chars is not counted).</summary>
    public long Bytes { get; private set; }

    /// <summary>Lines ended so far.</summary>
    public long Lines => _bytes?.Lines ?? _chars?.Lines ?? 0;

    public FeedMode Mode => _mode;

    public void Write(ReadOnlySpan<byte> data)
    {
        Bytes += data.Length;
        if (_mode == FeedMode.Text)
        {
            throw new InvalidOperationException($"Source '{Name}' was written as text lines; write a source either as bytes or as lines.");
        }

        if (_mode == FeedMode.Undecided)
        {
            var n = Math.Min(_head.Length - _headCount, data.Length);
            data[..n].CopyTo(_head.AsSpan(_headCount));
            _headCount += n;
            data = data[n..];
            if (_headCount < _head.Length)
            {
                return; // the encoding is decided on the first four bytes (or all there are)
            }

            Decide();
        }

        WriteDecided(data);
    }

    /// <summary>Reads a stream to its end (the batch path reads straight into the line buffer).</summary>
    public void WriteAll(Stream stream)
    {
        while (_mode == FeedMode.Undecided)
        {
            var count = stream.Read(_head, _headCount, _head.Length - _headCount);
            if (count <= 0)
            {
                return;
            }

            Bytes += count;
            _headCount += count;
            if (_headCount == _head.Length)
            {
                Decide();
            }
        }

        if (_mode == FeedMode.AsciiBytes)
        {
            // A large file on disk: its candidates are searched on several cores, its lines still judged in order.
            if (MaxDegreeOfParallelism != 1 && _newByteFinder is { } newFinder
                && ParallelScan.TryScan(stream, _bytes!, newFinder, _needsEveryLine, _byteLine!, MaxDegreeOfParallelism) is { } scanned)
            {
                Bytes += scanned;
            }

            while (_bytes!.ReadFrom((buffer, offset, count) =>
            {
                var read = stream.Read(buffer, offset, count);
                Bytes += Math.Max(read, 0);
                return read;
            }))
            {
            }

            return;
        }

        var chunk = new byte[DecodeChunk];
        int got;
        while ((got = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            Write(chunk.AsSpan(0, got));
        }
    }

    /// <summary>Text already decoded; any line breaks in it end lines.</summary>
    public void WriteText(ReadOnlySpan<char> text)
    {
        StartText();
        _chars!.Write(text);
    }

    /// <summary>Reads decoded text to its end.</summary>
    public void WriteAll(TextReader reader)
    {
        StartText();
        while (_chars!.ReadFrom(reader.Read))
        {
        }
    }

    private void StartText()
    {
        if (_mode is FeedMode.AsciiBytes or FeedMode.DecodedBytes || _mode == FeedMode.Undecided && _headCount > 0)
        {
            throw new InvalidOperationException($"Source '{Name}' was written as bytes; write a source either as bytes or as lines.");
        }

        if (_mode == FeedMode.Undecided)
        {
            _mode = FeedMode.Text;
            _chars = CharFeeder();
        }
    }

    /// <summary>Ends the source: a last line without its end, and a character left incomplete, reach the rules.</summary>
    public long Complete()
    {
        if (_mode == FeedMode.Undecided && _headCount > 0)
        {
            Decide();
        }

        if (_decoder is not null)
        {
            var count = _decoder.GetChars([], _decoded, flush: true);
            _chars!.Write(_decoded.AsSpan(0, count));
        }

        return _bytes?.Complete() ?? _chars?.Complete() ?? 0;
    }

    /// <summary>
    /// As the batch reader decides: a UTF-8 byte-order mark means UTF-8; a UTF-16 or UTF-32 mark, an encoding that is
    /// not ASCII-compatible, or a pack whose literals are not all ASCII takes the decoding path; otherwise the
    /// literals are searched in the bytes and only candidate lines are decoded.
    /// </summary>
    private void Decide(bool writeHead = true)
    {
        var bom = _head.AsSpan(0, _headCount);
        var skip = bom.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var wide = bom.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bom.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bom.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
        // A byte-order mark wins over the encoding asked for, as StreamReader does.
        var chosen = skip == 3 ? EvidenceSource.Decoding(null) : EvidenceSource.Decoding(_asked);
        var head = _head[.._headCount];
        if (wide || !EncodingChoice.IsAsciiCompatible(chosen) || _prefilters.Any(p => p is { AsciiLiterals: null }))
        {
            // StreamReader's detection: these marks choose the encoding and are skipped.
            var (detected, length) = DetectByteOrderMark(head);
            var encoding = detected ?? chosen;
            if (detected is null && encoding.Preamble.Length > 0 && head.AsSpan().StartsWith(encoding.Preamble))
            {
                length = encoding.Preamble.Length;
            }

            _mode = FeedMode.DecodedBytes;
            _decoder = encoding.GetDecoder();
            _decoding = encoding;
            _decoded = new char[encoding.GetMaxCharCount(DecodeChunk)];
            _chars = CharFeeder();
            if (writeHead)
            {
                Decode(head.AsSpan(length), flush: false);
            }

            return;
        }

        _mode = FeedMode.AsciiBytes;
        _lineEncoding = chosen;
        ICandidateFinder<byte>? NewFinder()
        {
            ICandidateFinder<byte>? finder = null;
            if (_prefilters.All(p => p is not null))
            {
                var finders = _prefilters.Select(p => (ICandidateFinder<byte>)new ByteCandidateFinder(p!)).ToArray();
                finder = finders.Length == 1 ? finders[0] : new AnyCandidateFinder<byte>(finders);
            }

            return finder;
        }

        var finder = NewFinder();
        _newByteFinder = finder is null ? null : () => NewFinder()!; // ParallelScan's workers each need their own
        var encodingForLines = chosen;
        _byteLine = (line, number, offset) => _onLine(encodingForLines.GetString(line), number, offset);
        _bytes = new LineFeeder<byte>(BufferSize, finder, _needsEveryLine, _byteLine);
        if (writeHead)
        {
            _bytes.Write(head.AsSpan(skip));
        }
    }

    private LineFeeder<char> CharFeeder()
    {
        ICandidateFinder<char>? finder = null;
        if (_prefilters.All(p => p is not null))
        {
            var finders = _prefilters.Select(p => (ICandidateFinder<char>)new CharCandidateFinder(p!)).ToArray();
            finder = finders.Length == 1 ? finders[0] : new AnyCandidateFinder<char>(finders);
        }

        return new LineFeeder<char>(BufferSize, finder, _needsEveryLine, (line, number, offset) => _onLine(new string(line), number, offset));
    }

    private static (Encoding? Encoding, int Length) DetectByteOrderMark(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: true), 2);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return head.Length >= 4 && head[2] == 0 && head[3] == 0
                ? (new UTF32Encoding(bigEndian: false, byteOrderMark: true), 4)
                : (new UnicodeEncoding(bigEndian: false, byteOrderMark: true), 2);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 3);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return (new UTF32Encoding(bigEndian: true, byteOrderMark: true), 4);
        }

        return (null, 0);
    }

    private void WriteDecided(ReadOnlySpan<byte> data)
    {
        if (_mode == FeedMode.AsciiBytes)
        {
            _bytes!.Write(data);
        }
        else
        {
            Decode(data, flush: false);
        }
    }

    private void Decode(ReadOnlySpan<byte> data, bool flush)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(DecodeChunk, data.Length);
            Remember(data[..n]);
            var count = _decoder!.GetChars(data[..n], _decoded, flush);
            _chars!.Write(_decoded.AsSpan(0, count));
            data = data[n..];
        }
    }

    private void Remember(ReadOnlySpan<byte> data)
    {
        _fed += data.Length;
        if (data.Length >= MaxHeld)
        {
            data[^MaxHeld..].CopyTo(_lastFed);
            return;
        }

        _lastFed.AsSpan(data.Length).CopyTo(_lastFed);
        data.CopyTo(_lastFed.AsSpan(MaxHeld - data.Length));
    }

    /// <summary>
    /// What a snapshot holds of the source: the undecided head, the text still waiting for its line end, and (for a
    /// decoded source) the bytes of a character not yet complete, which the decoder holds.
    /// </summary>
    internal (byte[] Head, long NextLine, long LineOffset, byte[]? PendingBytes, string? PendingText, byte[]? Held) Capture()
    {
        var held = _decoder is null ? null : HeldBytes();
        return (_head[.._headCount], Lines + 1, _bytes?.PendingOffset ?? _chars?.PendingOffset ?? 0,
            _bytes?.Pending.ToArray(), _chars is { } chars ? new string(chars.Pending) : null, held);
    }

    /// <summary>
    /// The bytes the decoder holds: worked out from the last bytes given to it for UTF-16 and UTF-32 (code unit
    /// alignment and a high surrogate waiting for its low half) and UTF-8 (a lead byte and its continuation bytes so
    /// far); none for a single-byte encoding. Checked: a fresh decoder fed them gives no character and would flush the
    /// same as the decoder. Other multi-byte encodings that reach the decoder (not ASCII-compatible, such as UTF-7) may
    /// keep a mode across lines, which no few bytes say: refused.
    /// </summary>
    private byte[] HeldBytes()
    {
        var decoder = _decoder!;
        var encoding = _decoding!;
        var flushed = decoder.GetCharCount([], flush: true);
        var available = (int)Math.Min(_fed, MaxHeld);
        var last = _lastFed.AsSpan(MaxHeld - available);
        var k = encoding.CodePage switch
        {
            1200 or 1201 => (int)(_fed % 2) + (_fed >= 2 && IsHighSurrogate(last, (int)(_fed % 2), encoding.CodePage == 1201) ? 2 : 0),
            12000 or 12001 => (int)(_fed % 4),
            65001 => Utf8Held(last),
            _ when encoding.IsSingleByte => 0,
            _ => throw new InvalidOperationException($"Source '{Name}' is decoded from {encoding.WebName}, whose decoder may keep a mode across lines: its state cannot be captured (UTF-16, UTF-32 and single-byte encodings can)."),
        };
        if (Holds(last[^k..]))
        {
            return last[^k..].ToArray();
        }

        throw new InvalidOperationException($"Source '{Name}': the bytes its {encoding.WebName} decoder holds could not be worked out; capture the session after the next write.");

        bool Holds(ReadOnlySpan<byte> tail)
        {
            if (tail.IsEmpty)
            {
                return flushed == 0;
            }

            var fresh = encoding.GetDecoder();
            if (fresh.GetCharCount(tail, flush: false) != 0)
            {
                return false;
            }

            var chars = new char[Math.Max(encoding.GetMaxCharCount(tail.Length), 1)];
            return fresh.GetChars(tail, chars, flush: false) == 0 && fresh.GetCharCount([], flush: true) == flushed;
        }
    }

    /// <summary>Whether the last whole UTF-16 code unit (before <paramref name="odd"/> trailing bytes) is a high surrogate.</summary>
    private static bool IsHighSurrogate(ReadOnlySpan<byte> last, int odd, bool bigEndian)
    {
        if (last.Length < 2 + odd)
        {
            return false;
        }

        var unit = last.Slice(last.Length - odd - 2, 2);
        var value = bigEndian ? (unit[0] << 8) | unit[1] : (unit[1] << 8) | unit[0];
        return char.IsHighSurrogate((char)value);
    }

    /// <summary>A UTF-8 lead byte among the last three bytes whose character is not complete yet: it and what follows.</summary>
    private static int Utf8Held(ReadOnlySpan<byte> last)
    {
        for (var k = 1; k <= Math.Min(3, last.Length); k++)
        {
            var b = last[^k];
            if (b < 0x80)
            {
                return 0;
            }

            if (b >= 0xC0)
            {
                var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return length > k ? k : 0;
            }
        }

        return 0;
    }

    /// <summary>Puts back a captured state into a fresh feed.</summary>
    internal void Restore(FeedMode mode, byte[] head, long nextLine, long lineOffset, byte[]? pendingBytes, string? pendingText, byte[]? held, long bytes)
    {
        Bytes = 0;
        if (mode == FeedMode.Text)
        {
            StartText();
            _chars!.Restore(nextLine, lineOffset, pendingText);
        }
        else if (mode is FeedMode.AsciiBytes or FeedMode.DecodedBytes)
        {
            // Deciding again on the same head gives the same path; the head's bytes are then pending or ended lines.
            head.CopyTo(_head, 0);
            _headCount = head.Length;
            Decide(writeHead: false);
            if (_mode != mode)
            {
                throw new InvalidOperationException($"Source '{Name}' was read as {mode} when captured and would be read as {_mode} now.");
            }

            if (mode == FeedMode.AsciiBytes)
            {
                _bytes!.Restore(nextLine, lineOffset, pendingBytes);
            }
            else
            {
                _chars!.Restore(nextLine, lineOffset, pendingText);
                if (held is { Length: > 0 })
                {
                    // The decoder takes the bytes of the character split across writes back; they give no character yet.
                    Remember(held);
                    _decoder!.GetChars(held, _decoded, flush: false);
                }
            }
        }
        else if (mode == FeedMode.Undecided)
        {
            head.CopyTo(_head, 0);
            _headCount = head.Length;
        }

        Bytes = bytes;
    }

    /// <summary>Nothing waits: no undecided head, no line without its end, no character half decoded.</summary>
    internal bool IsAtRest => _mode switch
    {
        FeedMode.Undecided => _headCount == 0,
        FeedMode.AsciiBytes => _bytes!.Pending.IsEmpty,
        _ => _chars!.Pending.IsEmpty && (_decoder is null || _decoder.GetCharCount([], flush: true) == 0),
    };

    public void Dispose()
    {
        _bytes?.Dispose();
        _chars?.Dispose();
    }
}

/// <summary>How a source is read: not yet known, bytes searched before decoding, bytes decoded first, or text.</summary>
internal enum FeedMode
{
    Undecided,
    AsciiBytes,
    DecodedBytes,
    Text,
}
