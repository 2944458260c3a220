using System.Text;

namespace CodeRed.Rules.Benchmarks;

/// <summary>
/// A deterministic, seeded synthetic AR router log: realistic noise with about 0.5% signature lines
/// (HTTP session exhaustion, DirBcast failures, crash and restart-reboot records, an occasional show tcp
/// table). The same seed and size always give the same bytes.
/// </summary>
public static class SyntheticLog
{
    private static readonly string[] Noise =
    [
        "IP    INFO  Interface eth{0} up, speed 100M full duplex",
        "USER  LOGON Manager login on asyn{0} from 192.168.{1}.{2}",
        "PPP   INFO  ppp{0} LCP up, IPCP negotiated 10.{1}.{2}.1",
        "FIRE  DENY  TCP 203.0.113.{1}:{2}00 > 198.51.100.{0}:23 dropped by policy",
        "IPG   INFO  Route 10.{0}.{1}.0/24 via 192.168.{2}.254 added",
        "SNMP  INFO  Trap sent to 192.168.{1}.{2} (linkUp)",
        "DHCP  INFO  Lease 192.168.{1}.{2} renewed for 00:00:f4:{0}{1}:{2}{0}:aa",
        "HTTP  INFO  Request from 192.168.{1}.{2} for /index.html served",
        "NTP   INFO  Clock adjusted by {0}{1} ms from 192.168.{2}.1",
        "TTY   INFO  Session on asyn{0} closed after {1}{2} s",
    ];

    public const double SignatureShare = 0.005;

    /// <summary>
    /// The default pack's line signatures, written for rg and grep -E (same meaning, no named groups), one per
    /// line in this order: CR2001, CR2002, the startup banner (CR2004 and CR2005 records), CR2004's exception
    /// line, CR2005's TRAP1 line; then the section start of CR2003 and the current-configuration fact (only the first five are counted).
    /// </summary>
    public static readonly string[] GrepPatterns =
    [
        @"HTTP\s+ERROR\s+No\s+free\s+HTTP\s+sessions\s*-\s*rejecting\s+connection\s+from\s+[^[:space:],;]+",
        @"DirBcast\s+Fail\s+[0-9A-Fa-f.:]+\s*>\s*[0-9A-Fa-f.:]+\s+Prot=[0-9]+\s+Int=[^[:space:]]+",
        @"CRASH\s+Router\s+startup",
        @"Unexpected\s+Exception\s+\$[0-9A-Fa-f]+\s*/\s*(Illegal\s+instruction|Exception|Watchdog\s+timer|Bus\s+error)",
        @"Unexpected\s+Exception\s+\$[0-9A-Fa-f]+\s*/\s*Trap\s*#\s*1\s*\*\s*RESTART\s*\*",
        @"Connection\s+Table:",
        @"Current\s+configuration:\s*[^[:space:],;]+",
    ];

    public static void Write(Stream output, long bytes, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        long written = 0;
        var minute = 0;
        var line = new StringBuilder(160);
        while (written < bytes)
        {
            minute++;
            var stamp = $"{1 + minute / 1440 % 28:00} {minute / 60 % 24:00}:{minute % 60:00}:{random.Next(60):00}";
            var roll = random.NextDouble();
            if (roll < SignatureShare)
            {
                foreach (var s in Signature(random, stamp).Lines)
                {
                    written += Emit(writer, s);
                }

                continue;
            }

            line.Clear();
            line.Append(stamp).Append("   ").Append(random.Next(1, 8)).Append(' ')
                .AppendFormat(Noise[random.Next(Noise.Length)], random.Next(10), random.Next(256), random.Next(256));
            written += Emit(writer, line.ToString());
        }
    }

    private static int Emit(StreamWriter writer, string text)
    {
        writer.WriteLine(text);
        return text.Length + 1;
    }

    /// <summary>One signature: the rule whose count it adds to, and its lines (a startup record has two).</summary>
    internal static (string Id, string[] Lines) Signature(Random random, string stamp) => random.Next(10) switch
    {
        <= 4 => ("CR2001", [$"{stamp}   3 HTTP  ERROR No free HTTP sessions - rejecting connection from 203.0.{random.Next(256)}.{random.Next(256)}"]),
        <= 7 => ("CR2002", [$"{stamp}   6 IPG   INFO  DirBcast Fail 203.0.113.{random.Next(256)}>198.51.100.255 Prot=6 Int=eth0"]),
        8 => ("CR2004", [
            $"{stamp}   7 REST  CRASH Router startup, ver 1.9.3-00, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001",
            $"{stamp}   7 EXCEP 01024 Unexpected Exception $400/Exception Address $000{random.Next(0x10000, 0xFFFFF):x}"]),
        _ => ("CR2005", [
            $"{stamp}   7 REST  CRASH Router startup, ver 2.0.4-07, 12-Mar-2002, Clock Log: 17:58:52 on 14-Mar-2002",
            $"{stamp}   7 EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056"]),
    };
}
