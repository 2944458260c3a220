using System.Text;

namespace CodeRed.Rules.Benchmarks;

/// <summary>
/// The two corpora nobody tuned to (issue 15), each with AR signatures injected at seeded places and their true counts:
/// <list type="bullet">
/// <item><c>real</c>: real public log lines (corpus/loghub-sample.log, 400 lines from each of 14 loghub samples),
/// replicated to the size asked for.</item>
/// <item><c>adversarial</c>: 30% of the lines hold a word of some pattern's literals (connection, session, Exception,
/// ERROR, HTTP, startup, Manager, Router, DirBcast, TRAP1, ...) but match no rule.</item>
/// </list>
/// The truth file lists "ID COUNT" as the JSON report's counts should be.
/// </summary>
public static class Corpora
{
    /// <summary>Lines holding the pack's words without matching any pattern; the stamp and a random number go in {0} and {1}.</summary>
    private static readonly string[] NearMisses =
    [
        "{0}   3 HTTP  INFO  connection {1} from 192.168.1.7 closed by peer",
        "{0}   3 TCP   INFO  Connection {1} closed by peer 100.7.32.41",
        "{0}   5 USER  LOGON Manager login on asyn{1} from 10.0.0.9",
        "{0}   5 TTY   INFO  session {1} on asyn2 closed after 31 s",
        "{0}   2 HTTP  ERROR 404 for /images/{1}.gif from 172.16.0.3",
        "{0}   7 APP   WARN  Unexpected Exception in handler {1}, request retried",
        "{0}   6 REST  INFO  Router startup complete in {1} ms",
        "{0}   6 IPG   INFO  DirBcast counter {1} reset on eth0",
        "{0}   7 EXCEP TRAP1 watchdog check {1} passed",
        "{0}   4 HTTP  WARN  No free HTTP sessions for {1} ms, queue length 0",
        "{0}   4 CFG   INFO  Current configuration loaded from flash, {1} entries",
        "{0}   3 SYS   ERROR CRASH report {1} uploaded",
    ];

    private static readonly string[] Plain =
    [
        "{0}   1 IP    INFO  Interface eth{1} up, speed 100M full duplex",
        "{0}   1 PPP   INFO  ppp{1} LCP up, IPCP negotiated 10.1.2.1",
        "{0}   1 DHCP  INFO  Lease 192.168.1.{1} renewed for 00:00:f4:aa:bb:cc",
        "{0}   1 NTP   INFO  Clock adjusted by {1} ms from 192.168.0.1",
    ];

    public static void WriteReal(string sample, Stream output, long bytes, int seed, TextWriter truth)
    {
        var lines = File.ReadAllLines(sample);
        var next = 0;
        Write(output, bytes, seed, truth, (_, _) => lines[next++ % lines.Length]);
    }

    public static void WriteAdversarial(Stream output, long bytes, int seed, TextWriter truth) =>
        Write(output, bytes, seed, truth, (random, stamp) =>
        {
            var table = random.NextDouble() < 0.3 ? NearMisses : Plain;
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, table[random.Next(table.Length)], stamp, random.Next(100_000));
        });

    private static void Write(Stream output, long bytes, int seed, TextWriter truth, Func<Random, string, string> noise)
    {
        var random = new Random(seed);
        var counts = new SortedDictionary<string, long> { ["CR2001"] = 0, ["CR2002"] = 0, ["CR2004"] = 0, ["CR2005"] = 0 };
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        long written = 0;
        var minute = 0;
        while (written < bytes)
        {
            minute++;
            var stamp = $"{1 + minute / 1440 % 28:00} {minute / 60 % 24:00}:{minute % 60:00}:{random.Next(60):00}";
            if (random.NextDouble() < SyntheticLog.SignatureShare)
            {
                var (id, signature) = SyntheticLog.Signature(random, stamp);
                counts[id]++;
                foreach (var s in signature)
                {
                    written += Emit(writer, s);
                }

                continue;
            }

            written += Emit(writer, noise(random, stamp));
        }

        foreach (var (id, count) in counts)
        {
            truth.WriteLine($"{id} {count}");
        }
    }

    private static int Emit(StreamWriter writer, string text)
    {
        writer.WriteLine(text);
        return Encoding.UTF8.GetByteCount(text) + 1;
    }
}
