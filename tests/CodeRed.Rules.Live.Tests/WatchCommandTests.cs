using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CodeRed.Rules.Live.Tests;

/// <summary><c>codered watch</c> as a child process, fed by real clients and by hand-made bad input.</summary>
public sealed class WatchCommandTests
{
    private const string Rejecting = "HTTP ERROR No free HTTP sessions - rejecting connection from 10.1.2.3";

    private static string HostName => LiveSupport.Run("hostname").Stdout.Trim();

    private static void Logger(params string[] args)
    {
        var logger = ExternalTools.Require("logger");
        var result = LiveSupport.Run(logger, args);
        Assert.True(result.ExitCode == 0, $"logger {string.Join(' ', args)}: {result.Stderr}");
    }

    [ExternalToolFact("logger", "apt-get install bsdutils (util-linux)")]
    public void Logger_over_udp_and_tcp_in_both_formats_and_both_framings()
    {
        using var watch = WatchProcess.Start();
        var udp = watch.UdpPort.ToString(CultureInfo.InvariantCulture);
        var tcp = watch.TcpPort.ToString(CultureInfo.InvariantCulture);
        Logger("--rfc3164", "-d", "-n", "127.0.0.1", "-P", udp, "-t", "HTTP", "udp 3164: " + Rejecting);
        Logger("--rfc5424", "-d", "-n", "127.0.0.1", "-P", udp, "-t", "HTTP", "udp 5424");
        Logger("--rfc3164", "-T", "-n", "127.0.0.1", "-P", tcp, "-t", "HTTP", "tcp 3164 lf");
        Logger("--rfc5424", "-T", "--octet-count", "-n", "127.0.0.1", "-P", tcp, "-t", "HTTP", "tcp 5424 octets");
        Logger("--rfc3164", "-T", "--octet-count", "-n", "127.0.0.1", "-P", tcp, "-t", "HTTP", "tcp 3164 octets");

        // The finding comes while the watch runs, not only at the end.
        var finding = watch.WaitFor(e => e.Event() == "finding" && e.Str("rule") == "CR2001");
        Assert.Equal("warning", finding.Str("severity"));
        Assert.Contains(Rejecting, finding.Str("line"), StringComparison.Ordinal);
        Assert.Matches(@"^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$", finding.Str("timestamp"));
        Assert.Equal(1, finding.Num("count"));
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("verdict") == "at-risk");

        // logger has sent everything when it exits; the stop reads what the sockets (and the accept queue) hold.
        var (code, lines) = watch.Stop();
        Assert.Equal(0, code);
        var summary = lines.Summary();
        Assert.Equal((5L, 5L, 0L), (summary.Num("received"), summary.Num("parsed"), summary.Num("malformed")));
        var report = Assert.Single(lines.Reports().Values);
        Assert.Equal(finding.Str("device"), report.Str("device"));
        Assert.Equal(5, report.Num("messages"));
        Assert.Equal("stop", report.Str("reason"));
        Assert.Equal("at-risk", report.GetProperty("report").GetProperty("verdict").GetString());
        Assert.Equal(1, summary.Num("devices"));
    }

    [ExternalToolFact("rsyslogd", "apt-get install rsyslog")]
    public void Rsyslog_forwards_a_file_with_omfwd()
    {
        var rsyslogd = ExternalTools.Require("rsyslogd");
        using var temp = new LiveSupport.TempDir();
        using var watch = WatchProcess.Start();
        var log = temp.File("router.log");
        var lines = Enumerable.Range(1, 19).Select(i => $"03 09:26:{i:00}   7 HTTP  INFO  request {i}").Append(Rejecting).ToList();
        File.WriteAllLines(log, lines);
        Directory.CreateDirectory(temp.File("state"));
        File.WriteAllText(temp.File("rsyslog.conf"), $"""
            global(workDirectory="{temp.File("state")}")
            module(load="imfile")
            input(type="imfile" file="{log}" tag="ar720:" severity="info" facility="local0")
            action(type="omfwd" target="127.0.0.1" port="{watch.TcpPort}" protocol="tcp" template="RSYSLOG_SyslogProtocol23Format"
                   TCP_Framing="octet-counted")
            """);
        var start = new System.Diagnostics.ProcessStartInfo(rsyslogd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-n", "-f", temp.File("rsyslog.conf"), "-i", temp.File("rsyslogd.pid") })
        {
            start.ArgumentList.Add(arg);
        }

        using var rsyslog = System.Diagnostics.Process.Start(start)!;
        var rsyslogErr = rsyslog.StandardError.ReadToEndAsync();
        try
        {
            // The last line of the file is the finding's: when it is reported, everything before it has come (one TCP connection, in order).
            var finding = watch.WaitFor(e => e.Event() == "finding" && e.Str("rule") == "CR2001", TimeSpan.FromSeconds(90));
            Assert.Equal(HostName, finding.Str("device"), ignoreCase: true);
        }
        finally
        {
            LiveSupport.Terminate(rsyslog.Id);
            if (!rsyslog.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                rsyslog.Kill();
            }
        }

        var (code, output) = watch.Stop();
        Assert.Equal(0, code);
        var report = Assert.Single(output.Reports().Values);
        Assert.Equal(20, report.Num("messages"));
        Assert.True(0 == output.Summary().Num("malformed"), "rsyslogd: " + rsyslogErr.Result);
    }

    [Fact]
    public void Load_50000_messages_over_one_tcp_connection_from_ten_hosts_are_all_counted()
    {
        using var watch = WatchProcess.Start();
        const int Messages = 50_000;
        var perHost = new int[10];
        using (var client = new TcpClient())
        {
            client.Connect("127.0.0.1", watch.TcpPort);
            using var stream = new BufferedStream(client.GetStream(), 64 * 1024);
            for (var i = 0; i < Messages; i++)
            {
                var host = i % 10;
                perHost[host]++;
                var text = i % 997 == 0 ? Rejecting : $"03 09:26:29   7 HTTP  INFO  request {i}";
                var frame = Encoding.UTF8.GetBytes($"<134>1 2026-12-01T22:00:{i % 60:00}.{i % 1000:000}Z ar{host:00} HTTP - - - {text}");
                stream.Write(Encoding.ASCII.GetBytes(frame.Length.ToString(CultureInfo.InvariantCulture) + " "));
                stream.Write(frame);
            }
        }

        // All of them were read: every device has printed its finding (the last rejection line is near the end).
        var (code, lines) = watch.Stop();
        Assert.Equal(0, code);
        var summary = lines.Summary();
        Assert.Equal(Messages, summary.Num("received"));
        Assert.Equal(Messages, summary.Num("parsed"));
        Assert.Equal(0, summary.Num("malformed"));
        Assert.Equal(10, summary.Num("devices"));
        var reports = lines.Reports();
        Assert.Equal(10, reports.Count);
        for (var host = 0; host < 10; host++)
        {
            var report = reports[$"ar{host:00}"];
            Assert.Equal(perHost[host], report.Num("messages"));
            Assert.Equal(0, report.Num("notEvaluated"));
        }

        // 51 rejection lines (i = 0, 997, ...), counted where they landed.
        var rejections = reports.Values.Sum(r => r.GetProperty("report").GetProperty("diagnostics").EnumerateArray()
            .Where(d => d.GetProperty("id").GetString() == "CR2001").Sum(d => d.GetProperty("count").GetInt64()));
        Assert.Equal(Enumerable.Range(0, Messages).Count(i => i % 997 == 0), rejections);
    }

    [Fact]
    public void Bad_input_is_counted_by_reason_and_the_watch_stays_up()
    {
        using var watch = WatchProcess.Start();
        watch.SendUdp("no priority at all"u8.ToArray());
        watch.SendUdp("<500>bad priority"u8.ToArray());
        watch.SendUdp("<14>1 - host"u8.ToArray());

        // A 10 MB line, then a good one on the same connection: skipped and counted, the stream stays in step.
        var huge = new byte[10 * 1024 * 1024];
        Array.Fill(huge, (byte)'A');
        huge[0] = (byte)'<';
        watch.SendTcp(huge, "\n<13>Dec  1 22:00:00 good1 tag: after the long line\n"u8.ToArray());

        // An octet count of 2^40: the connection is closed.
        watch.SendTcp("1099511627776 <13>x"u8.ToArray());

        // A client that disconnects mid-frame.
        watch.SendTcp("17 <13>whole message200 <13>cut short"u8.ToArray());

        // A client that connects and sends nothing.
        using (var silent = new TcpClient())
        {
            silent.Connect("127.0.0.1", watch.TcpPort);
        }

        watch.SendUdp("<13>Dec  1 22:00:00 good2 tag: still listening"u8.ToArray());
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "good2");
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "good1");
        var (code, lines) = watch.Stop();
        Assert.Equal(0, code);
        var summary = lines.Summary();
        var reasons = summary.GetProperty("malformedReasons");
        Assert.Equal(1, reasons.GetProperty("missing-priority").GetInt64());
        Assert.Equal(1, reasons.GetProperty("invalid-priority").GetInt64());
        Assert.Equal(1, reasons.GetProperty("invalid-header").GetInt64());
        Assert.Equal(1, reasons.GetProperty("frame-too-long").GetInt64());
        Assert.Equal(1, reasons.GetProperty("octet-count-too-large").GetInt64());
        Assert.Equal(1, reasons.GetProperty("truncated").GetInt64());
        Assert.Equal(6, summary.Num("malformed"));
        Assert.Equal(3, summary.Num("parsed")); // good1, "whole message" (no host: the sender's address) and good2
        Assert.Equal(9, summary.Num("received"));
        Assert.Equal(["127.0.0.1", "good1", "good2"], lines.Reports().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_inventory_gives_each_device_its_model_and_a_bad_reload_keeps_the_previous_one()
    {
        using var temp = new LiveSupport.TempDir();
        var inventory = temp.File("devices.yaml");
        File.WriteAllText(inventory, """
            devices:
              - { name: ar01, model: AR720, firmware: 2.0.7 PL 3 }
              - { name: ar02, model: AR720, firmware: 2.0.7 PL 4 }
            """);
        using var watch = WatchProcess.Start("--devices", inventory);
        watch.SendUdp("<13>Dec  1 22:00:00 ar01 tag: hello"u8.ToArray());
        watch.SendUdp("<13>Dec  1 22:00:00 ar02 tag: hello"u8.ToArray());
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "ar01");
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "ar02");

        File.WriteAllText(inventory, "devices:\n  - { name: ar03, model: AR720, firmware: [oops] }\n");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!watch.Stderr.Contains("keeping the previous inventory", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.Contains($"{inventory}:2:", watch.Stderr, StringComparison.Ordinal);
        watch.SendUdp("<13>Dec  1 22:00:01 ar01 tag: again"u8.ToArray());
        var (_, lines) = watch.Stop();
        var reports = lines.Reports();
        string Verdict(string device) => reports[device].GetProperty("report").GetProperty("verdict").GetString()!;
        string? Model(string device) => reports[device].GetProperty("report").GetProperty("device").GetProperty("modelInput").GetString();
        Assert.Equal("AR720", Model("ar01"));
        Assert.Equal("AR720", Model("ar02"));
        Assert.Equal("at-risk", Verdict("ar01")); // below the fix (2.0.7 PL 4)
        Assert.Equal("ok", Verdict("ar02")); // at the fix
        Assert.Equal(2, reports["ar01"].Num("messages"));
    }

    [Theory]
    [InlineData("devices.yaml", "devices:\n  - { name: ar01, model: AR720, firmware: not a version }\n", ":2:5:")]
    [InlineData("devices.yaml", "devices:\n  - { name: ar01, colour: red }\n", ":2:")]
    [InlineData("devices.csv", "name,model,firmware\nar01,AR720,2.0.4 PL 6,extra\n", ":2:")]
    [InlineData("devices.csv", "host,model\nar01,AR720\n", ":1:1:")]
    public void A_bad_inventory_at_start_is_a_clear_error(string name, string text, string position)
    {
        using var temp = new LiveSupport.TempDir();
        var file = temp.File(name);
        File.WriteAllText(file, text);
        var result = LiveSupport.Run("dotnet", LiveSupport.CoderedDll, "watch", "--listen", "udp://127.0.0.1:0", "--devices", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(file + position, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("devices.yaml", "devices:\n  - { name: www1, model: IIS, version: '5.0' }\n  - { name: www2, model: IIS, version: '5.0', patches: [MS01-033] }\n")]
    [InlineData("devices.csv", "name,model,version,patches\nwww1,IIS,5.0,\nwww2,IIS,5.0,MS01-033 MS00-078\n")]
    public void Another_packs_inventory_gives_versions_in_its_scheme_and_patches(string name, string text)
    {
        using var temp = new LiveSupport.TempDir();
        var inventory = temp.File(name);
        File.WriteAllText(inventory, text);
        using var watch = WatchProcess.Start("--pack", "codered.webserver", "--devices", inventory);
        watch.SendUdp("<13>Dec  1 22:00:00 www1 tag: hello"u8.ToArray());
        watch.SendUdp("<13>Dec  1 22:00:00 www2 tag: hello"u8.ToArray());
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "www1");
        watch.WaitFor(e => e.Event() == "verdict" && e.Str("device") == "www2");
        var (_, lines) = watch.Stop();
        var reports = lines.Reports();
        IEnumerable<string> Rules(string device) => reports[device].GetProperty("report").GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("id").GetString()!);
        Assert.Contains("CW1001", Rules("www1")); // IIS 5.0, patches not stated: at risk until MS01-033 is known installed
        Assert.DoesNotContain("CW1001", Rules("www2"));
        Assert.Equal("5.0", reports["www2"].GetProperty("report").GetProperty("device").GetProperty("firmware").GetString());
    }

    [Theory]
    [InlineData("devices.yaml", "devices:\n  - { name: w, model: IIS, version: '5.0', firmware: '5.0' }\n", ":2:", "'firmware' and 'version' are the same; give one")]
    [InlineData("devices.yaml", "devices:\n  - { name: w, model: IIS, patches: [none, MS01-033] }\n", ":2:", "'none' says no patch is installed")]
    [InlineData("devices.csv", "name,model,colour\nw,IIS,red\n", ":1:12:", "unknown column 'colour'")]
    [InlineData("devices.yaml", "devices:\n  - { name: w, model: IIS, version: 'five' }\n", ":2:5:", "'five'")]
    public void A_bad_inventory_for_another_pack_is_a_clear_error(string name, string text, string position, string message)
    {
        using var temp = new LiveSupport.TempDir();
        var file = temp.File(name);
        File.WriteAllText(file, text);
        var result = LiveSupport.Run("dotnet", LiveSupport.CoderedDll, "watch", "--pack", "codered.webserver", "--listen", "udp://127.0.0.1:0", "--devices", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(file + position, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_inventory_works_too()
    {
        using var temp = new LiveSupport.TempDir();
        var inventory = temp.File("devices.csv");
        File.WriteAllText(inventory, "name,firmware,model\n\"ar01\",2.0.4 PL 6,AR720\n");
        using var watch = WatchProcess.Start("--devices", inventory);
        watch.SendUdp("<13>Dec  1 22:00:00 AR01 tag: hello"u8.ToArray());
        watch.WaitFor(e => e.Event() == "verdict");
        var (_, lines) = watch.Stop();
        var report = Assert.Single(lines.Reports().Values).GetProperty("report");
        Assert.Equal("AR720", report.GetProperty("device").GetProperty("modelInput").GetString());
    }

    [Fact]
    public void The_device_cap_evicts_with_a_final_report_and_idle_devices_are_let_go()
    {
        using var watch = WatchProcess.Start("--max-devices", "2", "--idle-timeout", "2s");
        foreach (var host in new[] { "a1", "a2", "a3" })
        {
            watch.SendUdp(Encoding.ASCII.GetBytes($"<13>Dec  1 22:00:00 {host} tag: hello"));
            Thread.Sleep(200);
        }

        var evicted = watch.WaitFor(e => e.Event() == "report" && e.Str("reason") == "evicted");
        Assert.Equal("a1", evicted.Str("device"));
        watch.WaitFor(e => e.Event() == "report" && e.Str("reason") == "idle" && e.Str("device") == "a3", TimeSpan.FromSeconds(30));
        var (_, lines) = watch.Stop();
        var summary = lines.Summary();
        Assert.Equal(1, summary.Num("evicted"));
        Assert.Equal(2, summary.Num("idle"));
        Assert.Equal(3, summary.Num("devices"));
        Assert.Equal(3, lines.Count(l => l.Event() == "report"));
    }

    [Theory]
    [InlineData(new[] { "watch" }, "at least one --listen")]
    [InlineData(new[] { "watch", "--listen", "udp://nowhere:1" }, "--listen:")]
    [InlineData(new[] { "watch", "--listen", "udp://127.0.0.1:0", "--format", "json" }, "--format must be jsonl")]
    [InlineData(new[] { "watch", "--listen", "udp://127.0.0.1:0", "--max-devices", "0" }, "--max-devices must be")]
    [InlineData(new[] { "watch", "--listen", "udp://127.0.0.1:0", "--idle-timeout", "soon" }, "--idle-timeout must be")]
    public void Usage_errors_exit_2(string[] args, string message)
    {
        var result = LiveSupport.Run("dotnet", [LiveSupport.CoderedDll, .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_a_clear_error()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var result = LiveSupport.Run("dotnet", LiveSupport.CoderedDll, "watch", "--listen", $"tcp://127.0.0.1:{port}");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot listen on", result.Stderr, StringComparison.Ordinal);
    }
}
