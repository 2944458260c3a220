using System.Text;
using CodeRed.Rules.Syslog;
using NATS.Client.Core;
using NATS.Client.JetStream;

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

    private async Task PublishAllAsync()
    {
        await foreach (var received in server.Messages.ReadAllAsync().ConfigureAwait(false))
        {
            var device = received.Device;
            _devices.Add(device);
            var headers = new NatsHeaders { [NatsLines.DeviceHeader] = device };
            if (received.Message.Timestamp is { } timestamp)
            {
                headers[NatsLines.TimestampHeader] = timestamp;
            }

            // One at a time, each acknowledged by the stream: a line is counted as published only once it is stored.
            // (A line the stream refuses is counted in publishFailed and said on stderr, never dropped silently.)
            try
            {
                var ack = await js.PublishAsync(NatsLines.Subject(device, partitions), Encoding.UTF8.GetBytes(received.Message.Line), headers: headers).ConfigureAwait(false);
                ack.EnsureSuccess();
                _published++;
            }
            catch (Exception e) when (e is NatsException or NatsJSException)
            {
                _failed++;
                CliApp.Error(invocation.Stderr, $"device '{device}': publishing failed: {e.Message}");
            }
        }
    }
}
