using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Black-box acceptance tests written from the advisory (docs: ADVISORY.md) and the README contract only.
/// Every piece of evidence here is invented for these tests: other addresses, hosts, timestamps, column
/// layouts, spacing, line ends and Japanese encodings than any sample shipped with the pack.
/// </summary>
public sealed class IndependentEvidenceTests
{
    static IndependentEvidenceTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly string[] WorkaroundModels = ["AR130", "AR160", "AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"];

    private static readonly string[] WorkaroundCommands = ["disable http server", "create config=", "restart router"];

    // ---------------------------------------------------------------- helpers

    /// <summary>A syslog-style line: date, time, host, facility.severity, then the router's text.</summary>
    private static string Sys(int minute, int second, string text, string host = "gw-kobe-02") =>
        $"Aug 17 21:{minute:00}:{second:00} {host} local3.warning {text}";

    private static string Lines(string newline, params string[] lines) => string.Join(newline, lines) + newline;

    private static Diagnostic Single(AnalysisReport report, string id)
    {
        var hits = report.Diagnostics.Where(d => d.Id == id).ToArray();
        Assert.True(hits.Length == 1, $"expected exactly one {id}, got [{string.Join(", ", report.Ids())}]");
        return hits[0];
    }

    private static IReadOnlyList<string> Prop(Diagnostic d, string name)
    {
        Assert.True(d.Properties.TryGetValue(name, out var values), $"{d.Id} has no property '{name}' (has: {string.Join(", ", d.Properties.Keys)})");
        return values!;
    }

    private static string[] Commands(AnalysisReport report) =>
        report.Remediation.Where(s => s.Command is not null).Select(s => s.Command!).ToArray();

    /// <summary>A <c>show tcp</c> table: some listeners, then the given established rows.</summary>
    private static List<string> TcpTable(IEnumerable<(int LocalPort, int RemotePort, string Remote, string State)> rows)
    {
        var lines = new List<string>
        {
            "Connection Table:",
            "Index State       Local port and address   Remote port and address",
            new string('-', 70),
            "00    listen      00023 0.0.0.0             00000 0.0.0.0",
            "01    listen      00080 0.0.0.0             00000 0.0.0.0",
            "02    listen      00515 0.0.0.0             00000 0.0.0.0",
        };
        var index = 3;
        foreach (var (localPort, remotePort, remote, state) in rows)
        {
            lines.Add($"{index,-5:00} {state,-11} {localPort:00000} 172.30.8.1          {remotePort:00000} {remote}");
            index++;
        }

        return lines;
    }

    private static IEnumerable<(int, int, string, string)> Established(int count, int localPort = 80, int firstOctet = 61) =>
        Enumerable.Range(0, count).Select(i => (localPort, 1030 + (i * 7 % 60000), $"{firstOctet}.{(i / 250) + 12}.{(i % 250) + 1}.{(i * 3 % 254) + 1}", "established"));

    private static void AssertNoStackTrace(string stderr)
    {
        Assert.DoesNotMatch(new Regex(@"^\s+at \S+", RegexOptions.Multiline), stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("System.", stderr);
    }

    // ---------------------------------------------------------------- CR2001: HTTP sessions exhausted

    [Fact]
    public void CR2001_fires_on_syslog_lines_and_keeps_distinct_peers_in_first_appearance_order()
    {
        var log = Lines("\n",
            Sys(0, 1, "IPG INFO Interface eth0 up"),
            Sys(0, 5, "HTTP ERROR No free HTTP sessions - rejecting connection from 198.51.100.23"),
            Sys(0, 6, "HTTP ERROR No free HTTP sessions - rejecting connection from 10.44.0.5"),
            Sys(0, 9, "USER INFO Manager login on asyn0"),
            Sys(1, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 198.51.100.23"),
            Sys(1, 2, "HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.250"),
            Sys(1, 3, "HTTP ERROR No free HTTP sessions - rejecting connection from 10.44.0.5"));

        var report = EvaluateLog(log, "AR160");

        var d = Single(report, "CR2001");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(5, d.Count);
        Assert.Equal(2, d.Line);
        Assert.Equal("log", d.Source);
        Assert.Equal(["198.51.100.23", "10.44.0.5", "203.0.113.250"], Prop(d, "peer"));
        Assert.Contains("198.51.100.23", d.Message);
    }

    [Fact]
    public void CR2001_matches_wherever_the_text_stands_with_varied_column_spacing()
    {
        var log = Lines("\n",
            "2001/08/06 09:14:55  rtr3   HTTP    ERROR   No free HTTP sessions - rejecting connection from 192.0.2.146",
            "[ 1234.56] <4>HTTP\tERROR\tNo free HTTP sessions - rejecting connection from 192.0.2.147",
            "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.148");

        var d = Single(EvaluateLog(log, "AR740"), "CR2001");

        Assert.Equal(3, d.Count);
        Assert.Equal(["192.0.2.146", "192.0.2.147", "192.0.2.148"], Prop(d, "peer"));
    }

    [Fact]
    public void CR2001_does_not_fire_on_similar_but_different_http_lines()
    {
        var log = Lines("\n",
            Sys(2, 0, "HTTP INFO Accepted connection from 192.0.2.10"),
            Sys(2, 1, "HTTP ERROR No free TELNET sessions - rejecting connection from 192.0.2.10"),
            Sys(2, 2, "HTTP ERROR Request too long from 192.0.2.10"),
            Sys(2, 3, "HTTP INFO 4 free HTTP sessions"),
            Sys(2, 4, "TELNET ERROR rejecting connection from 192.0.2.10"));

        var report = EvaluateLog(log, "AR320");

        Assert.DoesNotContain("CR2001", report.Ids());
        Assert.DoesNotContain(report.Ids(), id => id.StartsWith("CR2", StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- CR2002: directed broadcast

    [Fact]
    public void CR2002_fires_on_dirbcast_failures_and_collects_each_capture()
    {
        var log = Lines("\r\n",
            Sys(3, 10, "IPG WARN DirBcast Fail 203.0.113.8>10.77.3.255 Prot=6 Int=eth0"),
            Sys(3, 11, "IPG WARN DirBcast Fail 203.0.113.9>10.77.3.255 Prot=6 Int=eth0"),
            Sys(3, 12, "IPG INFO Route added 10.78.0.0/16"),
            Sys(3, 14, "IPG WARN DirBcast Fail 198.51.100.77>10.77.255.255 Prot=17 Int=ppp1"));

        var d = Single(EvaluateLog(log, "AR720"), "CR2002");

        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(3, d.Count);
        Assert.Equal(1, d.Line);
        Assert.Equal(["203.0.113.8", "203.0.113.9", "198.51.100.77"], Prop(d, "src"));
        Assert.Equal(["10.77.3.255", "10.77.255.255"], Prop(d, "dst"));
        Assert.Equal(["6", "17"], Prop(d, "prot"));
        Assert.Equal(["eth0", "ppp1"], Prop(d, "iface"));
    }

    [Fact]
    public void CR2002_does_not_fire_on_near_misses()
    {
        var log = Lines("\n",
            Sys(4, 0, "IPG INFO DirBcast Pass 203.0.113.8>10.77.3.255 Prot=6 Int=eth0"),
            Sys(4, 1, "IPG INFO Directed broadcast forwarding disabled on eth0"),
            Sys(4, 2, "IPG WARN Bcast Fail 203.0.113.8>10.77.3.255 Prot=6 Int=eth0"),
            Sys(4, 3, "IPG WARN UniCast Fail 203.0.113.8>10.77.3.1 Prot=6 Int=eth0"));

        Assert.DoesNotContain("CR2002", EvaluateLog(log, "AR720").Ids());
    }

    // ---------------------------------------------------------------- CR2003: show tcp flood

    [Fact]
    public void CR2003_flags_a_flood_of_two_hundred_established_port_80_rows_in_a_transcript()
    {
        var lines = new List<string> { "Manager gw-kobe-02> show tcp", "" };
        var tableStart = lines.Count + 1;
        lines.AddRange(TcpTable(Established(210)));
        lines.Add("");
        lines.Add("Manager gw-kobe-02> ");

        var report = EvaluateLog(Lines("\r\n", [.. lines]), "AR300L V2");

        var d = Single(report, "CR2003");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(["210"], Prop(d, "rows"));
        Assert.Equal(["172.30.8.1"], Prop(d, "local"));
        Assert.Equal("61.12.1.1", Prop(d, "peer")[0]);
        Assert.Contains("210", d.Message);
        Assert.InRange(d.Line!.Value, tableStart, lines.Count);
    }

    [Fact]
    public void CR2003_counts_only_established_rows_with_local_port_80()
    {
        var rows = new List<(int, int, string, string)>();
        rows.AddRange(Established(130));                                   // counted
        rows.AddRange(Established(300, localPort: 23, firstOctet: 62));    // other local port
        rows.AddRange(Established(40, localPort: 8080, firstOctet: 63));   // 8080 is not 80
        rows.AddRange(Enumerable.Range(0, 50).Select(i => (80, 2000 + i, $"64.1.1.{i + 1}", "finWait2")));
        rows.AddRange(Enumerable.Range(0, 50).Select(i => (80, 2100 + i, $"64.1.2.{i + 1}", "timeWait")));
        rows.AddRange(Enumerable.Range(0, 50).Select(i => (3000 + i, 80, $"64.1.3.{i + 1}", "established"))); // remote port 80

        var d = Single(EvaluateLog(Lines("\n", [.. TcpTable(rows)])), "CR2003");

        Assert.Equal(["130"], Prop(d, "rows"));
        Assert.DoesNotContain(Prop(d, "peer"), p => p.StartsWith("62.", StringComparison.Ordinal) || p.StartsWith("63.", StringComparison.Ordinal) || p.StartsWith("64.", StringComparison.Ordinal));
    }

    [Fact]
    public void CR2003_does_not_fire_on_a_handful_of_port_80_rows()
    {
        var lines = new List<string> { "Manager > show tcp" };
        lines.AddRange(TcpTable(Established(6)));

        var report = EvaluateLog(Lines("\n", [.. lines]), "AR320");

        Assert.DoesNotContain("CR2003", report.Ids());
    }

    [Fact]
    public void CR2003_does_not_fire_on_many_established_rows_on_another_local_port()
    {
        var report = EvaluateLog(Lines("\n", [.. TcpTable(Established(400, localPort: 23))]), "AR320");

        Assert.DoesNotContain("CR2003", report.Ids());
    }

    [Fact]
    public void CR2003_does_not_fire_on_many_port_80_rows_in_other_states()
    {
        var rows = Enumerable.Range(0, 300).Select(i => (80, 1500 + i, $"70.0.{i / 200}.{(i % 200) + 1}", i % 2 == 0 ? "finWait2" : "closeWait"));

        Assert.DoesNotContain("CR2003", EvaluateLog(Lines("\n", [.. TcpTable(rows)])).Ids());
    }

    [Fact]
    public void CR2003_requires_a_connection_table_section()
    {
        // The same rows, but no "Connection Table:" header above them.
        var rows = TcpTable(Established(200)).Skip(1).ToArray();

        Assert.DoesNotContain("CR2003", EvaluateLog(Lines("\n", rows)).Ids());
    }

    [Fact]
    public void CR2003_judges_each_table_on_its_own_and_ignores_rows_after_the_next_prompt()
    {
        var lines = new List<string> { "Manager gw> show tcp" };
        lines.AddRange(TcpTable(Established(60)));
        lines.AddRange(["", "Manager gw> show tcp"]);
        lines.AddRange(TcpTable(Established(60, firstOctet: 66)));
        lines.AddRange(["", "Manager gw> show ip arp", ""]);
        lines.AddRange(TcpTable(Established(70, firstOctet: 67)).Skip(3)); // table-like rows, no header, after another command

        Assert.DoesNotContain("CR2003", EvaluateLog(Lines("\n", [.. lines]), "AR720").Ids());

        // The same 120 rows in one table do reach the threshold.
        var one = TcpTable(Established(60).Concat(Established(60, firstOctet: 66)));
        Assert.Equal(["120"], Prop(Single(EvaluateLog(Lines("\n", [.. one]), "AR720"), "CR2003"), "rows"));
    }

    [Theory]
    [InlineData(99, false)]
    [InlineData(100, true)]
    [InlineData(101, true)]
    public void CR2003_threshold_is_one_hundred(int rows, bool fires)
    {
        var report = EvaluateLog(Lines("\n", [.. TcpTable(Established(rows))]), "AR720");

        Assert.Equal(fires, report.Ids().Contains("CR2003"));
    }

    [Fact]
    public void CR2003_message_states_the_row_count_plainly_when_many_distinct_peers()
    {
        var d = Single(EvaluateLog(Lines("\n", [.. TcpTable(Established(180))])), "CR2003");

        Assert.Contains("180", d.Message);
        Assert.DoesNotContain("+0", d.Message);
        Assert.DoesNotContain("(+0", d.Message);
        Assert.Contains("180 established", d.Message);
        Assert.Contains("(+95 more and others not kept)", d.Message);
    }

    // ---------------------------------------------------------------- CR2004 / CR2005: crash vs restart reboot

    private static readonly string[] WormCrash =
    [
        "2001-08-02 04:51:30 ar320-umeda REST CRASH Router startup, ver 2.0.3-02, 19-Apr-2001, Clock Log: 04:51:12 on 02-Aug-2001",
        "2001-08-02 04:51:30 ar320-umeda EXCEP 01024 Unexpected Exception $400/Exception Address $00031c4a",
    ];

    private static readonly string[] DeliberateReboot =
    [
        "2001-08-02 13:05:02 ar320-umeda REST CRASH Router startup, ver 2.0.3-02, 19-Apr-2001, Clock Log: 13:04:47 on 02-Aug-2001",
        "2001-08-02 13:05:02 ar320-umeda EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $00050a12",
    ];

    [Theory]
    [InlineData("$010/Illegal instruction", "Illegal instruction")]
    [InlineData("$400/Exception", "Exception")]
    [InlineData("$3f8/Watchdog timer", "Watchdog timer")]
    [InlineData("$008/Bus error", "Bus error")]
    public void CR2004_fires_on_each_exception_kind(string codeAndKind, string kind)
    {
        var log = Lines("\n",
            Sys(5, 0, "USER INFO Manager logout"),
            Sys(7, 41, $"EXCEP 01024 Unexpected Exception {codeAndKind} Address $0002bd90"));

        var report = EvaluateLog(log, "AR740");

        var d = Single(report, "CR2004");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(2, d.Line);
        Assert.Equal([kind], Prop(d, "kind"));
        Assert.DoesNotContain("CR2005", report.Ids());
    }

    [Fact]
    public void Worm_crash_record_is_CR2004_not_CR2005()
    {
        var report = EvaluateLog(Lines("\n", WormCrash), "AR320");

        var d = Single(report, "CR2004");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(1, d.Count);
        Assert.DoesNotContain("CR2005", report.Ids());
        Assert.Equal(DiagnosticSeverity.Error, report.MaxSeverity);
    }

    [Fact]
    public void Restart_reboot_record_is_CR2005_and_not_a_crash()
    {
        var report = EvaluateLog(Lines("\n", DeliberateReboot), "AR320");

        var d = Single(report, "CR2005");
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Equal(1, d.Count);
        Assert.DoesNotContain("CR2004", report.Ids());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Worm_crash_and_restart_reboot_in_one_log_are_told_apart_in_either_order(bool wormFirst)
    {
        var first = wormFirst ? WormCrash : DeliberateReboot;
        var second = wormFirst ? DeliberateReboot : WormCrash;
        var lines = new List<string>(first) { Sys(30, 0, "USER INFO Manager login on asyn0"), "Manager ar320-umeda> restart reboot" };
        lines.AddRange(second);

        var report = EvaluateLog(Lines("\r\n", [.. lines]), "AR320");

        var crash = Single(report, "CR2004");
        var reboot = Single(report, "CR2005");
        Assert.Equal(1, crash.Count);
        Assert.Equal(1, reboot.Count);
        // Each finding points into its own record (worm record at lines 1-2 or 5-6, the other one at the other place).
        Assert.InRange(crash.Line!.Value, wormFirst ? 1 : 5, wormFirst ? 2 : 6);
        Assert.InRange(reboot.Line!.Value, wormFirst ? 5 : 1, wormFirst ? 6 : 2);
        Assert.Contains("04:51:30", crash.LineText);   // the worm record's timestamp
        Assert.Contains("13:05:02", reboot.LineText);  // the restart reboot record's timestamp
        Assert.Equal(["400"], Prop(crash, "code"));
    }

    [Fact]
    public void Restart_reboot_record_survives_an_unrelated_line_between_banner_and_trap()
    {
        var log = Lines("\n",
            DeliberateReboot[0],
            "2001-08-02 13:05:02 ar320-umeda IPG INFO Interface eth0 up",
            DeliberateReboot[1]);

        var report = EvaluateLog(log, "AR320");

        Assert.Equal(1, Single(report, "CR2005").Count);
        Assert.DoesNotContain("CR2004", report.Ids());
    }

    [Fact]
    public void Exception_line_alone_without_columns_is_a_crash_and_trap_line_alone_is_a_restart()
    {
        var crash = EvaluateLog("Unexpected Exception $1c0/Illegal instruction Address $0001aa10", "AR130");
        var trap = EvaluateLog("EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004a000", "AR130");

        Assert.Equal(["Illegal instruction"], Prop(Single(crash, "CR2004"), "kind"));
        Assert.Contains("CR2005", trap.Ids());
        Assert.DoesNotContain("CR2004", trap.Ids());
    }

    [Fact]
    public void Two_worm_crashes_around_one_restart_reboot_count_two_crashes()
    {
        var second = WormCrash.Select(l => l.Replace("04:51", "22:10", StringComparison.Ordinal).Replace("$400/Exception", "$3f8/Watchdog timer", StringComparison.Ordinal)).ToArray();
        var report = EvaluateLog(Lines("\n", [.. WormCrash, .. DeliberateReboot, .. second]), "AR300 V2");

        var crash = Single(report, "CR2004");
        Assert.Equal(2, crash.Count);
        Assert.Equal(["Exception", "Watchdog timer"], Prop(crash, "kind"));
        Assert.Equal(1, Single(report, "CR2005").Count);
    }

    [Fact]
    public void Crash_startup_banner_without_an_exception_line_is_still_an_unintended_restart()
    {
        var log = Lines("\n",
            Sys(8, 0, "REST CRASH Router startup, ver 2.0.4-05, 02-Jul-2001, Clock Log: 21:07:55 on 17-Aug-2001"),
            Sys(8, 3, "IPG INFO Interface eth0 up"));

        Assert.Equal(1, Single(EvaluateLog(log, "AR320"), "CR2004").Count);
    }

    [Fact]
    public void Normal_startup_and_unrelated_exception_words_are_not_crashes()
    {
        var log = Lines("\n",
            Sys(9, 0, "REST INFO Router startup, ver 2.0.4-07, 02-Jul-2001, Clock Log: 21:09:00 on 17-Aug-2001"),
            Sys(9, 1, "FIREWALL INFO Exception list updated"),
            Sys(9, 2, "USER INFO Expected reboot completed"),
            "Manager > show exception",
            "No exceptions recorded.");

        var report = EvaluateLog(log, "AR320");

        Assert.DoesNotContain("CR2004", report.Ids());
        Assert.DoesNotContain("CR2005", report.Ids());
    }

    // ---------------------------------------------------------------- line ends and encodings

    [Fact]
    public void LF_CRLF_and_CR_only_line_ends_give_the_same_findings_and_lines()
    {
        string[] lines =
        [
            Sys(10, 0, "USER INFO Manager login on asyn0"),
            Sys(10, 1, "HTTP ERROR No free HTTP sessions - rejecting connection from 100.64.9.9"),
            Sys(10, 2, "IPG WARN DirBcast Fail 100.64.9.9>192.168.250.255 Prot=6 Int=eth0"),
            .. WormCrash,
        ];

        var results = new[] { "\n", "\r\n", "\r" }
            .Select(nl => EvaluateLog(Lines(nl, lines), "AR740"))
            .Select(r => string.Join(";", r.Diagnostics.Select(d => $"{d.Id}@{d.Line}x{d.Count}")))
            .ToArray();

        // CR1002: no firmware given, the crash banner says 2.0.3-02, below AR740's fix.
        Assert.Equal("CR1002@x1;CR2001@2x1;CR2002@3x1;CR2004@4x1", results[0]);
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
    }

    [Fact]
    public void Shift_jis_bytes_on_other_lines_and_on_the_same_line_do_not_hide_signatures()
    {
        var sjis = Encoding.GetEncoding("shift_jis");
        var text = Lines("\r\n",
            "Manager ar720-honsha> show log",
            "【障害ログ】 表示します",
            Sys(11, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 10.128.4.4") + " ソース不明",
            "警告HTTP ERROR No free HTTP sessions - rejecting connection from 10.128.4.5",
            Sys(11, 2, "IPG WARN DirBcast Fail 10.128.4.4>10.128.7.255 Prot=6 Int=eth0 ※再送"));
        var bytes = sjis.GetBytes(text);

        var report = Pack.Evaluate(new DeviceEvidence
        {
            Model = "AR720",
            Sources = [EvidenceSource.FromStream("capture.log", new MemoryStream(bytes))],
        });

        var http = Single(report, "CR2001");
        Assert.Equal(2, http.Count);
        Assert.Equal(3, http.Line);
        Assert.Equal(["10.128.4.4", "10.128.4.5"], Prop(http, "peer"));
        Assert.Equal(5, Single(report, "CR2002").Line);

        var decoded = Pack.Evaluate(new DeviceEvidence
        {
            Model = "AR720",
            Sources = [EvidenceSource.FromStream("capture.log", new MemoryStream(bytes), sjis)],
        });
        Assert.Equal(["10.128.4.4", "10.128.4.5"], Prop(Single(decoded, "CR2001"), "peer"));
        Assert.Contains("ソース不明", Single(decoded, "CR2001").LineText);
    }

    [Fact]
    public void Euc_jp_bytes_through_the_cli_with_and_without_encoding_option()
    {
        var euc = Encoding.GetEncoding("euc-jp");
        var bytes = euc.GetBytes(Lines("\n",
            "# 大阪支店 ルータ ログ",
            Sys(12, 0, "EXCEP 01024 Unexpected Exception $020/Bus error Address $0001f00c （再起動）"),
            "以上"));

        foreach (var args in new[] { new[] { "analyze", "--model", "AR160", "--format", "json", "-" }, new[] { "analyze", "--model", "AR160", "--encoding", "euc-jp", "--format", "json", "-" } })
        {
            var result = RunCli(args, bytes);
            Assert.Equal(1, result.ExitCode);
            using var json = JsonDocument.Parse(result.Stdout);
            var crash = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "CR2004");
            Assert.Equal(2, crash.GetProperty("line").GetInt32());
            Assert.Equal("-", crash.GetProperty("source").GetString());
        }
    }

    [Fact]
    public void Cli_survives_a_utf16_bom_nul_bytes_and_a_very_long_line()
    {
        var utf16 = Encoding.Unicode.GetPreamble()
            .Concat(Encoding.Unicode.GetBytes(Lines("\r\n", "ログ開始", Sys(21, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 10.250.0.1"))))
            .ToArray();
        var r16 = RunCli(["analyze", "--model", "AR740", "--format", "json", "-"], utf16);
        Assert.Equal(1, r16.ExitCode);
        Assert.Contains("10.250.0.1", r16.Stdout);

        var messy = new List<byte>();
        messy.AddRange(Encoding.ASCII.GetBytes("\0\0" + Sys(21, 1, "IPG WARN DirBcast Fail 10.250.0.2>10.250.255.255 Prot=6 Int=eth0") + "\0\n"));
        messy.AddRange(Enumerable.Repeat((byte)'x', 1_500_000));
        messy.AddRange(Encoding.ASCII.GetBytes("\n" + Sys(21, 2, "HTTP ERROR No free HTTP sessions - rejecting connection from 10.250.0.3") + "\n"));
        var r = RunCli(["analyze", "--model", "AR740", "--format", "json", "-"], [.. messy]);
        Assert.Equal(1, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        var lines = json.RootElement.GetProperty("diagnostics").EnumerateArray()
            .Where(d => d.TryGetProperty("line", out _))
            .ToDictionary(d => d.GetProperty("id").GetString()!, d => d.GetProperty("line").GetInt32());
        Assert.Equal(1, lines["CR2002"]);
        Assert.Equal(3, lines["CR2001"]);
    }

    [Fact]
    public void Two_sources_keep_their_own_names_lines_and_counts()
    {
        var report = Evaluate("AR130", null,
            ("monday.log", Lines("\n", "noise", Sys(0, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 1.2.3.4"))),
            ("tuesday.log", Lines("\n", Sys(0, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 5.6.7.8"), Sys(0, 1, "HTTP ERROR No free HTTP sessions - rejecting connection from 5.6.7.9"))));

        var hits = report.Diagnostics.Where(d => d.Id == "CR2001").ToArray();
        Assert.Equal(2, hits.Length);
        Assert.Equal(("monday.log", 2, 1), (hits[0].Source, hits[0].Line!.Value, hits[0].Count));
        Assert.Equal(("tuesday.log", 1, 2), (hits[1].Source, hits[1].Line!.Value, hits[1].Count));
        Assert.Equal("CR1001", report.Diagnostics[0].Id);
        Assert.Null(report.Diagnostics[0].Line);
        Assert.Null(report.Diagnostics[0].Source);
    }

    // ---------------------------------------------------------------- model matrix and firmware

    [Theory]
    [InlineData("AR100", "CR1005")]
    [InlineData("AR130", "CR1001")]
    [InlineData("AR160", "CR1001")]
    [InlineData("AR220E", "CR1006")]
    [InlineData("AR300", "CR1005")]
    [InlineData("AR300L", "CR1005")]
    [InlineData("AR300 V2", "CR1004")]
    [InlineData("AR300L V2", "CR1004")]
    [InlineData("AR320", "CR1004")]
    [InlineData("AR720", "CR1004")]
    [InlineData("AR740", "CR1004")]
    [InlineData("AR450S", "CR1007")]
    [InlineData(null, "CR1007")]
    public void Model_matrix_without_firmware(string? model, string expected)
    {
        var report = Evaluate(model, null);

        Assert.Equal([expected], report.Ids());
        var expectedSeverity = expected is "CR1001" or "CR1004" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Info;
        Assert.Equal(expectedSeverity, report.Diagnostics[0].Severity);
        Assert.Null(report.Diagnostics[0].Line);
    }

    [Theory]
    [InlineData("AR300 V2", "2.0.4 PL 6", "CR1002")]
    [InlineData("AR300 V2", "2.0.4 PL 7", "CR1003")]
    [InlineData("AR300 V2", "2.0.4 PL 8", "CR1003")]
    [InlineData("AR300L V2", "2.0.4 PL 6", "CR1002")]
    [InlineData("AR300L V2", "2.0.4 PL 7", "CR1003")]
    [InlineData("AR300L V2", "2.0.4 PL 8", "CR1003")]
    [InlineData("AR320", "2.0.4 PL 6", "CR1002")]
    [InlineData("AR320", "2.0.4 PL 7", "CR1003")]
    [InlineData("AR320", "2.0.4 PL 8", "CR1003")]
    [InlineData("AR320", "2.0.3 PL 12", "CR1002")]
    [InlineData("AR320", "2.0.5", "CR1003")]
    [InlineData("AR720", "2.0.7 PL 3", "CR1002")]
    [InlineData("AR720", "2.0.7 PL 4", "CR1003")]
    [InlineData("AR720", "2.0.7 PL 5", "CR1003")]
    [InlineData("AR740", "2.0.7 PL 3", "CR1002")]
    [InlineData("AR740", "2.0.7 PL 4", "CR1003")]
    [InlineData("AR740", "2.0.7 PL 5", "CR1003")]
    [InlineData("AR740", "2.0.4 PL 7", "CR1002")]
    [InlineData("AR740", "2.0.6 PL 9", "CR1002")]
    [InlineData("AR720", "2.1.0", "CR1003")]
    public void Firmware_thresholds(string model, string firmware, string expected)
    {
        var report = Evaluate(model, firmware);

        Assert.Equal([expected], report.Ids());
        Assert.Equal(expected == "CR1002" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Info, report.Diagnostics[0].Severity);
    }

    [Theory]
    [InlineData("2.0.4 PL 7")]
    [InlineData("2.0.4PL7")]
    [InlineData("2.0.4 pl 7")]
    [InlineData("2.0.4-07")]
    [InlineData("2.0.4 PL 07")]
    public void Firmware_spellings_of_the_fix_are_equal(string spelling)
    {
        var report = Evaluate("AR300L V2", spelling);

        Assert.Equal(["CR1003"], report.Ids());
        Assert.Equal(FirmwareVersion.Parse("2.0.4 PL 7"), report.Device.Firmware);
    }

    [Theory]
    [InlineData("ar300l v2", "AR300L V2")]
    [InlineData("AR300LV2", "AR300L V2")]
    [InlineData("AR-300L V2", "AR300L V2")]
    [InlineData("ar 300l-v2", "AR300L V2")]
    [InlineData("ar300 v2", "AR300 V2")]
    [InlineData("AR300", "AR300")]
    [InlineData("ar-300", "AR300")]
    [InlineData("AR300L", "AR300L")]
    [InlineData("ar220e", "AR220E")]
    public void Model_spellings_resolve_to_the_right_matrix_entry(string spelling, string canonical)
    {
        var report = Evaluate(spelling, null);

        Assert.Equal(canonical, report.Device.Model?.Name);
        Assert.Equal(spelling, report.Device.ModelInput);
    }

    [Fact]
    public void AR300_is_never_AR300_V2()
    {
        var plain = Evaluate("AR300", "2.0.1 PL 1");
        var v2 = Evaluate("AR300 V2", "2.0.1 PL 1");

        Assert.Equal(["CR1005"], plain.Ids());
        Assert.Empty(Commands(plain));
        Assert.Equal(["CR1002"], v2.Ids());
        Assert.NotEqual(plain.Device.Model!.Name, v2.Device.Model!.Name);
    }

    [Theory]
    [InlineData("2.0.4-06", "CR1002")]
    [InlineData("2.0.4-07", "CR1003")]
    public void Firmware_is_read_from_the_startup_banner_when_not_given(string banner, string expected)
    {
        var log = Lines("\n",
            Sys(13, 0, "USER INFO Manager login on asyn0"),
            Sys(13, 9, $"REST INFO Router startup, ver {banner}, 02-Jul-2001, Clock Log: 21:13:01 on 17-Aug-2001"));

        var report = EvaluateLog(log, "AR320");

        Assert.Contains(expected, report.Ids());
        Assert.Equal("log:2", report.Device.FirmwareSource);
    }

    [Fact]
    public void Given_firmware_wins_over_the_banner()
    {
        var log = Lines("\n", Sys(14, 0, "REST INFO Router startup, ver 2.0.4-06, 02-Jul-2001, Clock Log: 21:14:00 on 17-Aug-2001"));

        var report = Evaluate("AR320", "2.0.4 PL 7", ("log", log));

        Assert.Equal("CR1003", report.Diagnostics[0].Id);
        Assert.Equal("given", report.Device.FirmwareSource);
    }

    // ---------------------------------------------------------------- remediation

    [Theory]
    [InlineData("AR130")]
    [InlineData("AR160")]
    [InlineData("AR300 V2")]
    [InlineData("AR300L V2")]
    [InlineData("AR320")]
    [InlineData("AR720")]
    [InlineData("AR740")]
    public void Workaround_commands_come_first_and_in_order_for_the_seven_models(string model)
    {
        var log = Lines("\n", Sys(15, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.200"));

        var report = EvaluateLog(log, model);

        var commands = Commands(report);
        Assert.True(commands.Length >= 3, string.Join(" | ", commands));
        Assert.Equal("disable http server", commands[0]);
        Assert.StartsWith("create config=", commands[1], StringComparison.Ordinal);
        Assert.Equal("restart router", commands[2]);
        var orders = report.Remediation.Select(s => s.Order).ToArray();
        Assert.Equal(Enumerable.Range(1, orders.Length), orders);
        Assert.Equal(WorkaroundCommands[0], report.Remediation[0].Command);
        Assert.Contains(report.Remediation, s => s.Command is null && s.Detail is not null && s.Detail.Contains("192.0.2.200", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_config_is_filled_from_show_config_in_a_transcript()
    {
        var transcript = Lines("\r\n",
            "login: manager",
            "Password:",
            "Manager ar320-sakai> show config",
            "",
            "Boot configuration file: sakai-2001.cfg (exists)",
            "Current configuration: sakai-0817.cfg",
            "",
            "Manager ar320-sakai> show log",
            Sys(16, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.201", "ar320-sakai"),
            "Manager ar320-sakai> disable http server",
            "Info (1034003): Operation successful.",
            "Manager ar320-sakai> ");

        var report = EvaluateLog(transcript, "AR320");

        Assert.Equal(["disable http server", "create config=sakai-0817.cfg", "restart router"], Commands(report).Take(3));
        Assert.Equal("sakai-0817.cfg", report.Facts["currentConfig"]);
        Assert.Null(report.Remediation[1].Hint);
        // The echoed workaround command is not a signature.
        Assert.Equal(["CR1004", "CR2001"], report.Ids());
    }

    [Fact]
    public void Create_config_keeps_a_placeholder_and_a_hint_without_show_config()
    {
        var report = Evaluate("AR720", "2.0.7 PL 1");

        var save = report.Remediation.Single(s => s.Command is not null && s.Command.StartsWith("create config=", StringComparison.Ordinal));
        Assert.Equal(2, save.Order);
        Assert.NotEqual("create config=", save.Command);
        Assert.Contains("show config", save.Hint);
    }

    [Theory]
    [InlineData("AR100")]
    [InlineData("AR220E")]
    [InlineData("AR300")]
    [InlineData("AR300L")]
    public void No_workaround_commands_for_models_outside_the_seven(string model)
    {
        Assert.Empty(Commands(Evaluate(model, null)));

        var noisy = Lines("\n",
            "Manager > show config",
            "Current configuration: lab.cfg",
            Sys(17, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.202"),
            Sys(17, 1, "IPG WARN DirBcast Fail 192.0.2.202>10.0.0.255 Prot=6 Int=eth0"));
        var report = EvaluateLog(noisy, model);

        Assert.DoesNotContain(Commands(report), c => WorkaroundCommands.Any(w => c.StartsWith(w, StringComparison.Ordinal)));
    }

    [Fact]
    public void Unknown_model_with_a_hit_says_which_models_the_commands_apply_to()
    {
        var report = EvaluateLog(Lines("\n", WormCrash));

        var first = report.Remediation[0];
        Assert.Equal("disable http server", first.Command);
        Assert.Equal(WorkaroundModels.Order(StringComparer.Ordinal), first.AppliesTo.Order(StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- CLI

    [Fact]
    public void Cli_exit_0_when_nothing_at_warning_or_above()
    {
        Assert.Equal(0, RunCli(["analyze", "--model", "AR100"]).ExitCode);
        Assert.Equal(0, RunCli(["analyze", "--model", "AR720", "--firmware", "2.0.7 PL 4"]).ExitCode);

        var reboot = Encoding.ASCII.GetBytes(Lines("\n", DeliberateReboot));
        var result = RunCli(["analyze", "--model", "AR320", "--firmware", "2.0.4PL9", "-"], reboot);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("CR2005", result.Stdout);
    }

    [Fact]
    public void Cli_exit_1_on_a_warning_or_an_error()
    {
        Assert.Equal(1, RunCli(["analyze", "--model", "AR130"]).ExitCode);

        var crash = Encoding.ASCII.GetBytes(Lines("\r\n", WormCrash));
        var result = RunCli(["analyze", "--model", "AR320", "--firmware", "2.0.4 PL 9", "-"], crash);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("CR2004", result.Stdout);
    }

    [Theory]
    [InlineData("analyze", "--model", "AR320", "/nonexistent/dir/ar320.log")]
    [InlineData("analyze", "--colour", "red")]
    [InlineData("analyze", "--format", "xml")]
    [InlineData("analyze", "--encoding", "klingon", "-")]
    [InlineData("analyze", "--model", "AR320", "--firmware", "latest")]
    [InlineData("analyze", "--severity", "CR2001=catastrophic")]
    [InlineData("analyse-everything")]
    [InlineData("rules", "validate", "/nonexistent/rules")]
    [InlineData("analyze", "--rules", "/nonexistent/rules", "--model", "AR320")]
    public void Cli_exit_2_on_usage_or_input_errors_with_one_clear_message(params string[] args)
    {
        var result = RunCli(args, []);

        Assert.Equal(2, result.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Stderr));
        AssertNoStackTrace(result.Stderr);
    }

    [Fact]
    public void Cli_exit_2_on_a_broken_rule_pack_with_file_line_and_column()
    {
        using var dir = new TempDir();
        dir.Write("CR9999/broken.yaml", "id: CR9999\nseverity: warning\nmatch: [unclosed\n  - nope: {\n");

        foreach (var args in new[] { new[] { "rules", "validate", dir.Path }, new[] { "analyze", "--rules", dir.Path, "--model", "AR320" } })
        {
            var result = RunCli(args);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("broken.yaml", result.Stderr);
            Assert.Matches(@"broken\.yaml\D{0,3}\d+\D{1,3}\d+", result.Stderr);
            AssertNoStackTrace(result.Stderr);
        }
    }

    [Fact]
    public void Cli_json_contract_on_stdin()
    {
        var text = Lines("\r\n",
            "Manager ar740-nagoya> show log",
            Sys(18, 0, "HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.61", "ar740-nagoya"),
            Sys(18, 1, "HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.62", "ar740-nagoya"));

        var result = RunCli(["analyze", "--model", "ar-740", "--firmware", "2.0.7-02", "--format", "json", "-"], Encoding.UTF8.GetBytes(text));

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;

        var pack = root.GetProperty("pack");
        Assert.Equal(Pack.Identity.Id, pack.GetProperty("id").GetString());
        Assert.Equal(Pack.Identity.Version, pack.GetProperty("version").GetString());
        Assert.Matches("^[0-9a-f]{64}$", pack.GetProperty("sha256").GetString());
        Assert.Equal(Pack.Identity.Sha256, pack.GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("device").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("verdict").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("summary").ValueKind);

        var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToArray();
        Assert.Equal(["CR1002", "CR2001"], diagnostics.Select(d => d.GetProperty("id").GetString()));
        foreach (var d in diagnostics)
        {
            Assert.Equal("warning", d.GetProperty("severity").GetString());
            Assert.False(string.IsNullOrWhiteSpace(d.GetProperty("message").GetString()));
            Assert.True(d.GetProperty("count").GetInt32() >= 1);
            Assert.Equal(JsonValueKind.Object, d.GetProperty("properties").ValueKind);
        }

        var model = diagnostics[0];
        Assert.False(model.TryGetProperty("line", out _), "model/firmware findings carry no line");
        Assert.Equal(1, model.GetProperty("count").GetInt32());

        var http = diagnostics[1];
        Assert.Equal("-", http.GetProperty("source").GetString());
        Assert.Equal(2, http.GetProperty("line").GetInt32());
        Assert.True(http.GetProperty("column").GetInt32() > 1);
        Assert.Equal(2, http.GetProperty("count").GetInt32());
        Assert.Equal(["203.0.113.61", "203.0.113.62"], http.GetProperty("properties").GetProperty("peer").EnumerateArray().Select(p => p.GetString()));

        var remediation = root.GetProperty("remediation").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3], remediation.Take(3).Select(r => r.GetProperty("order").GetInt32()));
        Assert.Equal("disable http server", remediation[0].GetProperty("command").GetString());
        Assert.Equal("restart router", remediation[2].GetProperty("command").GetString());
        Assert.All(remediation, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("id").GetString())));
        Assert.All(remediation, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("text").GetString())));
    }

    [Fact]
    public void Cli_json_source_is_the_file_name_as_given()
    {
        using var dir = new TempDir();
        var path = dir.Write("captures/gw 2001-08-17.log", Lines("\n", "header", Sys(19, 0, "IPG WARN DirBcast Fail 192.0.2.9>10.1.255.255 Prot=1 Int=eth2")));

        var result = RunCli(["analyze", "--model", "AR160", "--format", "json", path]);

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var hit = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "CR2002");
        Assert.Equal(path, hit.GetProperty("source").GetString());
        Assert.Equal(2, hit.GetProperty("line").GetInt32());
    }

    [Fact]
    public void Cli_severity_option_can_turn_a_signature_off_and_change_the_exit_code()
    {
        var bytes = Encoding.ASCII.GetBytes(Lines("\n", Sys(20, 0, "IPG WARN DirBcast Fail 192.0.2.9>10.1.255.255 Prot=1 Int=eth2")));

        var on = RunCli(["analyze", "--model", "AR720", "--firmware", "2.0.7 PL 4", "--format", "json", "-"], bytes);
        var off = RunCli(["analyze", "--model", "AR720", "--firmware", "2.0.7 PL 4", "--severity", "CR2002=none", "--format", "json", "-"], bytes);

        Assert.Equal(1, on.ExitCode);
        Assert.Equal(0, off.ExitCode);
        Assert.Contains("\"CR2002\"", on.Stdout);
        Assert.DoesNotContain("\"CR2002\"", off.Stdout);
    }
}
