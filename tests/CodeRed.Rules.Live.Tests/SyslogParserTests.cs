using System.Text;
using CodeRed.Rules.Syslog;

namespace CodeRed.Rules.Live.Tests;

public sealed class SyslogParserTests
{
    private static SyslogMessage Parse(string frame)
    {
        Assert.True(SyslogParser.TryParse(Encoding.UTF8.GetBytes(frame), out var message, out var error), $"'{frame}' gave {error}");
        return message!;
    }

    private static SyslogError Fail(byte[] frame)
    {
        Assert.False(SyslogParser.TryParse(frame, out var message, out var error));
        Assert.Null(message);
        return error;
    }

    [Fact]
    public void Rfc3164_with_host_and_tag()
    {
        var m = Parse("<134>Aug  3 09:26:29 ar-720 HTTP[12]: HTTP ERROR No free HTTP sessions\n");
        Assert.Equal((16, 6), (m.Facility, m.Severity));
        Assert.Equal(SyslogFormat.Rfc3164, m.Format);
        Assert.Equal("Aug  3 09:26:29", m.Timestamp);
        Assert.Equal("ar-720", m.HostName);
        Assert.Equal("HTTP", m.AppName);
        Assert.Equal("12", m.ProcessId);
        Assert.Equal("HTTP ERROR No free HTTP sessions", m.Message);
        Assert.Equal("Aug  3 09:26:29 ar-720 HTTP[12]: HTTP ERROR No free HTTP sessions", m.Line);
    }

    [Fact]
    public void Rfc3164_without_host_or_timestamp()
    {
        var noHost = Parse("<13>Dec  1 21:58:00 root: hello");
        Assert.Null(noHost.HostName);
        Assert.Equal("root", noHost.AppName);
        Assert.Equal("hello", noHost.Message);

        // RFC 3164 4.3.3: no timestamp, the whole text is the message.
        var bare = Parse("<13>just text");
        Assert.Null(bare.Timestamp);
        Assert.Null(bare.HostName);
        Assert.Equal("just text", bare.Message);
    }

    [Fact]
    public void Rfc5424_with_structured_data_and_bom()
    {
        var m = Parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\]ication\"][x@1 a=\"b\"] \uFEFFAn application event");
        Assert.Equal(SyslogFormat.Rfc5424, m.Format);
        Assert.Equal("2003-10-11T22:14:15.003Z", m.Timestamp);
        Assert.Equal("mymachine.example.com", m.HostName);
        Assert.Equal("evntslog", m.AppName);
        Assert.Null(m.ProcessId);
        Assert.Equal("ID47", m.MessageId);
        Assert.Equal("[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\]ication\"][x@1 a=\"b\"]", m.StructuredData);
        Assert.Equal("An application event", m.Message);
    }

    [Fact]
    public void Rfc5424_nil_fields_and_no_message()
    {
        var m = Parse("<14>1 - - - - - -");
        Assert.Null(m.Timestamp);
        Assert.Null(m.HostName);
        Assert.Null(m.StructuredData);
        Assert.Equal("", m.Message);
    }

    [Theory]
    [InlineData("", SyslogError.Empty)]
    [InlineData("\r\n", SyslogError.Empty)]
    [InlineData("no priority", SyslogError.MissingPriority)]
    [InlineData("<>x", SyslogError.InvalidPriority)]
    [InlineData("<192>x", SyslogError.InvalidPriority)]
    [InlineData("<1a>x", SyslogError.InvalidPriority)]
    [InlineData("<1234>x", SyslogError.InvalidPriority)]
    [InlineData("<14>1 2003-10-11T22:14:15Z host", SyslogError.InvalidHeader)]
    [InlineData("<14>1 not-a-time host app - - - msg", SyslogError.InvalidHeader)]
    [InlineData("<14>1 - host app - - [unclosed msg", SyslogError.InvalidHeader)]
    [InlineData("<14>1 - host app - - x msg", SyslogError.InvalidHeader)]
    [InlineData("<14>1 - host  app - - - msg", SyslogError.InvalidHeader)]
    public void Malformed_frames_give_a_reason_not_an_exception(string frame, SyslogError expected) =>
        Assert.Equal(expected, Fail(Encoding.UTF8.GetBytes(frame)));

    [Fact]
    public void Invalid_utf8_is_replaced_not_refused()
    {
        byte[] frame = [.. "<13>Dec  1 21:58:00 host tag: caf"u8, 0xE9];
        Assert.True(SyslogParser.TryParse(frame, out var m, out _));
        Assert.Equal("host", m!.HostName);
        Assert.EndsWith("caf\uFFFD", m.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && random.Next(2) == 0)
            {
                bytes[0] = (byte)'<';
            }

            _ = SyslogParser.TryParse(bytes, out _, out _);
        }
    }
}
