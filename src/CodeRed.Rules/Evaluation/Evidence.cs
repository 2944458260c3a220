using System.Text;

namespace CodeRed.Rules;

/// <summary>
/// One piece of evidence: a log, <c>show tcp</c> or <c>show config</c> output, or a whole terminal transcript.
/// The name is what diagnostics report as their source (a file name as given, or <c>-</c> for standard input).
/// </summary>
public sealed class EvidenceSource
{
    private readonly Func<TextReader>? _openText;
    private readonly Func<Stream>? _openStream;

    private EvidenceSource(string name, Func<TextReader>? openText, Func<Stream>? openStream, Encoding? encoding, bool ownsStream)
    {
        Name = name;
        _openText = openText;
        _openStream = openStream;
        Encoding = encoding;
        OwnsStream = ownsStream;
    }

    /// <summary>The name diagnostics report as their source.</summary>
    public string Name { get; }

    /// <summary>The encoding asked for, or null: a byte-order mark decides, else UTF-8.</summary>
    internal Encoding? Encoding { get; }

    internal bool IsBinary => _openStream is not null;

    internal bool OwnsStream { get; }

    /// <summary>Evidence held in memory; it can be evaluated any number of times.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="text"/> is null.</exception>
    public static EvidenceSource FromText(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        return new(name, () => new StringReader(text), null, null, false);
    }

    /// <summary>
    /// Evidence from a file, opened at each evaluation. Without an encoding, a byte-order mark decides, else UTF-8; bytes
    /// that are not valid in the encoding become U+FFFD and never hide the ASCII text around them.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or names a directory.</exception>
    /// <remarks>
    /// The file is opened when evaluated, so a missing or unreadable file throws then (<see cref="FileNotFoundException"/>,
    /// <see cref="UnauthorizedAccessException"/>, or <see cref="IOException"/> naming a path that became a directory).
    /// </remarks>
    public static EvidenceSource FromFile(string path, Encoding? encoding = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ArgumentException(IsDirectory(path), nameof(path));
        }

        return new(name ?? path, null, () => OpenFile(path), encoding, true);
    }

    private static string IsDirectory(string path) => $"'{path}' is a directory, not a file: give the evidence files in it one by one.";

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // .NET reports a directory as "Access to the path is denied".
            throw new IOException(IsDirectory(path));
        }
    }

    /// <summary>
    /// Evidence from a stream, read once by the first evaluation; the stream is left open. Evaluating the same source
    /// again throws <see cref="InvalidOperationException"/> rather than reading an empty rest of the stream.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    public static EvidenceSource FromStream(string name, Stream stream, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException($"the stream for evidence '{name}' cannot be read", nameof(stream));
        }

        var read = 0;
        return new(name, null, () => Interlocked.Exchange(ref read, 1) == 0
            ? stream
            : throw new InvalidOperationException(
                $"Evidence '{name}' comes from a stream, which only one evaluation can read, and it was already evaluated. " +
                "Create a new EvidenceSource for each evaluation, or use FromFile or FromText, which can be evaluated again."), encoding, false);
    }

    /// <summary>Evidence from any reader, opened once per evaluation (tests use it to feed text in small pieces).</summary>
    internal static EvidenceSource FromReader(string name, Func<TextReader> open) => new(name, open, null, null, false);

    internal TextReader OpenText() => _openText!();

    internal Stream OpenStream() => _openStream!();

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// The encoding to read with. UTF-8 and UTF-16/32 already replace an invalid sequence and then read the next byte
    /// afresh, so ASCII after a broken character survives. Legacy multi-byte decoders (EUC-JP, Shift-JIS) may swallow
    /// the ASCII byte after a stray lead byte into one replacement character; they get
    /// <see cref="AsciiPreservingDecoderFallback"/>, which gives back the ASCII bytes of every invalid sequence.
    /// </summary>
    internal static Encoding Decoding(Encoding? encoding)
    {
        if (encoding is null)
        {
            return Utf8;
        }

        if (encoding is UTF8Encoding or UnicodeEncoding or UTF32Encoding || encoding.CodePage is 65001 or 1200 or 1201 or 12000 or 12001)
        {
            return encoding;
        }

        var clone = (Encoding)encoding.Clone();
        clone.DecoderFallback = AsciiPreservingDecoderFallback.Instance;
        return clone;
    }
}

/// <summary>
/// Replaces each invalid byte sequence by U+FFFD for its non-ASCII bytes and the characters themselves for its ASCII
/// bytes: a stray EUC-JP lead byte before <c>HTTP ERROR</c> becomes <c>\uFFFDHTTP ERROR</c>, not <c>\uFFFDTTP ERROR</c>.
/// </summary>
internal sealed class AsciiPreservingDecoderFallback : DecoderFallback
{
    public static readonly AsciiPreservingDecoderFallback Instance = new();

    public override int MaxCharCount => MaxChars;

    private const int MaxChars = 16;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

    private sealed class Buffer : DecoderFallbackBuffer
    {
        private char[] _chars = [];
        private int _next;

        public override int Remaining => _chars.Length - _next;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            // Runs of non-ASCII bytes become one U+FFFD each, as the UTF-8 decoder does for a broken sequence.
            var chars = new List<char>(bytesUnknown.Length);
            foreach (var b in bytesUnknown)
            {
                if (b < 0x80)
                {
                    chars.Add((char)b);
                }
                else if (chars.Count == 0 || chars[^1] != '\uFFFD')
                {
                    chars.Add('\uFFFD');
                }
            }

            _chars = [.. chars.Take(MaxChars)];
            _next = 0;
            return _chars.Length > 0;
        }

        public override char GetNextChar() => _next < _chars.Length ? _chars[_next++] : '\0';

        public override bool MovePrevious()
        {
            if (_next == 0)
            {
                return false;
            }

            _next--;
            return true;
        }

        public override void Reset()
        {
            _chars = [];
            _next = 0;
        }
    }
}


/// <summary>What is known of one device: optional model, optional firmware, and any number of evidence sources.</summary>
public sealed class DeviceEvidence
{
    /// <summary>The model as the user wrote it (any case, spaces or hyphens), or null.</summary>
    public string? Model { get; init; }

    /// <summary>The firmware version as the user wrote it (e.g. <c>2.0.4 PL 7</c>), or null to let the evidence say.</summary>
    public string? Firmware { get; init; }

    /// <summary>The product version as the user wrote it: the same as <see cref="Firmware"/> (the preferred name; set one of them).</summary>
    public string? Version
    {
        get => Firmware;
        init => Firmware = value;
    }

    /// <summary>
    /// The patches installed on the device (for a model whose fix is a patch), as the user gave them: null when unknown
    /// (the evidence may still say, by facts that provide a patch), empty when none is installed.
    /// </summary>
    public IReadOnlyList<string>? Patches { get; init; }

    /// <summary>Logs, command outputs and transcripts, evaluated in order.</summary>
    /// <exception cref="ArgumentNullException">Set to null (use an empty list to judge the model and firmware alone).</exception>
    public IReadOnlyList<EvidenceSource> Sources
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value), "DeviceEvidence.Sources must not be null; use an empty list to judge the model and version alone.");
    } = [];
}
