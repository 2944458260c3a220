using System.Text.Json;

namespace CodeRed.Rules;

/// <summary>
/// A session's whole state at a line boundary, to resume it elsewhere with identical results
/// (<see cref="EvaluationSession.CaptureSnapshot"/>, <see cref="EvaluationSession.Restore"/>): counts, captured
/// values, open records and sections, facts, remediation step events, the line still waiting for its end (and the
/// bytes of a character half decoded), evidence in context, line numbers and the event sequence. Serialised as UTF-8 JSON; <see cref="FormatVersion"/> says which layout.
/// </summary>
public sealed class SessionSnapshot
{
    /// <summary>
    /// The layout this library writes. It also reads layouts 1 and 2: version 2 added the column headers of a source
    /// (no pack had column sets before), version 3 evidence in context (recent lines, contexts waiting for their
    /// after-lines) and the bytes a decoder holds of a UTF-16 or UTF-32 character split across writes, which earlier
    /// versions refused to capture.
    /// </summary>
    public const int CurrentFormatVersion = 3;

    private readonly byte[] _json;

    private SessionSnapshot(byte[] json, int formatVersion, IReadOnlyList<PackIdentity> packs, long sequence)
    {
        _json = json;
        FormatVersion = formatVersion;
        Packs = packs;
        Sequence = sequence;
    }

    /// <summary>The layout of the snapshot's bytes.</summary>
    public int FormatVersion { get; }

    /// <summary>The packs the session evaluated (a restore needs the same, with the same hashes).</summary>
    public IReadOnlyList<PackIdentity> Packs { get; }

    /// <summary>The sequence number of the last event raised before the snapshot.</summary>
    public long Sequence { get; }

    internal JsonElement Root => JsonDocument.Parse(_json).RootElement;

    /// <summary>The snapshot as bytes (UTF-8 JSON), to store or send.</summary>
    public byte[] ToBytes() => (byte[])_json.Clone();

    /// <summary>Reads a snapshot written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a snapshot, or one of a format version this library does not read.</exception>
    public static SessionSnapshot FromBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            var version = root.GetProperty("formatVersion").GetInt32();
            if (version is < 1 or > CurrentFormatVersion)
            {
                throw new FormatException($"The session snapshot has format version {version}; this library reads versions 1 to {CurrentFormatVersion}.");
            }

            return Of(bytes.ToArray(), root);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("The bytes are not a session snapshot: " + e.Message, e);
        }
    }

    internal static SessionSnapshot Of(byte[] json, JsonElement root) => new(
        json,
        root.GetProperty("formatVersion").GetInt32(),
        root.GetProperty("packs").EnumerateArray().Select(p => new PackIdentity(p.GetProperty("id").GetString()!, p.GetProperty("version").GetString()!, p.GetProperty("sha256").GetString()!)).ToArray(),
        root.GetProperty("sequence").GetInt64());
}
