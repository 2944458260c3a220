using System.Text;
using System.Text.Json;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Lines and columns are 64-bit: evidence with more than 2^31 lines, or a line longer than 2^31 characters, reports
/// the true position, not 2147483647. The streams are generated at full size (no seam): counting 2.2 billion empty
/// lines is a vectorized search over 2.2 GB.
/// </summary>
public sealed class LargePositionTests
{
    private const string Signature = "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n";

    [Fact]
    public void A_hit_after_more_than_two_billion_lines_has_its_true_line_number()
    {
        const long emptyLines = 2_200_000_000;
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("big", new RepeatedByteStream((byte)'\n', emptyLines, Signature))] });

        var hit = Assert.Single(report.Diagnostics, d => d.Id == "CR2001");
        Assert.Equal(emptyLines + 1, hit.Line);
        Assert.Equal(emptyLines + 1, report.SourcesRead.Single().Lines);
        Assert.Equal(emptyLines + 1, JsonLine(report));
        // No time limit here: speed is the benchmarks' business (a limit failed a loaded CI machine at 1 min 51 s, 7 s alone).
    }

    [Fact]
    public void A_hit_more_than_two_billion_characters_into_a_line_has_its_true_column()
    {
        const long prefix = 2_200_000_000;
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("wide", new RepeatedByteStream((byte)'x', prefix, Signature))] });

        var hit = Assert.Single(report.Diagnostics, d => d.Id == "CR2001");
        Assert.Equal(1, hit.Line);
        Assert.Equal(prefix + 1, hit.Column);
        Assert.Equal(prefix + 1, JsonPosition(report, "column"));
    }

    private static long JsonLine(AnalysisReport report) => JsonPosition(report, "line");

    private static long JsonPosition(AnalysisReport report, string name)
    {
        using var json = new MemoryStream();
        JsonReportWriter.Write(json, report);
        using var document = JsonDocument.Parse(json.ToArray());
        return document.RootElement.GetProperty("diagnostics").EnumerateArray()
            .Single(d => d.GetProperty("id").GetString() == "CR2001").GetProperty(name).GetInt64();
    }

    /// <summary><paramref name="count"/> copies of one byte, then a tail, generated as read.</summary>
    private sealed class RepeatedByteStream(byte value, long count, string tail) : ReadOnlyTestStream
    {
        private readonly byte[] _tail = Encoding.ASCII.GetBytes(tail);

        public override int Read(byte[] buffer, int offset, int length)
        {
            var total = count + _tail.Length;
            var n = (int)Math.Min(length, total - BytesRead);
            if (n <= 0)
            {
                return 0;
            }

            var filled = (int)Math.Clamp(count - BytesRead, 0, n);
            buffer.AsSpan(offset, filled).Fill(value);
            if (filled < n)
            {
                var from = (int)(BytesRead + filled - count);
                _tail.AsSpan(from, n - filled).CopyTo(buffer.AsSpan(offset + filled));
            }

            BytesRead += n;
            return n;
        }
    }
}
