using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Xunit.Abstractions;

namespace CodeRed.Rules.Live.Tests;

/// <summary>
/// The NATS deployment with a real <c>nats-server -js</c>: one <c>watch --publish</c>, two workers, one of them killed
/// with SIGKILL halfway and replaced; the final reports must equal a single-process <c>watch</c> over the same lines.
/// </summary>
public sealed class NatsWorkerTests(ITestOutputHelper output)
{
    private const int Devices = 100;
    private const int Lines = 20_000;

    private static byte[] Frame(int i)
    {
        var device = i % Devices;
        var text = (i / Devices) % 37 == 5 ? $"HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.{device}.{i % 250}" : $"03 09:26:29   7 HTTP  INFO  request {i}";
        var frame = Encoding.UTF8.GetBytes($"<134>1 2026-12-01T22:{i / 1000 % 60:00}:{i % 60:00}Z dev{device:000} HTTP - - - {text}");
        return [.. Encoding.ASCII.GetBytes(frame.Length.ToString(CultureInfo.InvariantCulture) + " "), .. frame];
    }

    private static void Send(int port, int from, int to)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        using var stream = new BufferedStream(client.GetStream(), 64 * 1024);
        for (var i = from; i < to; i++)
        {
            stream.Write(Frame(i));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The report per device, as JSON text, with the device's message count.</summary>
    private static Dictionary<string, string> Reports(IEnumerable<JsonElement> lines) =>
        lines.Where(l => l.Event() == "report").ToDictionary(l => l.Str("device"), l => l.Num("messages") + " " + l.GetProperty("report").GetRawText(), StringComparer.Ordinal);

    [ExternalToolFact("nats-server", "apt-get install nats-server")]
    public async Task A_worker_killed_halfway_is_replaced_and_the_reports_equal_a_single_process_run()
    {
        // The single-process run.
        Dictionary<string, string> expected;
        using (var single = WatchProcess.Start())
        {
            Send(single.TcpPort, 0, Lines);
            var (code, lines) = single.Stop();
            Assert.Equal(0, code);
            Assert.Equal(Lines, lines.Summary().Num("parsed"));
            expected = Reports(lines);
        }

        Assert.Equal(Devices, expected.Count);

        using var temp = new LiveSupport.TempDir();
        var natsPort = FreePort();
        var url = $"nats://127.0.0.1:{natsPort}";
        var serverStart = new ProcessStartInfo(ExternalTools.Require("nats-server")) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-js", "-a", "127.0.0.1", "-p", natsPort.ToString(CultureInfo.InvariantCulture), "-sd", temp.File("js") })
        {
            serverStart.ArgumentList.Add(arg);
        }

        using var nats = Process.Start(serverStart)!;
        _ = nats.StandardOutput.ReadToEndAsync();
        _ = nats.StandardError.ReadToEndAsync();
        WatchProcess? publisher = null;
        var workers = new List<WorkerProcess>();
        try
        {
            await using var client = new NatsConnection(new NatsOpts { Url = url });
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await client.ConnectAsync();
                    break;
                }
                catch (NatsException) when (attempt < 100)
                {
                    await Task.Delay(100);
                }
            }

            // Two checkpoints no worker can read: an old version 1 one and foreign bytes. Each is said and counted, never fatal.
            var bucket = await new NatsKVContext(new NatsJSContext(client)).CreateOrUpdateStoreAsync(new NatsKVConfig("codered-sessions"));
            await bucket.PutAsync("p0.old", Encoding.UTF8.GetBytes("""{"version":1,"device":"dev999","sequence":1,"lines":["x"]}"""));
            await bucket.PutAsync("p0.foreign", Encoding.UTF8.GetBytes("not a checkpoint"));

            publisher = WatchProcess.Start("--publish", url, "--partitions", "2");
            var first = WorkerProcess.Start(url, "0");
            var second = WorkerProcess.Start(url, "1");
            workers.Add(first);
            workers.Add(second);

            Send(publisher.TcpPort, 0, Lines / 2);
            var js = new NatsJSContext(client);
            await WaitForStream(js, Lines / 2);

            // Partition 0's worker dies without a word, in the middle of its work: once it has printed a finding and
            // acknowledged (so checkpointed) some of its lines.
            first.WaitForOutput();
            for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(10))
            {
                var info = (await js.GetConsumerAsync("CODERED_LINES", "codered-p0")).Info;
                if (info.AckFloor?.StreamSeq > 0 || DateTime.UtcNow > deadline)
                {
                    break;
                }
            }

            first.Kill();

            // Partition 1's checkpoints once it has judged the first half (about 100 lines per device).
            var js0 = new NatsJSContext(client);
            await WaitForPartition(js0, 1);
            var halfway = await Checkpoints(js0, 1);
            Send(publisher.TcpPort, Lines / 2, Lines);
            await WaitForStream(js, Lines);
            var replacement = WorkerProcess.Start(url, "0");
            workers.Add(replacement);

            foreach (var partition in new[] { 0, 1 })
            {
                var deadline = DateTime.UtcNow.AddMinutes(3);
                while (true)
                {
                    var consumer = await js.GetConsumerAsync("CODERED_LINES", $"codered-p{partition}");
                    if (consumer.Info.NumPending == 0 && consumer.Info.NumAckPending == 0)
                    {
                        break;
                    }

                    Assert.True(DateTime.UtcNow < deadline, $"partition {partition}: {consumer.Info.NumPending} pending, {consumer.Info.NumAckPending} unacknowledged");
                    await Task.Delay(200);
                }
            }

            // A checkpoint is the session's bounded state, not the device's lines: twice the lines, about the same size,
            // and smaller than the text of the lines it covers.
            var final = await Checkpoints(js, 1);
            Assert.Equal(halfway.Keys.Order(), final.Keys.Order());
            output.WriteLine($"checkpoint bytes, partition 1: after {Lines / 2 / Devices} lines {halfway.Values.Min(c => c.Size)}..{halfway.Values.Max(c => c.Size)}, after {Lines / Devices} lines {final.Values.Min(c => c.Size)}..{final.Values.Max(c => c.Size)}");
            foreach (var (key, (size, messages, device)) in final)
            {
                var (halfSize, halfMessages, _) = halfway[key];
                var covered = Enumerable.Range(0, Lines).Where(i => $"dev{i % Devices:000}" == device).Sum(i => Frame(i).Length);
                Assert.True(messages == Lines / Devices && halfMessages < messages, $"{key}: {halfMessages} then {messages} messages");
                if (key == final.Keys.Min(StringComparer.Ordinal))
                {
                    output.WriteLine($"{key}: {size} bytes for {messages} lines of {covered} bytes ({halfway[key].Size} bytes after {halfMessages})");
                }

                Assert.True(size < covered, $"{key}: a checkpoint of {size} bytes for {messages} lines of {covered} bytes");
                Assert.True(size < halfSize * 1.25, $"{key}: {halfSize} bytes after {halfMessages} lines, {size} after {messages}");
            }

            var (publishCode, published) = publisher.Stop();
            Assert.Equal(0, publishCode);
            Assert.Equal(Lines, published.Summary().Num("published"));
            var actual = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var worker in new[] { replacement, second })
            {
                var lines = worker.Stop();
                var reports = Reports(lines);
                foreach (var (device, report) in reports)
                {
                    actual.Add(device, report); // a device on two workers would throw here
                }

                Assert.Equal(worker == replacement ? 2 : 0, lines.Summary().Num("checkpointErrors"));
                if (worker == replacement)
                {
                    // It took over from checkpoints: it judged only the lines the killed worker had not acknowledged.
                    var partitionLines = lines.Where(l => l.Event() == "report").Sum(l => l.Num("messages"));
                    var applied = lines.Summary().Num("applied");
                    Assert.True(applied > 0 && applied < partitionLines, $"the replacement applied {applied} of its partition's {partitionLines} lines");
                }
            }

            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var device in expected.Keys)
            {
                Assert.Equal(expected[device], actual[device]);
            }
        }
        finally
        {
            publisher?.Dispose();
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            nats.Kill();
            nats.WaitForExit();
        }
    }

    private static async Task WaitForPartition(NatsJSContext js, int partition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            string state;
            try
            {
                var consumer = await js.GetConsumerAsync("CODERED_LINES", $"codered-p{partition}");
                if (consumer.Info.NumPending == 0 && consumer.Info.NumAckPending == 0)
                {
                    return;
                }

                state = $"{consumer.Info.NumPending} pending, {consumer.Info.NumAckPending} unacknowledged";
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                // A worker started on a loaded machine may not have created its consumer yet (a CI run met this).
                state = "no consumer yet";
            }

            Assert.True(DateTime.UtcNow < deadline, $"partition {partition}: {state}");
            await Task.Delay(200);
        }
    }

    /// <summary>The partition's checkpoints in the bucket: size in bytes, messages counted, device; each one version 2 without lines.</summary>
    private static async Task<Dictionary<string, (int Size, long Messages, string Device)>> Checkpoints(NatsJSContext js, int partition)
    {
        var store = await new NatsKVContext(js).GetStoreAsync("codered-sessions");
        var result = new Dictionary<string, (int, long, string)>(StringComparer.Ordinal);
        var keys = new List<string>();
        await foreach (var key in store.GetKeysAsync([$"p{partition}.>"]))
        {
            keys.Add(key);
        }

        foreach (var key in keys)
        {
            var bytes = (await store.GetEntryAsync<byte[]>(key)).Value!;
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            Assert.Equal(2, root.GetProperty("version").GetInt32());
            Assert.False(root.TryGetProperty("lines", out _), key + ": a checkpoint with lines");
            Assert.Equal(JsonValueKind.Object, root.GetProperty("session").ValueKind);
            result.Add(key, (bytes.Length, root.GetProperty("messages").GetInt64(), root.GetProperty("device").GetString()!));
        }

        Assert.NotEmpty(result);
        return result;
    }

    private static async Task WaitForStream(NatsJSContext js, int messages)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                var stream = await js.GetStreamAsync("CODERED_LINES");
                if (stream.Info.State.Messages >= messages)
                {
                    return;
                }
            }
            catch (NatsJSApiException)
            {
                // not created yet
            }

            Assert.True(DateTime.UtcNow < deadline, $"the stream did not reach {messages} messages");
            await Task.Delay(100);
        }
    }

    /// <summary>A <c>codered worker</c> child process; its stdout JSON lines collected.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<JsonElement> _lines = [];
        private readonly Task _reading;
        private readonly StringBuilder _stderr = new();

        private WorkerProcess(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            };
            _process.BeginErrorReadLine();
            _reading = Task.Run(async () =>
            {
                while (await _process.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (_lines)
                    {
                        _lines.Add(JsonDocument.Parse(line).RootElement.Clone());
                    }
                }
            });
        }

        public static WorkerProcess Start(string url, string partition)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { LiveSupport.CoderedDll, "worker", "--nats", url, "--partitions", "2", "--partition", partition, "--ack-wait", "3s" })
            {
                start.ArgumentList.Add(arg);
            }

            return new WorkerProcess(Process.Start(start)!);
        }

        /// <summary>Waits until the worker has printed something (it is consuming).</summary>
        public void WaitForOutput()
        {
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                lock (_lines)
                {
                    if (_lines.Count > 0)
                    {
                        return;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline && !_process.HasExited, "the worker printed nothing: " + _stderr);
                Thread.Sleep(50);
            }
        }

        public void Kill()
        {
            _process.Kill(); // SIGKILL
            _process.WaitForExit();
        }

        public List<JsonElement> Stop()
        {
            LiveSupport.Terminate(_process.Id);
            Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), "the worker did not stop: " + _stderr);
            _reading.Wait(TimeSpan.FromSeconds(30));
            Assert.True(_process.ExitCode == 0, "worker: " + _stderr);
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
