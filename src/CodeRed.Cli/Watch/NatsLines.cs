using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace CodeRed.Cli.Watch;

/// <summary>
/// The NATS JetStream layout shared by <c>watch --publish</c> and <c>worker</c>: stream <c>CODERED_LINES</c> with one
/// subject per device, <c>codered.lines.PARTITION.DEVICE</c> (the partition a stable hash of the device name, the
/// device hex-encoded so that any host name is one subject token); one durable consumer per partition
/// (<c>codered-pN</c>), so one device's lines stay in order on one worker; checkpoints in the key-value bucket
/// <c>codered-sessions</c> under <c>pN.DEVICE</c>; findings on <c>codered.findings.DEVICE</c>.
/// </summary>
internal static class NatsLines
{
    public const string Stream = "CODERED_LINES";
    public const string Bucket = "codered-sessions";
    public const string DeviceHeader = "Codered-Device";
    public const string TimestampHeader = "Codered-Timestamp";

    public static int Partition(string device, int partitions)
    {
        // FNV-1a over the lower-case UTF-8 name: the same partition in every process and every run.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(device.ToLowerInvariant()))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }

    public static string Token(string device) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(device.ToLowerInvariant()));

    public static string Subject(string device, int partitions) =>
        string.Create(CultureInfo.InvariantCulture, $"codered.lines.{Partition(device, partitions)}.{Token(device)}");

    public static string Consumer(int partition) => string.Create(CultureInfo.InvariantCulture, $"codered-p{partition}");

    public static string CheckpointKey(int partition, string device) => string.Create(CultureInfo.InvariantCulture, $"p{partition}.{Token(device)}");

    public static string FindingsSubject(string device) => "codered.findings." + Token(device);

    public static async Task<NatsConnection> ConnectAsync(string url)
    {
        if (!url.StartsWith("nats://", StringComparison.Ordinal))
        {
            throw new UsageException($"'{url}' is not nats://HOST:PORT");
        }

        var connection = new NatsConnection(new NatsOpts { Url = url, Name = "codered" });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InputException($"cannot connect to {url}: {e.Message}");
        }

        return connection;
    }

    public static async Task<NatsJSContext> EnsureStreamAsync(NatsConnection connection)
    {
        var js = new NatsJSContext(connection);
        await js.CreateOrUpdateStreamAsync(new StreamConfig { Name = Stream, Subjects = ["codered.lines.>"] }).ConfigureAwait(false);
        return js;
    }

    public static async Task<INatsKVStore> EnsureBucketAsync(NatsJSContext js) =>
        await new NatsKVContext(js).CreateOrUpdateStoreAsync(new NatsKVConfig(Bucket)).ConfigureAwait(false);
}
