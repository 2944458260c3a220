using System.Text;
using CodeRed.Rules.Syslog;

namespace CodeRed.Rules.Live.Tests;

public sealed class SyslogFrameDecoderTests
{
    private static List<SyslogFrame> Decode(SyslogFrameDecoder decoder, byte[] data, int chunk)
    {
        var frames = new List<SyslogFrame>();
        for (var i = 0; i < data.Length; i += chunk)
        {
            decoder.Feed(data.AsSpan(i, Math.Min(chunk, data.Length - i)), frames);
        }

        return frames;
    }

    private static string Text(SyslogFrame frame) => Encoding.UTF8.GetString(frame.Frame!);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void Lf_and_octet_counted_frames_in_any_chunking(int chunk)
    {
        var data = Encoding.UTF8.GetBytes("<13>one\n10 <13>two\nxx<13>three\r\n\n15 <13>1 - - - - -");
        var decoder = new SyslogFrameDecoder(480);
        var frames = Decode(decoder, data, chunk);
        decoder.Complete(frames);
        Assert.Equal(["<13>one", "<13>two\nxx", "<13>three\r", "<13>1 - - - - -"], frames.Select(Text));
    }

    [Fact]
    public void A_last_line_without_lf_is_a_frame_but_an_unfinished_count_is_truncated()
    {
        var decoder = new SyslogFrameDecoder(480);
        var frames = Decode(decoder, Encoding.UTF8.GetBytes("<13>no end"), 100);
        decoder.Complete(frames);
        Assert.Equal("<13>no end", Text(Assert.Single(frames)));

        decoder = new SyslogFrameDecoder(480);
        frames = Decode(decoder, Encoding.UTF8.GetBytes("100 <13>only part"), 100);
        Assert.Empty(frames);
        decoder.Complete(frames);
        Assert.Equal(SyslogError.Truncated, Assert.Single(frames).Error);
    }

    [Fact]
    public void A_10_MB_line_is_counted_once_skipped_without_buffering_and_the_next_frame_is_read()
    {
        var decoder = new SyslogFrameDecoder(64 * 1024);
        var frames = new List<SyslogFrame>();
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        chunk[0] = (byte)'<';
        Assert.True(decoder.Feed(chunk, frames));
        chunk[0] = (byte)'a';
        for (var i = 1; i < 160; i++)
        {
            Assert.True(decoder.Feed(chunk, frames));
        }

        Assert.True(decoder.Feed("\n<13>after\n"u8, frames));
        Assert.Equal(2, frames.Count);
        Assert.Equal(SyslogError.FrameTooLong, frames[0].Error);
        Assert.Equal((160L * 64 * 1024) + 1, frames[0].Length);
        Assert.Equal("<13>after", Text(frames[1]));
        Assert.True(decoder.BufferLength <= 64 * 1024);
    }

    [Theory]
    [InlineData("1099511627776 <13>x")] // 2^40
    [InlineData("99999999999999999999 <13>x")]
    [InlineData("65537 <13>x")]
    public void A_too_large_octet_count_closes_the_connection(string data)
    {
        var decoder = new SyslogFrameDecoder(64 * 1024);
        var frames = new List<SyslogFrame>();
        Assert.False(decoder.Feed(Encoding.ASCII.GetBytes(data), frames));
        Assert.Equal(SyslogError.OctetCountTooLarge, Assert.Single(frames).Error);
        Assert.True(decoder.IsClosed);
        Assert.True(decoder.BufferLength <= 64 * 1024);
    }

    [Fact]
    public void An_octet_count_that_is_not_a_number_closes_the_connection()
    {
        var decoder = new SyslogFrameDecoder(480);
        var frames = new List<SyslogFrame>();
        Assert.False(decoder.Feed("12x <13>x"u8, frames));
        Assert.Equal(SyslogError.InvalidOctetCount, Assert.Single(frames).Error);
    }
}
