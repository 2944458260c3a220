using System.Diagnostics;
using System.Globalization;
using System.Text;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Output;
using SharpFuzz;

namespace CodeRed.Rules.Fuzz;

/// <summary>
/// Fuzz targets for CodeRed.Rules.
/// <list type="bullet">
/// <item><c>pack</c>: <see cref="RulePack.LoadFromStream"/> on arbitrary bytes. The only documented failure is
/// <see cref="RulePackException"/>; a pack that loads is then evaluated on a small transcript.</item>
/// <item><c>evidence</c>: arbitrary bytes evaluated as one evidence source with the default pack, reports written as
/// JSON and text. Nothing may throw, and the line count must equal an independent count of the decoded text.</item>
/// </list>
/// Modes: <c>afl</c> (under afl-fuzz, with SharpFuzz), <c>mutate SECONDS [CORPUS] [SEED]</c> (a built-in
/// libFuzzer-style mutation loop for machines without AFL), <c>run FILE...</c> (replay inputs, such as crashes).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        if (args.Length < 2 || Target(args[0]) is not { } target)
        {
            Console.Error.WriteLine("usage: CodeRed.Rules.Fuzz pack|evidence afl | mutate SECONDS [CORPUS_DIR] [SEED] [CRASH_DIR] | run FILE...");
            return 2;
        }

        switch (args[1])
        {
            case "afl":
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    target(buffer.ToArray());
                });
                return 0;
            case "mutate" when args.Length >= 3:
                return Mutator.Run(args[0], target, TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)),
                    args.Length > 3 ? args[3] : Path.Combine(AppContext.BaseDirectory, "corpus", args[0]),
                    args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : Environment.TickCount,
                    args.Length > 5 ? args[5] : Path.Combine("findings", args[0], "crashes"));
            case "run":
                var failed = 0;
                foreach (var file in args.Skip(2))
                {
                    try
                    {
                        target(File.ReadAllBytes(file));
                        Console.WriteLine($"ok      {file}");
                    }
                    catch (Exception e)
                    {
                        failed++;
                        Console.WriteLine($"FAILED  {file}: {e}");
                    }
                }

                return failed == 0 ? 0 : 1;
            default:
                Console.Error.WriteLine($"unknown mode '{args[1]}'");
                return 2;
        }
    }

    private static Action<byte[]>? Target(string name) => name switch
    {
        "pack" => Targets.Pack,
        "evidence" => Targets.Evidence,
        _ => null,
    };
}

/// <summary>The two targets. They throw only for a bug: an undocumented exception or a broken invariant.</summary>
internal static class Targets
{
    private const string Transcript = """
        Manager > show tcp
        Connection Table:
        Index State       Local port and address   Remote port and address
        00    established 00080 192.0.2.1     02584 198.51.100.3
        01    established 00080 192.0.2.1     02585 198.51.100.4
        02    established 00080 192.0.2.1     02586 198.51.100.5
        Manager >
        HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.45
        DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0
        REST CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001
        EXCEP 01024 Unexpected Exception $400/Exception Address $0002716c
        Current configuration: swe.cfg
        """;

    private static readonly string[] Models = ["AR320", "ar-300l v2", "AR100", "AR999", ""];

    public static void Pack(byte[] data)
    {
        RulePack pack;
        try
        {
            pack = RulePack.LoadFromStream(new MemoryStream(data, writable: false), "fuzz.yaml");
        }
        catch (RulePackException e)
        {
            // Documented. Every problem must still have a place and a one-line message.
            foreach (var p in e.Problems)
            {
                Check(p.Line >= 0 && p.Column >= 0, "a problem has a negative position");
                Check(!p.Message.Contains('\n', StringComparison.Ordinal), $"a problem message spans lines: {p}");
            }

            return;
        }

        foreach (var model in Models.Take(2))
        {
            var report = pack.Evaluate(new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromText("t", Transcript)] });
            WriteReports(report);
        }
    }

    public static void Evidence(byte[] data)
    {
        // The first byte picks a model, the second an encoding; all bytes are the evidence.
        var model = data.Length > 0 ? Models[data[0] % Models.Length] : null;
        var encoding = (data.Length > 1 ? data[1] % 4 : 0) switch
        {
            1 => Encoding.GetEncoding(932),
            2 => Encoding.GetEncoding("euc-jp"),
            3 => Encoding.Latin1,
            _ => null,
        };

        var report = RulePack.Default.Evaluate(new DeviceEvidence
        {
            Model = model,
            Sources = [EvidenceSource.FromStream("fuzz", new MemoryStream(data, writable: false), encoding)],
        });
        WriteReports(report);

        // Invariant: the scanner's line count equals a plain count over the same decoded text.
        var text = ReadAll(data, encoding);
        var expected = CountLines(text);
        Check(report.SourcesRead[0].Lines == expected, $"line count {report.SourcesRead[0].Lines}, expected {expected}");
        foreach (var d in report.Diagnostics)
        {
            Check(d.Line is null || (d.Line >= 1 && d.Line <= expected), $"{d.Id} at line {d.Line} of {expected}");
            Check(d.Count >= 1, $"{d.Id} has count {d.Count}");
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

    private static void WriteReports(AnalysisReport report)
    {
        using var json = new MemoryStream();
        JsonReportWriter.Write(json, report);
        using var text = new StringWriter();
        TextReportWriter.Write(text, report);
    }

    private static string ReadAll(byte[] data, Encoding? encoding)
    {
        using var reader = new StreamReader(new MemoryStream(data, writable: false), EvidenceSource.Decoding(encoding), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantException(what);
        }
    }
}

internal sealed class InvariantException(string message) : Exception(message);

/// <summary>
/// A libFuzzer-style loop for when afl-fuzz cannot run: mutate corpus inputs (bit flips, byte edits, chunk inserts,
/// deletes and copies, splices, YAML and log tokens, long repeats) for a given time, run the target on each, and save
/// every input that throws anything but the documented exceptions, or takes longer than the time limit.
/// </summary>
internal static class Mutator
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "[", "]", "{", "}", ": ", "- ", "---\n", "&a ", "*a", "!!str ", "!x ", "? ", "|\n", ">-\n", "\t", "  ", "\n", "\r\n", "\r",
            "'", "\"", "#", "~", "null", "true", "-1", "99999999999", "1e9", "{count}", "{peer}", "{{", "}}",
            "regex: ", "literal: ", "ignoreCase: true", "(?<peer>\\S+)", "(a{1,1000}){1,1000}", "\\k<a>", "(?=x)", "[^", "\\p{L}",
            "kind: rule\n", "id: ", "threshold: ", "models: [", "record: startup", "suppresses: [", "when: {",
            "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1", "DirBcast Fail 1.2.3.4>1.2.3.255 Prot=6 Int=eth0",
            "Connection Table:", "00    established 00080 1.2.3.4     02584 5.6.7.8", "CRASH Router startup, ver 2.0.4-07",
            "Unexpected Exception $400/Exception Address $0", "Unexpected Exception $084/Trap #1 * RESTART *", "Current configuration: a.cfg",
        }.Select(Encoding.UTF8.GetBytes),
        [0x00], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF], [0x82], [0x82, 0xA0], [0xA4, 0xA2], [0xE3, 0x81], [0xC0, 0x80], [0xF0, 0x9F, 0x98],
    ];

    public static int Run(string name, Action<byte[]> target, TimeSpan duration, string corpusDir, int seed, string crashDir)
    {
        var corpus = Directory.EnumerateFiles(corpusDir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        if (corpus.Count == 0)
        {
            Console.Error.WriteLine($"no seed inputs in {corpusDir}");
            return 2;
        }

        Directory.CreateDirectory(crashDir);
        var random = new Random(seed);
        var limit = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        long runs = 0;
        var crashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var slow = 0;
        var current = Path.Combine(crashDir, "..", "current-input");
        Console.WriteLine($"fuzz {name}: {corpus.Count} seeds from {corpusDir}, seed {seed}, {duration.TotalSeconds:0} s");

        // Seeds first, as they are.
        var queue = new Queue<byte[]>(corpus);
        while (clock.Elapsed < duration)
        {
            var input = queue.Count > 0 ? queue.Dequeue() : Mutate(corpus, random);
            File.WriteAllBytes(current, input); // left behind if the process dies (stack overflow, out of memory)
            var started = clock.Elapsed;
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                // The targets catch every documented exception; whatever escapes is a bug. One file per distinct failure.
                var key = e.GetType().Name + " " + (e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "");
                if (!crashes.ContainsKey(key))
                {
                    var file = Path.Combine(crashDir, $"crash-{crashes.Count + 1:000}.bin");
                    File.WriteAllBytes(file, input);
                    crashes[key] = file;
                    Console.WriteLine($"CRASH {file}: {e.GetType().Name}: {e.Message}");
                    Console.WriteLine(e.StackTrace);
                }
            }

            var took = clock.Elapsed - started;
            if (took > limit)
            {
                slow++;
                var file = Path.Combine(crashDir, $"slow-{slow:000}.bin");
                File.WriteAllBytes(file, input);
                Console.WriteLine($"SLOW {file}: {took.TotalSeconds:0.0} s for {input.Length} bytes");
            }

            runs++;
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0} s: {runs} runs, {crashes.Count} distinct crash(es), {slow} slow");
            }
        }

        File.Delete(current);
        Console.WriteLine($"fuzz {name}: {runs} runs in {clock.Elapsed.TotalSeconds:0} s, {crashes.Count} distinct crash(es), {slow} slow input(s)");
        return crashes.Count == 0 && slow == 0 ? 0 : 1;
    }

    private static byte[] Mutate(List<byte[]> corpus, Random random)
    {
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        var count = 1 + random.Next(random.Next(2) == 0 ? 4 : 16);
        for (var i = 0; i < count; i++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count + 1);
            switch (random.Next(10))
            {
                case 0 when data.Count > 0: // flip a bit
                    at = Math.Min(at, data.Count - 1);
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0: // set a byte
                    at = Math.Min(at, data.Count - 1);
                    data[at] = (byte)random.Next(256);
                    break;
                case 2 when data.Count > 0: // delete a chunk
                    at = Math.Min(at, data.Count - 1);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 3 when data.Count > 0: // copy a chunk elsewhere
                    var from = random.Next(data.Count);
                    var chunk = data.GetRange(from, Math.Min(data.Count - from, 1 + random.Next(128)));
                    data.InsertRange(Math.Min(at, data.Count), chunk);
                    break;
                case 4: // splice with another input
                    var other = corpus[random.Next(corpus.Count)];
                    if (other.Length > 0)
                    {
                        var start = random.Next(other.Length);
                        data.InsertRange(at, other.Skip(start).Take(1 + random.Next(256)));
                    }

                    break;
                case 5 or 6 or 7: // insert a token
                    data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 8: // repeat a token many times (deep nesting, long lines, many lines)
                    var token = Tokens[random.Next(Tokens.Length)];
                    var times = random.Next(4) == 0 ? 1 + random.Next(20_000) : 1 + random.Next(200);
                    var block = new List<byte>(token.Length * times);
                    for (var t = 0; t < times && block.Count < 1_000_000; t++)
                    {
                        block.AddRange(token);
                    }

                    data.InsertRange(at, block);

                    break;
                default: // insert random bytes
                    var bytes = new byte[1 + random.Next(16)];
                    random.NextBytes(bytes);
                    data.InsertRange(at, bytes);
                    break;
            }
        }

        return [.. data];
    }
}
