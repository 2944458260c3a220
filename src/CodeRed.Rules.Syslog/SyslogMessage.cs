namespace CodeRed.Rules.Syslog;

/// <summary>The header format a syslog frame was written in.</summary>
public enum SyslogFormat
{
    /// <summary>BSD syslog (RFC 3164): <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME TAG: MSG</c>.</summary>
    Rfc3164,

    /// <summary>The syslog protocol (RFC 5424): <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG</c>.</summary>
    Rfc5424,
}

/// <summary>One parsed syslog message.</summary>
public sealed record SyslogMessage
{
    /// <summary>The priority value: facility × 8 + severity (0–191).</summary>
    public required int Priority { get; init; }

    /// <summary>The facility (0–23).</summary>
    public int Facility => Priority >> 3;

    /// <summary>The severity (0 emergency – 7 debug).</summary>
    public int Severity => Priority & 7;

    /// <summary>The header format.</summary>
    public required SyslogFormat Format { get; init; }

    /// <summary>The timestamp as the sender wrote it; null when the frame had none (RFC 5424 <c>-</c>, or none in RFC 3164).</summary>
    public string? Timestamp { get; init; }

    /// <summary>The HOSTNAME field; null when absent (RFC 5424 <c>-</c>, or an RFC 3164 frame without one).</summary>
    public string? HostName { get; init; }

    /// <summary>RFC 5424 APP-NAME, or the RFC 3164 TAG without its process ID.</summary>
    public string? AppName { get; init; }

    /// <summary>RFC 5424 PROCID, or the RFC 3164 <c>[pid]</c> after the tag.</summary>
    public string? ProcessId { get; init; }

    /// <summary>RFC 5424 MSGID.</summary>
    public string? MessageId { get; init; }

    /// <summary>RFC 5424 STRUCTURED-DATA as written (null for <c>-</c> and in RFC 3164).</summary>
    public string? StructuredData { get; init; }

    /// <summary>The MSG part (for RFC 3164 the text after the tag), without a leading byte-order mark.</summary>
    public required string Message { get; init; }

    /// <summary>
    /// The frame without its <c>&lt;PRI&gt;</c> (and RFC 5424 version): the line as a syslog file would store it, which
    /// is what rules are evaluated against.
    /// </summary>
    public required string Line { get; init; }
}

/// <summary>Why a frame was not a syslog message, or why bytes were not a frame. Counted, never thrown.</summary>
public enum SyslogError
{
    /// <summary>The frame was empty.</summary>
    Empty,

    /// <summary>The frame did not begin with <c>&lt;PRI&gt;</c>.</summary>
    MissingPriority,

    /// <summary>The priority was not 0–191 written with 1–3 digits.</summary>
    InvalidPriority,

    /// <summary>An RFC 5424 header field was missing or invalid.</summary>
    InvalidHeader,

    /// <summary>An LF-framed message was longer than the maximum; skipped to its end.</summary>
    FrameTooLong,

    /// <summary>An RFC 6587 octet count was not a number followed by a space; the connection was closed.</summary>
    InvalidOctetCount,

    /// <summary>An RFC 6587 octet count was larger than the maximum; the connection was closed.</summary>
    OctetCountTooLarge,

    /// <summary>The connection ended inside an octet-counted frame.</summary>
    Truncated,

    /// <summary>A UDP datagram was larger than the maximum message length.</summary>
    DatagramTooLong,
}

/// <summary>Wire names of <see cref="SyslogError"/> (JSON output, metric tags).</summary>
public static class SyslogErrors
{
    /// <summary>The error's name in output: lower case, words joined by hyphens (<c>octet-count-too-large</c>).</summary>
    public static string Name(SyslogError error) => error switch
    {
        SyslogError.Empty => "empty",
        SyslogError.MissingPriority => "missing-priority",
        SyslogError.InvalidPriority => "invalid-priority",
        SyslogError.InvalidHeader => "invalid-header",
        SyslogError.FrameTooLong => "frame-too-long",
        SyslogError.InvalidOctetCount => "invalid-octet-count",
        SyslogError.OctetCountTooLarge => "octet-count-too-large",
        SyslogError.Truncated => "truncated",
        SyslogError.DatagramTooLong => "datagram-too-long",
        _ => error.ToString(),
    };
}
