using System.Globalization;
using System.Text;

namespace CodeRed.Rules.Syslog;

/// <summary>Parses one syslog frame (RFC 5424 or RFC 3164, told apart by the version after the priority).</summary>
public static class SyslogParser
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Parses <paramref name="frame"/>; false with the reason when it is not a syslog message.</summary>
    /// <remarks>
    /// Trailing CR, LF and NUL are ignored. Bytes that are not UTF-8 become U+FFFD (RFC 3164 senders use any
    /// 8-bit charset). An RFC 3164 frame without a timestamp is a message whose whole text is MSG (RFC 3164 4.3.3).
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> frame, out SyslogMessage? message, out SyslogError error)
    {
        message = null;
        error = default;
        while (frame.Length > 0 && frame[^1] is (byte)'\n' or (byte)'\r' or 0)
        {
            frame = frame[..^1];
        }

        if (frame.IsEmpty)
        {
            error = SyslogError.Empty;
            return false;
        }

        if (frame[0] != '<')
        {
            error = SyslogError.MissingPriority;
            return false;
        }

        var close = frame[..Math.Min(frame.Length, 5)].IndexOf((byte)'>');
        if (close < 2)
        {
            error = SyslogError.InvalidPriority;
            return false;
        }

        var priority = 0;
        foreach (var b in frame[1..close])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                error = SyslogError.InvalidPriority;
                return false;
            }

            priority = (priority * 10) + (b - '0');
        }

        if (priority > 191)
        {
            error = SyslogError.InvalidPriority;
            return false;
        }

        var rest = Utf8.GetString(frame[(close + 1)..]);
        if (rest.StartsWith("1 ", StringComparison.Ordinal))
        {
            return TryParse5424(priority, rest, out message, out error);
        }

        message = Parse3164(priority, rest);
        return true;
    }

    private static bool TryParse5424(int priority, string rest, out SyslogMessage? message, out SyslogError error)
    {
        message = null;
        error = SyslogError.InvalidHeader;
        var position = 2;
        if (!Field(rest, ref position, 64, out var timestamp) || !Field(rest, ref position, 255, out var host)
            || !Field(rest, ref position, 48, out var app) || !Field(rest, ref position, 128, out var procId)
            || !Field(rest, ref position, 32, out var msgId))
        {
            return false;
        }

        if (timestamp is not null && !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }

        // STRUCTURED-DATA: '-' or one or more [id param="value" ...] elements, values with \" \\ \] escapes.
        string? structured;
        if (position < rest.Length && rest[position] == '-')
        {
            structured = null;
            position++;
        }
        else
        {
            var start = position;
            while (position < rest.Length && rest[position] == '[')
            {
                var inQuotes = false;
                position++;
                while (position < rest.Length && (inQuotes || rest[position] != ']'))
                {
                    if (inQuotes && rest[position] == '\\')
                    {
                        position++;
                    }
                    else if (rest[position] == '"')
                    {
                        inQuotes = !inQuotes;
                    }

                    position++;
                }

                if (position >= rest.Length)
                {
                    return false;
                }

                position++; // the ']'
            }

            if (position == start)
            {
                return false;
            }

            structured = rest[start..position];
        }

        string text;
        if (position == rest.Length)
        {
            text = "";
        }
        else if (rest[position] == ' ')
        {
            text = rest[(position + 1)..];
            if (text.StartsWith('\uFEFF'))
            {
                text = text[1..];
            }
        }
        else
        {
            return false;
        }

        message = new SyslogMessage
        {
            Priority = priority, Format = SyslogFormat.Rfc5424, Timestamp = timestamp, HostName = host, AppName = app,
            ProcessId = procId, MessageId = msgId, StructuredData = structured, Message = text, Line = rest[2..],
        };
        error = default;
        return true;
    }

    /// <summary>One space-terminated header field of printable US-ASCII; '-' is null.</summary>
    private static bool Field(string text, ref int position, int maxLength, out string? value)
    {
        value = null;
        var end = text.IndexOf(' ', position);
        if (end < 0 || end == position || end - position > maxLength)
        {
            return false;
        }

        for (var i = position; i < end; i++)
        {
            if (text[i] is < '!' or > '~')
            {
                return false;
            }
        }

        value = end - position == 1 && text[position] == '-' ? null : text[position..end];
        position = end + 1;
        return true;
    }

    private static SyslogMessage Parse3164(int priority, string rest)
    {
        string? timestamp = null;
        string? host = null;
        var body = rest;
        if (IsTimestamp3164(rest))
        {
            timestamp = rest[..15];
            body = rest.Length > 16 ? rest[16..] : "";

            // HOSTNAME, unless the next word is already the tag ("root:", "sshd[42]:"), as some senders omit it.
            var space = body.IndexOf(' ');
            var word = space < 0 ? body : body[..space];
            if (word.Length > 0 && !word.Contains(':', StringComparison.Ordinal) && !word.Contains('[', StringComparison.Ordinal))
            {
                host = word;
                body = space < 0 ? "" : body[(space + 1)..];
            }
        }

        // TAG: up to 32 alphanumerics (and - _ . /), then an optional [pid], then ':'.
        string? app = null;
        string? procId = null;
        var text = body;
        var tagEnd = 0;
        while (tagEnd < body.Length && tagEnd < 48 && (char.IsAsciiLetterOrDigit(body[tagEnd]) || body[tagEnd] is '-' or '_' or '.' or '/'))
        {
            tagEnd++;
        }

        if (tagEnd > 0 && tagEnd < body.Length)
        {
            var after = tagEnd;
            string? pid = null;
            if (body[after] == '[' && body.IndexOf(']', after) is var closing and > 0)
            {
                pid = body[(after + 1)..closing];
                after = closing + 1;
            }

            if (after < body.Length && body[after] == ':')
            {
                app = body[..tagEnd];
                procId = pid;
                text = after + 1 < body.Length && body[after + 1] == ' ' ? body[(after + 2)..] : body[(after + 1)..];
            }
        }

        return new SyslogMessage
        {
            Priority = priority, Format = SyslogFormat.Rfc3164, Timestamp = timestamp, HostName = host, AppName = app,
            ProcessId = procId, Message = text, Line = rest,
        };
    }

    /// <summary>"Mmm dd hh:mm:ss" (the day padded with a space) followed by a space or the end.</summary>
    private static bool IsTimestamp3164(string text)
    {
        if (text.Length < 15 || (text.Length > 15 && text[15] != ' '))
        {
            return false;
        }

        if (Array.IndexOf(Months, text[..3]) < 0 || text[3] != ' ')
        {
            return false;
        }

        static bool Digit(char c) => c is >= '0' and <= '9';
        return (Digit(text[4]) || text[4] == ' ') && Digit(text[5]) && text[6] == ' '
            && Digit(text[7]) && Digit(text[8]) && text[9] == ':' && Digit(text[10]) && Digit(text[11]) && text[12] == ':'
            && Digit(text[13]) && Digit(text[14]);
    }
}
