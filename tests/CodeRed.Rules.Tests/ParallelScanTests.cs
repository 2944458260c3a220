using System.Globalization;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>A log as generated for the parallel scan, where to cut it, with how many workers, and how it is decoded.</summary>
public sealed record ParallelScanCase(byte[] Bytes, long[] SplitPoints, int Workers, int MaxEntries, int MaxLineBytes, bool ShiftJis)
{
    public override string ToString() =>
        $"{Bytes.Length} bytes, {(ShiftJis ? "Shift-JIS" : "UTF-8")}, {Workers} worker(s), at most {MaxEntries} positions and {MaxLineBytes} line bytes a chunk, split at [{string.Join(", ", SplitPoints)}]: " +
        Encoding.Latin1.GetString(Bytes, 0, Math.Min(Bytes.Length, 400)).Replace("\r", "\\r").Replace("\n", "\\n");
}

public static class ParallelScanGenerators
{
    static ParallelScanGenerators() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly string[] Fragments =
    [
        "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.{n}.{m}",
        "<134>Aug  3 09:26:{n}{m} ar320 IPG WARN DirBcast Fail 10.0.{n}.1>10.0.{m}.255 Prot=6 Int=eth{n}",
        "0{n} 09:26:29   7 REST  CRASH Router startup, ver 2.0.{n}-0{m}, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001",
        "0{n} 09:26:30   7 EXCEP 01024 Unexpected Exception $400/Exception Address $0002716c",
        "0{n} 09:26:31   7 EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056",
        "Current configuration: site{n}{m}.cfg",
        "Manager ar320> disable http server",
        "Manager ar320> enable http server",
        "Operation successful.",
        "Manager ar320> create config=site{n}.cfg",
        "Connection Table:",
        "Index State       Local port and address   Remote port and address",
        "{n}{m}    established 00080 192.0.2.1     0{n}00 198.51.100.{m}",
        "TCP INFO Connection {n}{m} closed by peer 100.7.32.{m}",
        "an ordinary line of noise {n}{m} with nothing in it",
        "",
        "x",
    ];

    private static Gen<byte[]> End(bool mayBeCr) => mayBeCr ? Gen.Elements("\n", "\r\n", "\r", "\n", "\r\n").Select(Encoding.ASCII.GetBytes) : Gen.Constant("\n"u8.ToArray());

    private static Gen<byte[]> Line(Encoding encoding) =>
        from fragment in Gen.Frequency(
            (20, Gen.Elements(Fragments)),
            (2, Gen.Constant("【障害ログ】 ルータが再起動しました ソ表 HTTP ERROR No free HTTP sessions - rejecting connection from 10.9.{n}.{m}")),
            (1, Gen.Constant("ーソ十表能 Current configuration: site{n}.cfg")))
        from n in Gen.Choose(0, 9)
        from m in Gen.Choose(0, 9)
        from end in End(mayBeCr: true)
        select (byte[])[.. encoding.GetBytes(fragment.Replace("{n}", n.ToString(CultureInfo.InvariantCulture)).Replace("{m}", m.ToString(CultureInfo.InvariantCulture))), .. end];

    /// <summary>A 'show tcp' table that the section rule counts (more rows than its threshold, or fewer).</summary>
    private static Gen<byte[]> Table() =>
        from rows in Gen.Elements(20, 99, 100, 140)
        from end in End(mayBeCr: true)
        select Table(rows, Encoding.ASCII.GetString(end));

    private static byte[] Table(int rows, string end)
    {
        var table = new StringBuilder($"Manager ar320> show tcp{end}Connection Table:{end}Index State       Local port and address   Remote port and address{end}");
        for (var i = 0; i < rows; i++)
        {
            table.Append(CultureInfo.InvariantCulture, $"{i:D2}    established 00080 192.0.2.1     0{i:D4} 198.51.100.{i % 256}{end}");
        }

        return Encoding.ASCII.GetBytes(table.ToString());
    }

    /// <summary>Lines around the line buffer's size, where the scanner cuts a line into segments, some with a signature at the end.</summary>
    private static Gen<byte[]> LongLine() =>
        from delta in Gen.Elements(-3, -2, -1, 0, 1, 4097, 5000, (1 << 20) + 100)
        from signature in Gen.Elements("", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.1.1.1", "Connection Table:")
        from end in End(mayBeCr: true)
        select (byte[])[.. Enumerable.Repeat((byte)'y', SourceFeed.BufferSize + delta - signature.Length), .. Encoding.ASCII.GetBytes(signature), .. end];

    public static Arbitrary<ParallelScanCase> Case() =>
        (from shiftJis in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
         from parts in Gen.ListOf(Gen.Frequency(
             (40, Line(shiftJis ? Encoding.GetEncoding(932) : Encoding.UTF8)),
             (2, Table()),
             (1, Gen.Frequency((12, Gen.Constant(Array.Empty<byte>())), (1, LongLine())))))
         from lastWithoutEnd in Gen.Elements(false, true)
         let bytes = Assemble(parts, lastWithoutEnd)
         from cuts in Gen.ListOf(Gen.Choose(0, Math.Max(0, bytes.Length)))
         from workers in Gen.Choose(1, 4)
         from maxEntries in Gen.Elements(1, 2, 5, 1 << 15)
         from maxLineBytes in Gen.Elements(0, 1, 100, 1 << 20)
         select new ParallelScanCase(bytes, cuts.Select(c => (long)c).Take(12).ToArray(), workers, maxEntries, maxLineBytes, shiftJis)).ToArbitrary();

    private static byte[] Assemble(IEnumerable<byte[]> parts, bool lastWithoutEnd)
    {
        var bytes = parts.SelectMany(p => p).ToList();
        if (lastWithoutEnd)
        {
            bytes.AddRange("HTTP ERROR No free HTTP sessions - rejecting connection from 10.7.7.7"u8.ToArray());
        }

        return [.. bytes];
    }
}

/// <summary>
/// A large file is searched on several cores (<see cref="ParallelScan"/>): the report must be exactly the one pass's,
/// wherever the file is cut, however many workers search it.
/// </summary>
[Properties(Arbitrary = new[] { typeof(ParallelScanGenerators) }, MaxTest = 60)]
public sealed class ParallelScanTests
{
    static ParallelScanTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static string Json(AnalysisReport report)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.Write(stream, report);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Report(string path, Encoding? encoding, int threads, string? model = "AR320") =>
        Json(Pack.Evaluate(
            new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromFile(path, encoding, name: "e")] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en"), MaxDegreeOfParallelism = threads }));

    private static (string Single, string Parallel, ParallelScanHook Hook) BothWays(byte[] bytes, ParallelScanHook hook, Encoding? encoding = null, string? model = "AR320")
    {
        var path = Path.Combine(Path.GetTempPath(), $"codered-parallel-{Guid.NewGuid():N}.log");
        File.WriteAllBytes(path, bytes);
        try
        {
            var single = Report(path, encoding, threads: 1, model);
            ParallelScan.Hook.Value = hook;
            try
            {
                return (single, Report(path, encoding, threads: 2, model), hook);
            }
            finally
            {
                ParallelScan.Hook.Value = null;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property]
    public Property Cutting_a_file_anywhere_and_searching_it_on_several_threads_gives_the_one_pass_report(ParallelScanCase c)
    {
        var hook = new ParallelScanHook { SplitPoints = c.SplitPoints, Workers = c.Workers, MaxEntries = c.MaxEntries, MaxLineBytes = c.MaxLineBytes };
        var (single, parallel, _) = BothWays(c.Bytes, hook, c.ShiftJis ? Encoding.GetEncoding(932) : null);
        // Without a line end past the first bytes (read again after the encoding is decided) and before the last byte
        // (a final CR may be half a CRLF) there is nothing to cut: such a file is read in one pass.
        var hasLineEnd = c.Bytes.Length > 5 && c.Bytes.AsSpan(4, c.Bytes.Length - 5).IndexOfAny((byte)'\r', (byte)'\n') >= 0;
        return (single == parallel).Label("reports equal")
            .And((hook.ChunksScanned > 0 || !hasLineEnd).Label("searched in parallel"))
            .And((hook.Boundaries.Count == 0 || hook.Boundaries.Zip(hook.Boundaries.Skip(1)).All(b => b.First < b.Second)).Label("boundaries increase"));
    }

    [Fact]
    public void A_cut_between_CR_and_LF_moves_to_the_next_line_start()
    {
        var bytes = "Manager ar320> show tcp\r\nConnection Table:\r\nx\r\n"u8.ToArray();
        var crlf = Array.IndexOf(bytes, (byte)'\r') + 1; // between the first CR and its LF
        var hook = new ParallelScanHook { SplitPoints = [crlf, crlf + 1, crlf - 1], Workers = 3 };
        var (single, parallel, _) = BothWays(bytes, hook);
        Assert.Equal(single, parallel);
        Assert.Equal([0L, crlf + 1, bytes.Length], hook.Boundaries);
    }

    [Fact]
    public void A_record_and_a_section_straddling_every_cut_count_as_in_one_pass()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 50; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"0{i % 10} 09:26:29   7 REST  CRASH Router startup, ver 2.0.{i % 7}-01, 03-Jul-2000\n");
            text.Append("noise between\n");
            text.Append(CultureInfo.InvariantCulture, $"0{i % 10} 09:26:30   7 EXCEP 01024 Unexpected Exception $400/Exception Address $0002716c\r\n");
            text.Append(CultureInfo.InvariantCulture, $"Current configuration: site{i}.cfg\r");
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString()).Concat(Encoding.ASCII.GetBytes("Connection Table:\n")).ToList();
        for (var i = 0; i < 150; i++)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes($"{i:D2}    established 00080 192.0.2.1     0{i:D4} 198.51.100.{i % 256}\n"));
        }

        var all = bytes.ToArray();
        // A cut every 7 bytes: inside every record and every table row.
        var hook = new ParallelScanHook { SplitPoints = Enumerable.Range(1, all.Length / 7).Select(i => (long)i * 7).ToArray(), Workers = 4 };
        var (single, parallel, _) = BothWays(all, hook);
        Assert.Equal(single, parallel);
        Assert.True(hook.Boundaries.Count > 100);
        Assert.Contains("\"CR2003\"", parallel, StringComparison.Ordinal);
        Assert.Contains("\"CR2004\"", parallel, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_above_the_threshold_is_cut_in_chunks_of_the_usual_size()
    {
        var line = "an ordinary line of noise with nothing in it, long enough to fill a file fast\n"u8.ToArray();
        var signature = "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.{0}\n";
        var size = ParallelScan.MinimumBytes + (3 << 20);
        using var bytes = new MemoryStream((int)size + 4096);
        var n = 0;
        while (bytes.Length < size)
        {
            bytes.Write(line);
            if (++n % 10_000 == 0)
            {
                bytes.Write(Encoding.ASCII.GetBytes(string.Format(CultureInfo.InvariantCulture, signature, n / 10_000 % 250)));
            }
        }

        var hook = new ParallelScanHook { MinimumBytes = ParallelScan.MinimumBytes, Workers = 2 };
        var (single, parallel, _) = BothWays(bytes.ToArray(), hook);
        Assert.Equal(single, parallel);
        Assert.Equal(6, hook.Boundaries.Count); // 35 MiB in chunks of 8 MiB: five chunks
        Assert.Contains("\"CR2001\"", parallel, StringComparison.Ordinal);
    }

    [Fact]
    public void One_thread_reads_in_one_pass_and_a_small_file_too()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { MaxDegreeOfParallelism = 0 });
        Assert.Equal(Environment.ProcessorCount, EvaluationOptions.Default.MaxDegreeOfParallelism);
        var hook = new ParallelScanHook { MinimumBytes = ParallelScan.MinimumBytes };
        var (single, parallel, _) = BothWays("HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n"u8.ToArray(), hook);
        Assert.Equal(single, parallel);
        Assert.Equal(0, hook.ChunksScanned);
        Assert.Empty(hook.Boundaries);
    }

    [Fact]
    public void The_cli_reads_a_named_file_through_the_parallel_scan_and_reports_as_in_one_pass()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 3000).Select(i => i % 97 == 0
            ? $"HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.{i % 200}.1"
            : $"TCP INFO Connection {i} closed by peer 100.7.32.41");
        var log = dir.Write("big.log", string.Join("\n", lines) + "\n");
        var single = RunCli(["analyze", "--format", "json", "--threads", "1", log]);
        var hook = new ParallelScanHook { SplitPoints = [1000, 50_000, 90_000], Workers = 2 };
        ParallelScan.Hook.Value = hook;
        CliResult parallel;
        try
        {
            parallel = RunCli(["analyze", "--format", "json", log]);
        }
        finally
        {
            ParallelScan.Hook.Value = null;
        }

        // The CLI wraps the file to notice a truncation; the wrapper hands the file to the scan, and what the scan read
        // counts as read (no "shrank while it was read").
        Assert.True(hook.ChunksScanned > 0, "searched in parallel");
        Assert.Equal(single.Stdout, parallel.Stdout);
        Assert.Equal(single.Stderr, parallel.Stderr);
        Assert.Equal(single.ExitCode, parallel.ExitCode);
        Assert.Contains("\"CR2001\"", parallel.Stdout, StringComparison.Ordinal);
    }
}
