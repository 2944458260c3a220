using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Encodings.Web;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Syslog;

namespace CodeRed.Cli.Watch;

/// <summary>
/// <c>codered watch</c>: receives syslog (UDP, TCP), keeps each device's lines, and prints findings as JSON lines as
/// they appear, a line when a device's verdict changes, each device's final report at stop, idle eviction or when
/// the device cap makes room, and a summary line with every count.
/// </summary>
/// <remarks>
/// One <see cref="EvaluationSession"/> per device: a finding is printed while the line that raised it is handled.
/// <see cref="EvaluationInterval"/> paces the housekeeping (inventory reload, idle eviction).
/// </remarks>
internal static class WatchCommand
{
    public static readonly TimeSpan EvaluationInterval = TimeSpan.FromMilliseconds(500);

    public const string Usage = """
        usage: codered watch --listen URL [--listen URL...] [options]

        Receives syslog from live devices and judges each one as its lines arrive. URL is udp://ADDRESS:PORT or
        tcp://ADDRESS:PORT (port 0: any free port; the bound ports are printed on stderr). RFC 3164 and RFC 5424
        messages; over TCP LF framing and RFC 6587 octet counting. The device is the message's HOSTNAME, else the
        sender's address. Output (JSON lines on stdout): {"event":"finding",...} the moment a rule first fires for a
        device, {"event":"verdict",...} when a device's verdict changes, {"event":"report",...} with a device's final
        report (at stop, idle eviction, or when the device cap needs room), and at stop one {"event":"summary",...}.
        SIGINT or SIGTERM stops listening, finishes what was received and prints the final lines; exit code 0.

              --listen URL              where to listen (repeatable)
              --devices FILE            inventory: YAML 'devices: [{name, model, firmware}]' or CSV with those
                                        columns ('version' for 'firmware', and 'patches': ids or none); re-read when
                                        it changes (a bad file is reported, the previous kept)
              --format F                jsonl (the only one, and the default)
              --max-devices N           devices held at most (default 10000); one more evicts the least recently
                                        active one, with its final report
              --max-lines N             lines kept per device (default 100000); more are counted, not evaluated
              --max-message-length N    longest message in bytes (default 65536); longer ones are counted malformed
              --idle-timeout T          a device silent this long gets its final report and is let go (30s, 10m, 1h)
              --publish URL             nats://HOST:PORT: publish each message to the JetStream stream CODERED_LINES
                                        (one subject per device) instead of judging here; 'codered worker' judges
              --partitions N            with --publish: device partitions (default 4; the workers' --partitions)
          -r, --rules PATH              a rule folder or file instead of the embedded pack
              --pack ID                 a built-in pack instead ('codered packs' lists them); one pack in all
              --rules-sha256 HEX        refuse to run unless the pack has this SHA-256
              --lang L                  the reports' language: en or ja
          -h, --help                    this help
        """;

    public static int Run(Invocation invocation, Options options)
    {
        if (options.Single("format") is { } format && format != "jsonl")
        {
            throw new UsageException($"--format must be jsonl, not '{format}'", "watch");
        }

        var listen = options.All("listen");
        if (listen.Count == 0)
        {
            throw new UsageException("watch needs at least one --listen udp://ADDRESS:PORT or tcp://ADDRESS:PORT", "watch");
        }

        var endpoints = new List<SyslogEndpoint>();
        foreach (var url in listen)
        {
            try
            {
                endpoints.Add(SyslogEndpoint.Parse(url));
            }
            catch (FormatException e)
            {
                throw new UsageException("--listen: " + e.Message, "watch");
            }
        }

        var settings = new WatchSettings
        {
            MaxDevices = PositiveInt(options, "max-devices", 10_000),
            MaxLines = PositiveInt(options, "max-lines", 100_000),
            IdleTimeout = options.Single("idle-timeout") is { } idle ? Duration(idle) : null,
            DevicesFile = options.Single("devices"),
        };
        var maxMessage = PositiveInt(options, "max-message-length", 64 * 1024);
        if (maxMessage < 480)
        {
            throw new UsageException("--max-message-length must be at least 480 (RFC 5424's minimum)", "watch");
        }

        var pack = options.Pack();
        var evaluation = new EvaluationOptions { Severity = options.Severity(pack), Culture = options.Culture(pack) };
        var inventory = DeviceInventory.Empty;
        if (settings.DevicesFile is { } devicesFile)
        {
            try
            {
                inventory = DeviceInventory.Load(devicesFile, pack.Product.VersionScheme);
            }
            catch (InventoryException e)
            {
                throw new InputException(e.Message);
            }
        }

        SyslogServer server;
        try
        {
            server = SyslogServer.Start(endpoints, new SyslogServerOptions { MaxMessageLength = maxMessage });
        }
        catch (SocketException e)
        {
            throw new InputException($"cannot listen on {string.Join(", ", endpoints)}: {e.Message}");
        }

        if (options.Single("publish") is { } natsUrl)
        {
            var partitions = PositiveInt(options, "partitions", 4);
            try
            {
                var connection = NatsLines.ConnectAsync(natsUrl).GetAwaiter().GetResult();
                var js = NatsLines.EnsureStreamAsync(connection).GetAwaiter().GetResult();
                return new Publisher(server, connection, js, partitions, invocation).RunAsync().GetAwaiter().GetResult();
            }
            catch
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        var watcher = new Watcher(pack, evaluation, settings, inventory, server, invocation);
        return watcher.RunAsync().GetAwaiter().GetResult();
    }

    internal static int PositiveInt(Options options, string name, int fallback)
    {
        if (options.Single(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} must be a positive whole number, not '{text}'", "watch");
    }

    /// <summary>30s, 10m, 1h, 2d, or a number of seconds.</summary>
    internal static TimeSpan Duration(string text)
    {
        var unit = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsAsciiLetter(unit) && text.Length > 0 && char.IsAsciiLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new UsageException($"--idle-timeout must be a duration such as 30s, 10m or 1h, not '{text}'", "watch");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw new UsageException($"--idle-timeout must end in s, m, h or d, not '{text}'", "watch"),
        };
    }
}

internal sealed record WatchSettings
{
    public required int MaxDevices { get; init; }

    public required int MaxLines { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    public string? DevicesFile { get; init; }
}

/// <summary>The running watch: one consumer of the server's channel; devices, evaluation and output on its task.</summary>
internal sealed class Watcher(RulePack pack, EvaluationOptions evaluation, WatchSettings settings, DeviceInventory inventory, SyslogServer server, Invocation invocation)
{
    private readonly Dictionary<string, LiveDevice> _devices = new(StringComparer.OrdinalIgnoreCase);
    private (DateTime Written, long Length)? _inventoryStamp = settings.DevicesFile is { } f ? Stamp(f) : null;
    private long _deviceSessions;
    private long _evicted;
    private long _idled;
    private readonly DeviceJudge _judge = new(pack, evaluation, inventory, invocation);

    public async Task<int> RunAsync()
    {
        using var stop = new StopSignals();
        try
        {
            foreach (var endpoint in server.Endpoints)
            {
                invocation.Stderr.WriteLine($"codered: listening on {endpoint}");
            }

            invocation.Stderr.Flush();
            var consumer = Task.Run(ConsumeAsync);
            await Task.WhenAny(stop.Stopped, consumer).ConfigureAwait(false);
            await server.StopAsync().ConfigureAwait(false);
            await consumer.ConfigureAwait(false); // drains what was received, then the channel completes

            foreach (var device in _devices.Values.OrderBy(d => d.Name, StringComparer.Ordinal).ToList())
            {
                Release(device, "stop");
            }

            WriteSummary();
            return CliApp.Clean;
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ConsumeAsync()
    {
        var reader = server.Messages;
        var intervalMs = (long)WatchCommand.EvaluationInterval.TotalMilliseconds;
        var nextTick = Environment.TickCount64 + intervalMs;
        while (true)
        {
            while (reader.TryRead(out var received))
            {
                Receive(received);
                if (Environment.TickCount64 >= nextTick)
                {
                    break;
                }
            }

            if (Environment.TickCount64 >= nextTick)
            {
                Tick();
                nextTick = Environment.TickCount64 + intervalMs;
                continue;
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, nextTick - Environment.TickCount64)));
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                {
                    break; // completed: the server stopped and everything it read has been taken
                }
            }
            catch (OperationCanceledException)
            {
                // time for the next tick
            }
        }

    }

    private void Receive(SyslogReceived received)
    {
        var name = received.Device;
        if (!_devices.TryGetValue(name, out var device))
        {
            if (_devices.Count >= settings.MaxDevices)
            {
                // Room for the newcomer: the device silent longest gets its final report now (counted, nothing lost).
                var oldest = _devices.Values.MinBy(d => d.LastActivity)!;
                _evicted++;
                Release(oldest, "evicted");
            }

            device = new LiveDevice(name, settings.MaxLines);
            _judge.Open(device);
            _devices.Add(name, device);
            _deviceSessions++;
            SyslogMetrics.DevicesChanged(1);
        }

        _judge.Add(device, received.Message);
    }

    private void Tick()
    {
        ReloadInventory();
        if (settings.IdleTimeout is { } idle)
        {
            var limit = Environment.TickCount64 - (long)idle.TotalMilliseconds;
            foreach (var device in _devices.Values.Where(d => d.LastActivity < limit).ToList())
            {
                _idled++;
                Release(device, "idle");
            }
        }
    }

    private void ReloadInventory()
    {
        if (settings.DevicesFile is not { } path || Stamp(path) is var stamp && stamp == _inventoryStamp)
        {
            return;
        }

        _inventoryStamp = stamp;
        try
        {
            _judge.Inventory = DeviceInventory.Load(path, pack.Product.VersionScheme);
            invocation.Stderr.WriteLine($"codered: {path}: reloaded, {_judge.Inventory.Count} devices");
            foreach (var device in _devices.Values)
            {
                _judge.Open(device); // a model or firmware may have changed: judge the lines again
            }
        }
        catch (InventoryException e)
        {
            CliApp.Error(invocation.Stderr, e.Message + " (keeping the previous inventory)");
        }

        invocation.Stderr.Flush();
    }

    private static (DateTime, long)? Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Release(LiveDevice device, string reason)
    {
        _judge.Release(device, reason);
        _devices.Remove(device.Name);
        SyslogMetrics.DevicesChanged(-1);
    }

    private void WriteSummary()
    {
        var statistics = server.Statistics;
        _judge.WriteLine(json =>
        {
            json.WriteString("event", "summary");
            json.WriteNumber("received", statistics.Received);
            json.WriteNumber("parsed", statistics.Parsed);
            json.WriteNumber("malformed", statistics.Malformed);
            json.WriteStartObject("malformedReasons");
            foreach (var (reason, count) in statistics.MalformedByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
            json.WriteNumber("bytes", statistics.Bytes);
            json.WriteNumber("devices", _deviceSessions);
            json.WriteNumber("evicted", _evicted);
            json.WriteNumber("idle", _idled);
            json.WriteNumber("notEvaluated", _judge.NotEvaluated);
            json.WriteNumber("findings", _judge.Findings);
            json.WriteNumber("evaluationErrors", _judge.EvaluationErrors);
            json.WriteNumber("connectionsAccepted", statistics.ConnectionsAccepted);
            json.WriteNumber("connectionsRefused", statistics.ConnectionsRefused);
            json.WriteNumber("connectionsClosed", statistics.ConnectionsClosed);
            json.WriteNumber("receiveErrors", statistics.ReceiveErrors);
            if (statistics.OsDrops is { } drops)
            {
                json.WriteNumber("osDrops", drops);
            }
            else
            {
                json.WriteNull("osDrops");
            }
        });
    }

}
