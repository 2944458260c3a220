using System.Text;

namespace CodeRed.Rules.Evaluation;

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

    /// <summary>Evidence held in memory.</summary>
    public static EvidenceSource FromText(string name, string text) => new(name, () => new StringReader(text), null, null, false);

    /// <summary>
    /// Evidence from a file. Without an encoding, a byte-order mark decides, else UTF-8; bytes that are not
    /// valid in the encoding become U+FFFD and never hide the ASCII text around them.
    /// </summary>
    public static EvidenceSource FromFile(string path, Encoding? encoding = null, string? name = null) =>
        new(name ?? path, null, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan), encoding, true);

    /// <summary>Evidence from a stream, read once; the stream is left open.</summary>
    public static EvidenceSource FromStream(string name, Stream stream, Encoding? encoding = null) =>
        new(name, null, () => stream, encoding, false);

    internal TextReader OpenText() => _openText!();

    internal Stream OpenStream() => _openStream!();
}

/// <summary>What is known of one device: optional model, optional firmware, and any number of evidence sources.</summary>
public sealed class DeviceEvidence
{
    /// <summary>The model as the user wrote it (any case, spaces or hyphens), or null.</summary>
    public string? Model { get; init; }

    /// <summary>The firmware version as the user wrote it (e.g. <c>2.0.4 PL 7</c>), or null to let the evidence say.</summary>
    public string? Firmware { get; init; }

    /// <summary>Logs, command outputs and transcripts, evaluated in order.</summary>
    public IReadOnlyList<EvidenceSource> Sources { get; init; } = [];
}
