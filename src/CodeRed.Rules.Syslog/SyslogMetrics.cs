using System.Diagnostics.Metrics;

namespace CodeRed.Rules.Syslog;

/// <summary>
/// The meter <c>CodeRed.Rules.Syslog</c>: counters of messages, bytes, malformed frames (tag <c>reason</c>), dropped
/// datagrams (as the operating system reports them), connections, devices and findings. Listen with
/// <c>dotnet-counters monitor --counters CodeRed.Rules.Syslog</c> or a <see cref="MeterListener"/>.
/// </summary>
public static class SyslogMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CodeRed.Rules.Syslog";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> MessagesCounter = Meter.CreateCounter<long>("codered.syslog.messages", "{message}", "Syslog messages parsed.");
    private static readonly Counter<long> BytesCounter = Meter.CreateCounter<long>("codered.syslog.bytes", "By", "Bytes received.");
    private static readonly Counter<long> MalformedCounter = Meter.CreateCounter<long>("codered.syslog.malformed", "{frame}", "Frames that were not syslog messages, by reason.");
    private static readonly Counter<long> DroppedCounter = Meter.CreateCounter<long>("codered.syslog.dropped", "{datagram}", "Datagrams the operating system dropped before they were read, or receive errors.");
    private static readonly Counter<long> ConnectionsCounter = Meter.CreateCounter<long>("codered.syslog.connections", "{connection}", "TCP connections accepted (outcome=accepted) or refused at the cap (outcome=refused).");
    private static readonly UpDownCounter<long> DevicesCounter = Meter.CreateUpDownCounter<long>("codered.syslog.devices", "{device}", "Devices currently held.");
    private static readonly Counter<long> FindingsCounter = Meter.CreateCounter<long>("codered.syslog.findings", "{finding}", "Findings raised for live devices.");

    internal static void Message(string transport) => MessagesCounter.Add(1, new KeyValuePair<string, object?>("transport", transport));

    internal static void Bytes(long count, string transport) => BytesCounter.Add(count, new KeyValuePair<string, object?>("transport", transport));

    internal static void Malformed(SyslogError reason) => MalformedCounter.Add(1, new KeyValuePair<string, object?>("reason", SyslogErrors.Name(reason)));

    internal static void Dropped(long count) => DroppedCounter.Add(count);

    internal static void Connection(bool accepted) => ConnectionsCounter.Add(1, new KeyValuePair<string, object?>("outcome", accepted ? "accepted" : "refused"));

    /// <summary>Records that a consumer now holds <paramref name="delta"/> more (or fewer) devices.</summary>
    public static void DevicesChanged(long delta) => DevicesCounter.Add(delta);

    /// <summary>Records a finding raised for a live device, tagged with its rule.</summary>
    public static void Finding(string rule) => FindingsCounter.Add(1, new KeyValuePair<string, object?>("rule", rule));
}
