using System.Text;
using CodeRed.Rules.Syslog;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace CodeRed.Cli.Watch;

/// <summary><c>watch --publish nats://...</c>: every received message goes to the JetStream stream, keyed by device, instead of being judged here.</summary>
internal sealed class Publisher(SyslogServer server, NatsConnection connection, NatsJSContext js, int partitions, Invocation invocation)
{
    private readonly HashSet<string> _devices = new(StringComparer.OrdinalIgnoreCase);
    private readonly DeviceJudge _output = new(Rules.RulePack.Default, Rules.EvaluationOptions.Default, DeviceInventory.Empty, invocation);
    private long _published;
    private long _failed;

    public async Task<int> RunAsync()
    {
        using var stop = new StopSignals();
        try
        {
            foreach (var endpoint in server.Endpoints)
            {
                invocation.Stderr.WriteLine($"codered: listening on {endpoint}, publishing to {NatsLines.Stream}");
            }

            invocation.Stderr.Flush();
            var consumer = Task.Run(PublishAllAsync);
            await Task.WhenAny(stop.Stopped, consumer).ConfigureAwait(false);
            await server.StopAsync().ConfigureAwait(false);
            await consumer.ConfigureAwait(false);
            var statistics = server.Statistics;
            _output.WriteLine(json =>
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
                json.WriteNumber("devices", _devices.Count);
                json.WriteNumber("published", _published);
                json.WriteNumber("publishFailed", _failed);
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
            return _failed == 0 ? CliApp.Clean : CliApp.Failure;
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Publishes awaiting their stream acknowledgement at most; never two of one device.</summary>
    private const int InFlight = 256;

    private async Task PublishAllAsync()
    {
        // Several lines are on their way at once, so a publish does not wait for the one before it; but never two of
        // one device, so each device's lines are stored in the order they came (a worker judges them in stream order).
        // A line counts as published only once the stream acknowledged it, and before the reader waits for more,
        // everything sent is acknowledged (counts and errors stay current while the routers are quiet).
        var pending = new Queue<(string Device, ValueTask<PubAckResponse> Ack)>();
        var open = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var reader = server.Messages;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var received))
            {
                var device = received.Device;
                _devices.Add(device);
                while (open.Contains(device) || pending.Count >= InFlight)
                {
                    await CompleteOldestAsync(pending, open).ConfigureAwait(false);
                }

                var headers = new NatsHeaders { [NatsLines.DeviceHeader] = device };
                if (received.Message.Timestamp is { } timestamp)
                {
                    headers[NatsLines.TimestampHeader] = timestamp;
                }

                ValueTask<PubAckResponse> ack;
                try
                {
                    ack = js.PublishAsync(NatsLines.Subject(device, partitions), Encoding.UTF8.GetBytes(received.Message.Line), headers: headers);
                }
                catch (Exception e) when (e is NatsException or NatsJSException)
                {
                    ack = ValueTask.FromException<PubAckResponse>(e);
                }

                pending.Enqueue((device, ack));
                open.Add(device);
            }

            while (pending.Count > 0)
            {
                await CompleteOldestAsync(pending, open).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The oldest publish's acknowledgement: published, or counted in publishFailed and said on stderr, never dropped silently.</summary>
    private async Task CompleteOldestAsync(Queue<(string Device, ValueTask<PubAckResponse> Ack)> pending, HashSet<string> open)
    {
        var (device, ack) = pending.Dequeue();
        open.Remove(device);
        try
        {
            (await ack.ConfigureAwait(false)).EnsureSuccess();
            _published++;
        }
        catch (Exception e) when (e is NatsException or NatsJSException)
        {
            _failed++;
            CliApp.Error(invocation.Stderr, $"device '{device}': publishing failed: {e.Message}");
        }
    }
}
