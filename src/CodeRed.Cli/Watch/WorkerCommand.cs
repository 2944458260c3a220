using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Syslog;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace CodeRed.Cli.Watch;

/// <summary>
/// <c>codered worker</c>: judges the lines <c>watch --publish</c> put on JetStream, for the partitions it is given,
/// checkpointing each device to the key-value bucket with the stream sequence before acknowledging its lines.
/// </summary>
internal static class WorkerCommand
{
    public const string Usage = """
        usage: codered worker --nats nats://HOST:PORT [--partition I...] [options]

        Consumes the lines 'codered watch --publish' stores in the JetStream stream CODERED_LINES and judges each
        device, as 'watch' does, printing the same JSON lines (finding, verdict, report, summary) and publishing each
        finding to codered.findings.DEVICE. Devices are split into partitions by a stable hash of their name; each
        partition is one durable consumer, so a device's lines stay in order on one worker. After each batch every
        device touched is checkpointed to the key-value bucket codered-sessions (its session's snapshot, its counts
        and the stream sequence, no lines: a checkpoint does not grow with them), then the batch is acknowledged. A
        worker started for a partition restores that partition's checkpoints and continues where the last
        acknowledgement left off; a redelivered line at or below a device's checkpoint is skipped, so nothing is
        lost or counted twice. A checkpoint it cannot read (another version, another rule pack) is said on stderr
        and counted (checkpointErrors); that device starts afresh. SIGTERM or SIGINT: the final report of every
        device it holds.

              --nats URL                nats://HOST:PORT
              --partitions N            partitions in all (default 4; the same as 'watch --publish')
              --partition I             a partition to consume, 0..N-1 (repeatable; default: all)
              --devices FILE            the inventory, as for 'watch'
              --format F                jsonl (the only one, and the default)
              --max-lines N             lines evaluated per device (default 100000); more are counted, not
                                        evaluated, as in 'watch'. The lines themselves are not kept
              --ack-wait T              redeliver a line not acknowledged within T (default 30s)
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
            throw new UsageException($"--format must be jsonl, not '{format}'", "worker");
        }

        var url = options.Single("nats") ?? throw new UsageException("worker needs --nats nats://HOST:PORT", "worker");
        var partitions = WatchCommand.PositiveInt(options, "partitions", 4);
        var mine = options.All("partition").Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < partitions
            ? n : throw new UsageException($"--partition must be 0..{partitions - 1}, not '{p}'", "worker")).Distinct().ToList();
        if (mine.Count == 0)
        {
            mine = [.. Enumerable.Range(0, partitions)];
        }

        var ackWait = options.Single("ack-wait") is { } wait ? WatchCommand.Duration(wait) : TimeSpan.FromSeconds(30);
        var maxLines = WatchCommand.PositiveInt(options, "max-lines", 100_000);
        var pack = options.Pack();
        var evaluation = new EvaluationOptions { Severity = options.Severity(pack), Culture = options.Culture(pack) };
        var inventory = DeviceInventory.Empty;
        if (options.Single("devices") is { } devicesFile)
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

        var worker = new Worker(url, partitions, mine, ackWait, maxLines, new DeviceJudge(pack, evaluation, inventory, invocation), invocation);
        return worker.RunAsync().GetAwaiter().GetResult();
    }
}

internal sealed class Worker(string url, int partitions, IReadOnlyList<int> mine, TimeSpan ackWait, int maxLines, DeviceJudge judge, Invocation invocation)
{
    /// <summary>Version 2: the session's snapshot (version 1 held the device's lines, replayed on restore).</summary>
    private const int CheckpointVersion = 2;
    private readonly Dictionary<string, (int Partition, LiveDevice Device)> _devices = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();
    private long _applied;
    private long _duplicates;
    private long _checkpoints;
    private long _checkpointErrors;

    public async Task<int> RunAsync()
    {
        using var stop = new StopSignals();
        await using var connection = await NatsLines.ConnectAsync(url).ConfigureAwait(false);
        var js = await NatsLines.EnsureStreamAsync(connection).ConfigureAwait(false);
        var store = await NatsLines.EnsureBucketAsync(js).ConfigureAwait(false);
        foreach (var partition in mine)
        {
            await RestoreAsync(store, partition).ConfigureAwait(false);
        }

        var consumers = new List<INatsJSConsumer>();
        foreach (var partition in mine)
        {
            // A worker taking over a partition starts again right after the consumer's acknowledgement floor, with a
            // fresh consumer: the old one would deliver newer lines first and the dead worker's unacknowledged ones
            // only when their ack wait ran out, and a device that already saw a later line would skip them as
            // duplicates (lost). From the floor, every line comes in stream order; those a checkpoint holds are skipped.
            var config = new ConsumerConfig(NatsLines.Consumer(partition))
            {
                FilterSubject = string.Create(CultureInfo.InvariantCulture, $"codered.lines.{partition}.>"),
                // A batch is acknowledged by its last line (lines come in stream order, one fetch at a time).
                AckPolicy = ConsumerConfigAckPolicy.All,
                AckWait = ackWait,
                MaxAckPending = 20_000,
            };
            try
            {
                var existing = await js.GetConsumerAsync(NatsLines.Stream, NatsLines.Consumer(partition)).ConfigureAwait(false);
                var floor = existing.Info.AckFloor?.StreamSeq ?? 0;
                await js.DeleteConsumerAsync(NatsLines.Stream, NatsLines.Consumer(partition)).ConfigureAwait(false);
                if (floor > 0)
                {
                    config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence;
                    config.OptStartSeq = floor + 1;
                }
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                // No consumer yet: this partition starts at the stream's first line.
            }

            consumers.Add(await js.CreateOrUpdateConsumerAsync(NatsLines.Stream, config).ConfigureAwait(false));
        }

        invocation.Stderr.WriteLine($"codered: worker for partitions {string.Join(",", mine)} of {partitions}, {_devices.Count} devices restored");
        invocation.Stderr.Flush();
        await Task.WhenAll(mine.Select((partition, i) => ConsumeAsync(connection, store, consumers[i], partition, stop.Token))).ConfigureAwait(false);

        lock (_gate)
        {
            foreach (var (_, device) in _devices.Values.OrderBy(d => d.Device.Name, StringComparer.Ordinal))
            {
                judge.Release(device, "stop");
            }

            judge.WriteLine(json =>
            {
                json.WriteString("event", "summary");
                json.WriteNumber("applied", _applied);
                json.WriteNumber("duplicates", _duplicates);
                json.WriteNumber("checkpoints", _checkpoints);
                json.WriteNumber("checkpointErrors", _checkpointErrors);
                json.WriteNumber("devices", _devices.Count);
                json.WriteNumber("notEvaluated", judge.NotEvaluated);
                json.WriteNumber("findings", judge.Findings);
                json.WriteNumber("evaluationErrors", judge.EvaluationErrors);
            });
        }

        return CliApp.Clean;
    }

    private async Task ConsumeAsync(NatsConnection connection, INatsKVStore store, INatsJSConsumer consumer, int partition, CancellationToken stop)
    {
        var batch = new List<INatsJSMsg<byte[]>>();
        var touched = new HashSet<LiveDevice>();
        while (!stop.IsCancellationRequested)
        {
            batch.Clear();
            try
            {
                // Not cancelled by the stop: a fetch cut short could leave lines delivered but unjudged until the ack wait.
                // What is there now, up to 1,000 lines; when nothing is, wait (up to a second) for the next line only, so
                // that a quiet router's line is judged as it arrives instead of when a larger fetch expires.
                await foreach (var message in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000 }).ConfigureAwait(false))
                {
                    batch.Add(message);
                }

                if (batch.Count == 0)
                {
                    await foreach (var message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(1) }).ConfigureAwait(false))
                    {
                        batch.Add(message);
                    }
                }
            }
            catch (NatsJSException e)
            {
                CliApp.Error(invocation.Stderr, $"partition {partition}: fetch failed: {e.Message}");
                await Task.Delay(500, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (batch.Count == 0)
            {
                continue;
            }

            touched.Clear();
            var findings = new List<(LiveDevice Device, Diagnostic Diagnostic)>();
            lock (_gate)
            {
                judge.FindingRaised = (device, diagnostic) => findings.Add((device, diagnostic));
                foreach (var message in batch)
                {
                    var name = message.Headers?[NatsLines.DeviceHeader].ToString() ?? "unknown";
                    var sequence = message.Metadata?.Sequence.Stream ?? 0;
                    var device = DeviceFor(name, partition);
                    if (sequence <= device.LastSequence)
                    {
                        _duplicates++; // a redelivery of a line the checkpoint already holds
                        continue;
                    }

                    var timestamp = message.Headers is { } headers && headers.TryGetValue(NatsLines.TimestampHeader, out var value) ? value.ToString() : null;
                    judge.Add(device, new SyslogMessage { Priority = 0, Format = SyslogFormat.Rfc5424, Timestamp = timestamp, Message = "", Line = Encoding.UTF8.GetString(message.Data ?? []) });
                    device.LastSequence = sequence;
                    _applied++;
                    touched.Add(device);
                }

                judge.FindingRaised = null;
            }

            foreach (var (device, diagnostic) in findings)
            {
                var payload = JsonSerializer.SerializeToUtf8Bytes(new FindingMessage(device.Name, diagnostic.Id, diagnostic.Message, diagnostic.Count, diagnostic.LineText), WorkerJson.Default.FindingMessage);
                await connection.PublishAsync(NatsLines.FindingsSubject(device.Name), payload, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            // Checkpoint, then acknowledge: a line is acknowledged only once a checkpoint holds it. The devices' checkpoints
            // are stored side by side (different keys) and all awaited; the batch's last line then acknowledges it whole.
            var puts = touched.Select(device => store.PutAsync(NatsLines.CheckpointKey(partition, device.Name), Checkpoint(device), cancellationToken: CancellationToken.None).AsTask()).ToList();
            await Task.WhenAll(puts).ConfigureAwait(false);
            Interlocked.Add(ref _checkpoints, puts.Count);
            await batch[^1].AckAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private LiveDevice DeviceFor(string name, int partition)
    {
        if (!_devices.TryGetValue(name, out var entry))
        {
            entry = (partition, new LiveDevice(name, maxLines, keepLines: false));
            judge.Open(entry.Device);
            _devices.Add(name, entry);
            SyslogMetrics.DevicesChanged(1);
        }

        return entry.Device;
    }

    private async Task RestoreAsync(INatsKVStore store, int partition)
    {
        var keys = new List<string>();
        try
        {
            await foreach (var key in store.GetKeysAsync([string.Create(CultureInfo.InvariantCulture, $"p{partition}.>")]).ConfigureAwait(false))
            {
                keys.Add(key);
            }
        }
        catch (NatsKVException)
        {
            return; // an empty bucket
        }

        foreach (var key in keys)
        {
            var entry = await store.GetEntryAsync<byte[]>(key).ConfigureAwait(false);
            if (entry.Value is { } bytes)
            {
                Restore(key, bytes, partition);
            }
        }
    }

    /// <summary>
    /// The device's checkpoint, a JSON envelope: the format version, the device, the last stream sequence applied, the
    /// counters its report line prints, what was already printed (findings, verdict, their evidence timestamps) and the
    /// session's own snapshot. Its size follows the session's bounded state, not the number of lines.
    /// </summary>
    private static byte[] Checkpoint(LiveDevice device)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", CheckpointVersion);
            json.WriteString("device", device.Name);
            json.WriteNumber("sequence", device.LastSequence);
            json.WriteNumber("messages", device.Messages);
            json.WriteNumber("notEvaluated", device.NotEvaluated);
            json.WriteNumber("evaluated", device.Evaluated);
            json.WriteString("verdict", device.Verdict);
            json.WriteStartArray("reported");
            foreach (var rule in device.ReportedRules.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(rule);
            }

            json.WriteEndArray();
            json.WriteStartObject("evidenceTimestamps");
            foreach (var (line, timestamp) in device.EvidenceTimestamps.OrderBy(e => e.Key))
            {
                json.WriteString(line.ToString(CultureInfo.InvariantCulture), timestamp);
            }

            json.WriteEndObject();
            if (DeviceJudge.Snapshot(device) is { } snapshot)
            {
                json.WritePropertyName("session");
                json.WriteRawValue(snapshot.ToBytes(), skipInputValidation: true);
            }
            else
            {
                json.WriteNull("session"); // the session could not start (counted as an evaluation error)
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A device back from its checkpoint. A checkpoint this worker cannot read (another format version, foreign bytes,
    /// a snapshot of another rule pack) is said on stderr and counted; the device then starts afresh with its next line.
    /// </summary>
    private void Restore(string key, byte[] bytes, int partition)
    {
        string? name = null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var version = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var v) && v.TryGetInt32(out var n) ? n : (int?)null;
            if (version != CheckpointVersion)
            {
                throw new FormatException(version is null
                    ? "it is not a codered worker checkpoint (no version)"
                    : $"it has checkpoint version {version}, this worker reads version {CheckpointVersion}");
            }

            name = root.GetProperty("device").GetString() ?? throw new FormatException("it names no device");
            var session = root.GetProperty("session");
            var snapshot = session.ValueKind == JsonValueKind.Null ? null : SessionSnapshot.FromBytes(Encoding.UTF8.GetBytes(session.GetRawText()));
            var device = new LiveDevice(name, maxLines, keepLines: false);
            device.Restore(root.GetProperty("messages").GetInt64(), root.GetProperty("notEvaluated").GetInt64(), root.GetProperty("evaluated").GetInt64());
            device.LastSequence = root.GetProperty("sequence").GetUInt64();
            device.Verdict = root.GetProperty("verdict").GetString();
            foreach (var rule in root.GetProperty("reported").EnumerateArray())
            {
                device.ReportedRules.Add(rule.GetString()!);
            }

            foreach (var evidence in root.GetProperty("evidenceTimestamps").EnumerateObject())
            {
                device.EvidenceTimestamps[long.Parse(evidence.Name, NumberStyles.None, CultureInfo.InvariantCulture)] = evidence.Value.GetString();
            }

            if (snapshot is not null)
            {
                judge.Resume(device, snapshot);
            }

            _devices[name] = (partition, device);
            SyslogMetrics.DevicesChanged(1);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException or OverflowException)
        {
            _checkpointErrors++;
            CliApp.Error(invocation.Stderr, $"checkpoint '{key}' in {NatsLines.Bucket} is unreadable, the device starts afresh: {e.Message}");
        }
    }
}

/// <summary>What is published to <c>codered.findings.DEVICE</c>.</summary>
internal sealed record FindingMessage(string Device, string Rule, string Message, int Count, string? Line);

[System.Text.Json.Serialization.JsonSerializable(typeof(FindingMessage))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class WorkerJson : System.Text.Json.Serialization.JsonSerializerContext;
