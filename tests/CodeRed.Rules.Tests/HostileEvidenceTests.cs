using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CodeRed.Rules.Evaluation;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Hostile evidence (GitHub issue 6): no crash, bounded memory and time, and correct counts, lines and columns for
/// inputs no router writes. Big inputs are generated as streams while they are read; nothing large goes to disk.
/// </summary>
[Collection(HostileCollection.Name)]
public class HostileEvidenceTests
{
    private const int Block = 1 << 20; // SourceScan.BufferSize: the scanner reads 1 Mi bytes (or chars) at a time
    private const string Http = "HTTP ERROR No free HTTP sessions - rejecting connection from ";
    private const string DirBcast = "DirBcast Fail 10.1.1.1>10.1.1.255 Prot=6 Int=eth0";

    static HostileEvidenceTests() => _ = RepoRoot; // registers the code-page encodings (TestSupport's constructor)

    private static AnalysisReport Evaluate(Stream stream, string? model = null, Encoding? encoding = null) =>
        Pack.Evaluate(new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromStream("hostile", stream, encoding)] });

    private static Diagnostic Single(AnalysisReport report, string id) => Assert.Single(report.Diagnostics, d => d.Id == id);

    private static long Lines(AnalysisReport report) => report.SourcesRead[0].Lines;

    [Fact]
    public void Scanner_block_size_is_what_these_tests_assume() => Assert.Equal(Block, Evaluator_BufferChars());

    private static int Evaluator_BufferChars() =>
        (int)typeof(RulePack).Assembly.GetType("CodeRed.Rules.Evaluation.Evaluator+SourceScan")!
            .GetField("BufferSize", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    // ---- Long lines --------------------------------------------------------------------------------------------

    [Fact]
    public void A_100_MB_line_with_signatures_in_the_middle_and_across_a_block_boundary()
    {
        const long Total = 100_000_000;
        const long Middle = 50_000_000;
        var first = Encoding.ASCII.GetBytes(DirBcast);
        var middle = Encoding.ASCII.GetBytes(" " + Http + "203.0.113.9 ");
        var late = Encoding.ASCII.GetBytes(" " + Http + "203.0.113.10 ");
        var tail = Encoding.ASCII.GetBytes("\nIPG WARN DirBcast Fail 10.2.2.2>10.2.2.255 Prot=6 Int=eth1\n");
        var stream = new GeneratedStream(Pieces());

        IEnumerable<byte[]> Pieces()
        {
            foreach (var piece in Filler(Block - 30))
            {
                yield return piece;
            }

            yield return first; // straddles the end of the first 1M-character block
            foreach (var piece in Filler(Middle - (Block - 30) - first.Length))
            {
                yield return piece;
            }

            yield return middle;
            foreach (var piece in Filler(Total - 500 - Middle - middle.Length))
            {
                yield return piece;
            }

            yield return late; // a second match on the same line: one hit per rule per line
            foreach (var piece in Filler(500 - late.Length))
            {
                yield return piece;
            }

            yield return tail;
        }

        using var memory = new PeakMemory();
        var clock = Stopwatch.StartNew();
        var report = Evaluate(stream);
        var elapsed = clock.Elapsed;
        memory.Dispose();

        Assert.Equal(Total + tail.Length, stream.Position);
        Assert.Equal(2, Lines(report));
        var http = Single(report, "CR2001");
        Assert.Equal((1, 1, (int)Middle + 2), (http.Count, http.Line, http.Column)); // before: the column within the segment
        Assert.Equal(["203.0.113.9"], http.Properties["peer"]); // before: 203.0.113.10 too, from a later segment
        var dirbcast = Single(report, "CR2002");
        Assert.Equal((2, 1, Block - 30 + 1), (dirbcast.Count, dirbcast.Line, dirbcast.Column));
        Assert.Equal(["10.1.1.1", "10.2.2.2"], dirbcast.Properties["src"]);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"{elapsed.TotalSeconds:0.0} s");
        Assert.True(memory.Peak < 400L * 1024 * 1024, $"peak managed memory {memory.Peak / (1024 * 1024)} MB"); // the line as one string alone would be 200 MB
        Assert.True(http.LineText!.Length <= 501);
    }

    [Fact]
    public void A_signature_split_by_the_segment_cut_of_an_overlong_line_is_found_once()
    {
        // Two 1M blocks of one line: the first segment ends inside the signature; the next starts 4096 characters back.
        var text = new string('x', Block - 10) + Http + "192.0.2.77 " + new string('y', Block) + "\n";
        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)));
        var http = Single(report, "CR2001");
        Assert.Equal((1, 1, Block - 9), (http.Count, http.Line, http.Column));
        Assert.Equal(["192.0.2.77"], http.Properties["peer"]);
        Assert.Equal(1, Lines(report));
    }

    [Fact]
    public void A_greedy_capture_running_on_for_a_megabyte_costs_milliseconds()
    {
        // Before: the peer capture [^\s,;]+ ran to the end of the 1M-character segment, and NonBacktracking's capture
        // phase took 17 s and allocated 3 GB the first time. Now lines longer than 8192 characters are matched in
        // overlapping windows of 8192, and the capture ends at the window's end.
        var text = new string('x', 100) + Http + "192.0.2.78" + new string('y', 3 * Block) + "\n" + Http + "192.0.2.79\n";
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 300L * 1024 * 1024, "allocated " + (GC.GetAllocatedBytesForCurrentThread() - before) / (1024 * 1024) + " MB");
        var http = Single(report, "CR2001");
        Assert.Equal((2, 1, 101), (http.Count, http.Line, http.Column));
        var peers = http.Properties["peer"];
        Assert.StartsWith("192.0.2.78yyyy", peers[0]);
        Assert.InRange(peers[0].Length, 4000, 8192); // cut at the window's end
        Assert.Equal("192.0.2.79", peers[1]);
    }

    // ---- Bytes that are not text -------------------------------------------------------------------------------

    [Fact]
    public void Random_bytes_with_signature_lines_between_them()
    {
        var random = new Random(20010809);
        var chunks = new List<byte[]>();
        for (var i = 0; i < 8; i++)
        {
            var noise = new byte[1_000_000];
            random.NextBytes(noise);
            if (i == 0)
            {
                noise[0] = (byte)'#'; // no accidental byte-order mark
            }

            chunks.Add(noise);
            chunks.Add(Encoding.ASCII.GetBytes($"\n{Http}10.9.0.{i}\n"));
        }

        var bytes = chunks.SelectMany(c => c).ToArray();
        var report = Evaluate(new MemoryStream(bytes));
        var http = Single(report, "CR2001");
        Assert.Equal(8, http.Count);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"10.9.0.{i}"), http.Properties["peer"]);
        Assert.Equal(CountLines(Encoding.UTF8.GetString(bytes)), Lines(report));
        Assert.DoesNotContain(report.Diagnostics, d => d.Id == "CR0001");
    }

    [Fact]
    public void Nul_bytes_around_and_instead_of_text()
    {
        var bytes = new List<byte>();
        bytes.AddRange(new byte[3_000_000]); // one line of NULs, longer than a block
        bytes.AddRange(Encoding.ASCII.GetBytes($"\n\0\0{Http}10.0.0.1\0\0\n\0\0\0\0\0\0\0\0\0\0\n"));
        bytes.AddRange(Encoding.ASCII.GetBytes("HTTP\0ERROR No free HTTP sessions - rejecting connection from 10.0.0.2\n")); // NUL is not a space
        var report = Evaluate(new MemoryStream([.. bytes]));
        var http = Single(report, "CR2001");
        Assert.Equal((1, 2, 3), (http.Count, http.Line, http.Column));
        Assert.Equal(4, Lines(report));
    }

    public static TheoryData<string, byte[]> InvalidUtf8 => new()
    {
        { "overlong NUL", [0xC0, 0x80] },
        { "lone continuation", [0x80] },
        { "truncated 3-byte", [0xE3, 0x81] },
        { "truncated 4-byte", [0xF0, 0x9F, 0x98] },
        { "UTF-16 surrogate", [0xED, 0xA0, 0x80] },
        { "beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "5-byte form", [0xF8, 0x88, 0x80, 0x80, 0x80] },
        { "FE FF in the middle", [0xFE, 0xFF] },
        { "Shift-JIS lead byte", [0x82] },
        { "EUC-JP lead byte", [0xA4] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_right_before_a_signature_does_not_hide_it(string what, byte[] bad)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("router log\n"));
        bytes.AddRange(bad);
        bytes.AddRange(Encoding.ASCII.GetBytes(Http + "10.0.0.1 "));
        bytes.AddRange(bad);
        bytes.AddRange(Encoding.ASCII.GetBytes("\r\n"));
        bytes.AddRange(bad);
        bytes.AddRange(Encoding.ASCII.GetBytes(DirBcast));

        var report = Evaluate(new MemoryStream([.. bytes]));
        Assert.True(report.Diagnostics.Any(d => d.Id == "CR2001" && d.Line == 2 && d.Properties["peer"].SequenceEqual(["10.0.0.1"])), what);
        Assert.True(report.Diagnostics.Any(d => d.Id == "CR2002" && d.Line == 3), what);
        Assert.Equal(3, Lines(report));
    }

    // ---- Japanese encodings ------------------------------------------------------------------------------------

    private static byte[] Bytes(params object[] parts) => parts.SelectMany(p => p switch
    {
        string s => Encoding.ASCII.GetBytes(s),
        byte[] b => b,
        _ => throw new ArgumentException("string or byte[]"),
    }).ToArray();

    [Fact]
    public void Shift_jis_and_euc_jp_text_with_default_decoding()
    {
        var sjis = Encoding.GetEncoding(932);
        var euc = Encoding.GetEncoding("euc-jp");
        var bytes = Bytes(
            sjis.GetBytes("【障害ログ】 ルータが再起動しました\r\n"),
            sjis.GetBytes("警告"), Http, "10.0.1.1", sjis.GetBytes(" ソース不明\r\n"),
            euc.GetBytes("大阪支店 "), Http, "10.0.1.2", euc.GetBytes(" 以上\r\n"),
            new byte[] { 0x82 }, Http, "10.0.1.3\r\n", // a lone Shift-JIS lead byte
            new byte[] { 0xA4 }, Http, "10.0.1.4\r\n"); // a lone EUC-JP lead byte
        var report = Evaluate(new MemoryStream(bytes));
        Assert.Equal(["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"], Single(report, "CR2001").Properties["peer"]);
        Assert.Equal(5, Lines(report));
    }

    [Fact]
    public void Euc_jp_decoding_keeps_the_ascii_byte_after_a_stray_lead_byte()
    {
        // Before: .NET's EUC-JP decoder turned a lead byte and the ASCII byte after it into one '・', so
        // "\xA4HTTP ERROR" read as "・TTP ERROR" and the signature was lost with --encoding euc-jp.
        var euc = Encoding.GetEncoding("euc-jp");
        var bytes = Bytes(
            euc.GetBytes("東京 "), new byte[] { 0xA4 }, Http, "10.0.2.1\n",
            new byte[] { 0xE3 }, Http, "10.0.2.2\n",
            new byte[] { 0x8E }, Http, "10.0.2.3\n",
            new byte[] { 0x8F, 0xA1 }, Http, "10.0.2.4\n",
            euc.GetBytes("正常な行 "), Http, "10.0.2.5\n");
        var report = Evaluate(new MemoryStream(bytes), encoding: euc);
        var http = Single(report, "CR2001");
        Assert.Equal(["10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.4", "10.0.2.5"], http.Properties["peer"]);
        Assert.StartsWith("東京 \uFFFDHTTP ERROR", http.LineText);

        var cli = RunCli(["analyze", "--encoding", "euc-jp", "--format", "json", "-"], bytes);
        using var json = JsonDocument.Parse(cli.Stdout);
        var count = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "CR2001").GetProperty("count").GetInt32();
        Assert.Equal(5, count);
    }

    [Fact]
    public void Shift_jis_decoding_keeps_the_ascii_byte_of_an_invalid_pair()
    {
        // 0x82 0x48 is no Shift-JIS character. Before: decoded as one '・', hiding the H of HTTP.
        var sjis = Encoding.GetEncoding(932);
        var bytes = Bytes(sjis.GetBytes("ログ "), new byte[] { 0x82 }, Http, "10.0.3.1\r\n", new byte[] { 0x85 }, Http, "10.0.3.2\r\n");
        var report = Evaluate(new MemoryStream(bytes), encoding: sjis);
        Assert.Equal(["10.0.3.1", "10.0.3.2"], Single(report, "CR2001").Properties["peer"]);
    }

    [Fact]
    public void Shift_jis_decoding_pairs_a_lead_byte_with_a_valid_trail_and_default_decoding_does_not()
    {
        // 0x83 0x48 is the katakana ハ in Shift-JIS: with --encoding shift_jis the H belongs to it, as the encoding
        // says. UTF-8 decoding (the default) never pairs a byte with ASCII, so it still finds the signature.
        var bytes = Bytes(new byte[] { 0x83 }, Http, "10.0.4.1\n");
        Assert.DoesNotContain(Evaluate(new MemoryStream(bytes), encoding: Encoding.GetEncoding(932)).Diagnostics, d => d.Id == "CR2001");
        Assert.Equal(["10.0.4.1"], Single(Evaluate(new MemoryStream(bytes)), "CR2001").Properties["peer"]);
    }

    public static TheoryData<string, byte[], string[]> Encodings => new()
    {
        { "UTF-8, no BOM: default", Encoding.UTF8.GetBytes("日本語 " + Http + "10.0.5.1\n"), [] },
        { "UTF-8 BOM", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("日本語 " + Http + "10.0.5.1\n")], [] },
        { "UTF-16 LE BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("日本語 " + Http + "10.0.5.1\n")], [] },
        { "UTF-16 BE BOM", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes("日本語 " + Http + "10.0.5.1\n")], [] },
        { "UTF-32 LE BOM", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes("日本語 " + Http + "10.0.5.1\n")], [] },
        { "UTF-16 BOM wins over --encoding", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("日本語 " + Http + "10.0.5.1\n")], ["--encoding", "shift_jis"] },
        { "--encoding latin1", Encoding.Latin1.GetBytes("Größe " + Http + "10.0.5.1\n"), ["--encoding", "latin1"] },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void The_encoding_is_chosen_by_byte_order_mark_then_option_then_utf8(string what, byte[] bytes, string[] options)
    {
        var cli = RunCli(["analyze", .. options, "--format", "json", "-"], bytes);
        Assert.True(cli.ExitCode == 1, what + ": " + cli.Stderr);
        using var json = JsonDocument.Parse(cli.Stdout);
        var http = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "CR2001");
        Assert.Equal("10.0.5.1", http.GetProperty("properties").GetProperty("peer")[0].GetString());
        var text = http.GetProperty("lineText").GetString()!;
        Assert.True(text.StartsWith("日本語 ", StringComparison.Ordinal) || text.StartsWith("Größe ", StringComparison.Ordinal), what + ": " + text);
    }

    [Fact]
    public void Without_a_byte_order_mark_shift_jis_bytes_become_replacement_characters_not_errors()
    {
        var bytes = Encoding.GetEncoding(932).GetBytes("障害 " + Http + "10.0.6.1\n");
        var http = Single(Evaluate(new MemoryStream(bytes)), "CR2001");
        Assert.Contains('\uFFFD', http.LineText!);
        Assert.EndsWith(Http + "10.0.6.1", http.LineText);
    }

    // ---- Line ends ---------------------------------------------------------------------------------------------

    [Fact]
    public void CR_only_line_ends_over_many_blocks()
    {
        var text = new StringBuilder();
        for (var i = 1; i <= 200_000; i++)
        {
            text.Append(i is 1 or 100_000 or 200_000 ? Http + "10.0.7." + (i % 250) : "Manager > show log " + i).Append('\r');
        }

        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text.ToString())));
        var http = Single(report, "CR2001");
        Assert.Equal((3, 1), (http.Count, http.Line));
        Assert.Equal(200_000, Lines(report));
    }

    [Theory]
    [InlineData("\r\n", 3)] // CRLF cut by the block boundary: one line end
    [InlineData("\r", 3)] // lone CR as the last character of a block
    [InlineData("\r\r\n", 4)] // CR, then CRLF across the boundary
    [InlineData("\n\r", 4)]
    public void Line_ends_cut_by_a_block_boundary_are_counted_once(string lineEnd, int lines)
    {
        // The first line fills the block up to the line end, which sits right at the block boundary.
        var first = new string('a', Block - (lineEnd.Length == 1 ? 1 : lineEnd.Length - 1));
        var text = first + lineEnd + Http + "10.0.8.1\r\nlast";
        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(lines, Lines(report));
        Assert.Equal(lines - 1, Single(report, "CR2001").Line);
    }

    [Theory]
    [InlineData("CRASH Router startup, ver 2.0.4-07", 1)] // before: 2 lines counted for this one
    [InlineData("hello", 1)]
    [InlineData("hello\n", 1)]
    [InlineData("a\nCRASH Router startup", 2)] // before: 3
    [InlineData("a\r\nb\r\n\r\n", 3)]
    [InlineData("\n\n\n", 3)]
    [InlineData("", 0)]
    public void The_last_line_without_a_line_end_counts_once_on_every_path(string text, int lines)
    {
        Assert.Equal(lines, Lines(Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)))));
        Assert.Equal(lines, Lines(Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)), model: "AR100")));
    }

    // ---- Records, sections and volume -----------------------------------------------------------------------------

    [Theory]
    [InlineData("REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001", "CR2004", 2)]
    [InlineData("REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001\nEXCEP 01024 Unexpected Exce", "CR2004", 2)]
    [InlineData("REST CRASH Router startup, ver 1.9.1-00, 01-Mar-2000\r\nEXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART *", "CR2005", 3)]
    [InlineData("REST CRASH Router startup, ver 1.9.1-00, 01-Mar-2000\r\nEXCEP TRAP1 Unexpected Exception $084/Trap #1 * REST", "CR2004", 2)]
    [InlineData("EXCEP 01024 Unexpected Exception $400/Exception Addr", "CR2004", 2)]
    [InlineData("REST CRASH Router sta", null, 0)]
    public void A_crash_record_cut_off_at_the_end_of_the_file(string tail, string? expected, int line)
    {
        // The record still open at the end of the file is closed and judged with what it has: a banner alone is a
        // crash; a banner with the RESTART trap is a deliberate restart; a trap cut before RESTART is not one.
        var text = "USER INFO Manager login\n" + tail;
        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)), model: "AR320");
        var signatures = report.Diagnostics.Where(d => d.Id is "CR2004" or "CR2005").ToList();
        if (expected is null)
        {
            Assert.Empty(signatures);
            return;
        }

        var d = Assert.Single(signatures);
        Assert.True((expected, 1, line) == (d.Id, d.Count, d.Line), string.Join("; ", report.Diagnostics.Select(x => $"{x.Id}@{x.Line}x{x.Count}")));
        Assert.Equal(tail.Count(c => c == '\n') + 2, Lines(report));
    }

    [Fact]
    public void A_million_matching_lines()
    {
        var stream = new GeneratedStream(Enumerable.Range(0, 1_000_000)
            .Select(i => Encoding.ASCII.GetBytes($"{i:D7} IPG WARN {Http}10.{i >> 16}.{(i >> 8) & 255}.{i & 255}\n")));
        var clock = Stopwatch.StartNew();
        var report = Evaluate(stream, model: "AR720");
        var http = Single(report, "CR2001");
        Assert.Equal(1_000_000, http.Count);
        Assert.Equal(1_000_000, Lines(report));
        Assert.Equal(100, http.Properties["peer"].Count); // distinct values are bounded
        Assert.True(http.ValuesTruncated);
        Assert.Contains("(+95 more and others not kept)", http.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void A_show_tcp_table_with_a_million_rows()
    {
        IEnumerable<byte[]> Pieces()
        {
            yield return Encoding.ASCII.GetBytes("Manager > show tcp\r\nConnection Table:\r\nIndex State       Local port and address   Remote port and address\r\n" + new string('-', 70) + "\r\n");
            for (var i = 0; i < 1_000_000; i++)
            {
                var state = i % 4 == 0 ? "listen     " : "established";
                yield return Encoding.ASCII.GetBytes($"{i:D6}    {state} 00080 192.0.2.1     {i % 65536:D5} 198.51.{(i >> 8) & 255}.{i & 255}\r\n");
            }

            yield return Encoding.ASCII.GetBytes("Manager > \r\n");
        }

        var clock = Stopwatch.StartNew();
        var report = Evaluate(new GeneratedStream(Pieces()), model: "AR320");
        var table = Single(report, "CR2003");
        Assert.Equal((1, 2), (table.Count, table.Line));
        Assert.Equal(["750000"], table.Properties["rows"]);
        Assert.Equal(1_000_005, Lines(report));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Interleaved_transcripts_of_several_routers()
    {
        // Three routers: their syslog lines interleaved line by line, then their terminal sessions taking turns.
        var lines = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var router = i % 3;
            lines.Add(router switch
            {
                0 => $"<134>Aug  3 09:{i % 60:D2}:00 ar320-a {Http}10.0.0.{i % 7}",
                1 => $"<134>Aug  3 09:{i % 60:D2}:00 ar720-b IPG WARN DirBcast Fail 10.1.0.{i % 5}>10.1.0.255 Prot=6 Int=eth0",
                _ => $"<134>Aug  3 09:{i % 60:D2}:00 ar740-c USER INFO Manager login on asyn{i % 4}",
            });
        }

        for (var turn = 0; turn < 4; turn++)
        {
            lines.Add($"ar320-a> show tcp");
            lines.Add("Connection Table:");
            lines.Add("Index State       Local port and address   Remote port and address");
            lines.AddRange(Enumerable.Range(0, 120).Select(r => $"{r:D2}    established 00080 192.0.2.1     {2000 + r:D5} 198.51.100.{r}"));
            lines.Add("ar320-a> ");
            lines.Add("ar720-b> show log");
            lines.Add("REST CRASH Router startup, ver 2.0.3-02, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001");
            lines.Add($"EXCEP 01024 Unexpected Exception $400/Exception Address $0002716{turn}");
            lines.Add("ar740-c> show log");
            lines.Add("REST CRASH Router startup, ver 2.0.7-04, 01-Mar-2000, Clock Log: 17:58:52 on 14-Mar-2000");
            lines.Add("EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056");
            lines.Add("ar740-c> ");
        }

        var text = string.Join("\r\n", lines) + "\r\n";
        var report = Evaluate(new MemoryStream(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(lines.Count, Lines(report));
        Assert.Equal(100, Single(report, "CR2001").Count);
        Assert.Equal(Enumerable.Range(0, 300).Where(i => i % 3 == 0).Select(i => $"10.0.0.{i % 7}").Distinct(), Single(report, "CR2001").Properties["peer"]);
        Assert.Equal(100, Single(report, "CR2002").Count);
        Assert.Equal((4, 302), (Single(report, "CR2003").Count, Single(report, "CR2003").Line));
        Assert.Equal(4, Single(report, "CR2004").Count); // ar720-b's four crashes
        Assert.Equal(4, Single(report, "CR2005").Count); // ar740-c's four deliberate restarts, not crashes
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private static IEnumerable<byte[]> Filler(long length)
    {
        var unit = new byte[64 * 1024];
        Array.Fill(unit, (byte)'x');
        for (; length >= unit.Length; length -= unit.Length)
        {
            yield return unit;
        }

        if (length > 0)
        {
            yield return unit[..(int)length];
        }
    }

    private static long CountLines(string text)
    {
        long lines = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                lines++;
            }
        }

        return lines + (text.Length > 0 && text[^1] is not ('\n' or '\r') ? 1 : 0);
    }
}

/// <summary>A read-only stream over byte pieces made while it is read: gigabytes of input without the memory or the disk.</summary>
internal sealed class GeneratedStream(IEnumerable<byte[]> pieces) : ReadOnlyTestStream
{
    private readonly IEnumerator<byte[]> _pieces = pieces.GetEnumerator();
    private byte[] _current = [];
    private int _offset;

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (_offset == _current.Length)
        {
            if (!_pieces.MoveNext())
            {
                return 0;
            }

            _current = _pieces.Current;
            _offset = 0;
        }

        var n = Math.Min(count, _current.Length - _offset);
        Buffer.BlockCopy(_current, _offset, buffer, offset, n);
        _offset += n;
        BytesRead += n;
        return n;
    }
}

/// <summary>Samples the managed heap while it is alive and keeps the largest size seen.</summary>
internal sealed class PeakMemory : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;

    public PeakMemory()
    {
        GC.Collect();
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                Peak = Math.Max(Peak, GC.GetTotalMemory(false));
                Thread.Sleep(5);
            }
        }) { IsBackground = true };
        _thread.Start();
    }

    public long Peak { get; private set; }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
