using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace CodeRed.Rules.Syslog;

/// <summary>A transport a syslog listener uses.</summary>
public enum SyslogTransport
{
    /// <summary>One message per datagram (RFC 5426).</summary>
    Udp,

    /// <summary>A stream of LF-framed or octet-counted messages (RFC 6587).</summary>
    Tcp,
}

/// <summary>Where to listen: <c>udp://ADDRESS:PORT</c> or <c>tcp://ADDRESS:PORT</c> (IPv6 in brackets).</summary>
/// <param name="Transport">UDP or TCP.</param>
/// <param name="EndPoint">The address and port (port 0: any free port, see <see cref="SyslogServer.Endpoints"/>).</param>
public sealed record SyslogEndpoint(SyslogTransport Transport, IPEndPoint EndPoint)
{
    /// <summary>Reads <c>udp://127.0.0.1:5514</c>, <c>tcp://0.0.0.0:6514</c>, <c>tcp://[::1]:6514</c>.</summary>
    /// <exception cref="FormatException">Not such a text; the message says what is wrong.</exception>
    public static SyslogEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? "" : text[..separator];
        var transport = scheme switch
        {
            "udp" => SyslogTransport.Udp,
            "tcp" => SyslogTransport.Tcp,
            _ => throw new FormatException($"'{text}' is not udp://ADDRESS:PORT or tcp://ADDRESS:PORT"),
        };
        if (!IPEndPoint.TryParse(text[(separator + 3)..], out var endPoint) || text.LastIndexOf(':') <= separator + 3)
        {
            throw new FormatException($"'{text}': '{text[(separator + 3)..]}' is not ADDRESS:PORT (an IP address and a port, IPv6 in brackets)");
        }

        return new SyslogEndpoint(transport, endPoint);
    }

    /// <inheritdoc/>
    public override string ToString() => (Transport == SyslogTransport.Udp ? "udp://" : "tcp://") + EndPoint.ToString();
}

/// <summary>Limits of a <see cref="SyslogServer"/>.</summary>
public sealed record SyslogServerOptions
{
    /// <summary>The longest message kept, in bytes (default 64 KiB); longer ones are counted as malformed.</summary>
    public int MaxMessageLength { get; init; } = 64 * 1024;

    /// <summary>Open TCP connections at most (default 10,000); one more is accepted, closed at once and counted.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>A TCP connection that sends nothing for this long is closed and counted (default 10 minutes).</summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages waiting for the consumer at most (default 10,000); while it is full TCP is not read and UDP waits in the socket buffer.</summary>
    public int ChannelCapacity { get; init; } = 10_000;
}

/// <summary>One message as received.</summary>
/// <param name="Message">The parsed message.</param>
/// <param name="Sender">The sender's IP address (the device when the message has no HOSTNAME).</param>
/// <param name="Transport">How it came.</param>
/// <param name="Bytes">The frame's length in bytes.</param>
public sealed record SyslogReceived(SyslogMessage Message, string Sender, SyslogTransport Transport, int Bytes)
{
    /// <summary>The device that sent it: the HOSTNAME, else the sender's address.</summary>
    public string Device => Message.HostName ?? Sender;
}

/// <summary>What a server has counted so far.</summary>
public sealed record SyslogStatistics
{
    /// <summary>Frames received (parsed + malformed).</summary>
    public required long Received { get; init; }

    /// <summary>Messages parsed and handed to the consumer.</summary>
    public required long Parsed { get; init; }

    /// <summary>Frames that were not messages.</summary>
    public required long Malformed { get; init; }

    /// <summary><see cref="Malformed"/> by reason (<see cref="SyslogErrors.Name"/>).</summary>
    public required IReadOnlyDictionary<string, long> MalformedByReason { get; init; }

    /// <summary>Bytes read.</summary>
    public required long Bytes { get; init; }

    /// <summary>TCP connections accepted.</summary>
    public required long ConnectionsAccepted { get; init; }

    /// <summary>TCP connections refused at <see cref="SyslogServerOptions.MaxConnections"/>.</summary>
    public required long ConnectionsRefused { get; init; }

    /// <summary>TCP connections closed by the server: idle too long, or unreadable framing.</summary>
    public required long ConnectionsClosed { get; init; }

    /// <summary>UDP receive errors reported by the socket.</summary>
    public required long ReceiveErrors { get; init; }

    /// <summary>Datagrams the operating system dropped on the listening sockets (Linux /proc/net/udp); null where it does not say.</summary>
    public required long? OsDrops { get; init; }
}

/// <summary>
/// Listens for syslog on UDP and TCP endpoints and writes each parsed message to <see cref="Messages"/>, a bounded
/// channel. Malformed frames are counted in <see cref="Statistics"/>, never thrown.
/// </summary>
public sealed class SyslogServer : IAsyncDisposable
{
    private readonly SyslogServerOptions _options;
    private readonly Channel<SyslogReceived> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly ConcurrentDictionary<SyslogError, long> _malformed = new();
    private readonly long[] _udpDropsAtStart;
    private long _parsed;
    private long _bytes;
    private long _accepted;
    private long _refused;
    private long _closed;
    private long _receiveErrors;
    private long _open;
    private int _stopped;
    private long? _finalDrops;
    private bool _dropsFrozen;

    private SyslogServer(IReadOnlyList<SyslogEndpoint> endpoints, SyslogServerOptions options)
    {
        _options = options;
        _channel = Channel.CreateBounded<SyslogReceived>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            SingleReader = false, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait,
        });
        var bound = new List<SyslogEndpoint>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                var socket = endpoint.Transport == SyslogTransport.Udp
                    ? new Socket(endpoint.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                    : new Socket(endpoint.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _sockets.Add(socket);
                socket.Bind(endpoint.EndPoint);
                if (endpoint.Transport == SyslogTransport.Tcp)
                {
                    socket.Listen(1024);
                }
                else
                {
                    socket.ReceiveBufferSize = 4 * 1024 * 1024;
                }

                bound.Add(endpoint with { EndPoint = (IPEndPoint)socket.LocalEndPoint! });
            }
        }
        catch
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            throw;
        }

        Endpoints = bound;
        _udpDropsAtStart = Endpoints.Select(e => e.Transport == SyslogTransport.Udp ? UdpDrops(e.EndPoint.Port) ?? 0 : 0).ToArray();
        for (var i = 0; i < _sockets.Count; i++)
        {
            var socket = _sockets[i];
            _loops.Add(Endpoints[i].Transport == SyslogTransport.Udp ? Task.Run(() => ReceiveUdpAsync(socket)) : Task.Run(() => AcceptAsync(socket)));
        }
    }

    /// <summary>The endpoints listened on, with the ports actually bound.</summary>
    public IReadOnlyList<SyslogEndpoint> Endpoints { get; }

    /// <summary>Parsed messages in arrival order per connection; completed after <see cref="StopAsync"/>.</summary>
    public ChannelReader<SyslogReceived> Messages => _channel.Reader;

    /// <summary>The counts so far.</summary>
    public SyslogStatistics Statistics
    {
        get
        {
            var malformed = _malformed.ToDictionary(p => SyslogErrors.Name(p.Key), p => p.Value, StringComparer.Ordinal);
            var drops = _dropsFrozen ? _finalDrops : CurrentDrops();
            var parsed = Interlocked.Read(ref _parsed);
            var malformedTotal = malformed.Values.Sum();
            return new SyslogStatistics
            {
                Received = parsed + malformedTotal, Parsed = parsed, Malformed = malformedTotal, MalformedByReason = malformed,
                Bytes = Interlocked.Read(ref _bytes), ConnectionsAccepted = Interlocked.Read(ref _accepted),
                ConnectionsRefused = Interlocked.Read(ref _refused), ConnectionsClosed = Interlocked.Read(ref _closed),
                ReceiveErrors = Interlocked.Read(ref _receiveErrors), OsDrops = drops,
            };
        }
    }

    /// <summary>Drops on the UDP sockets since they were bound; read while they are open (the kernel forgets a closed socket).</summary>
    private long? CurrentDrops()
    {
        long? drops = null;
        for (var i = 0; i < Endpoints.Count; i++)
        {
            if (Endpoints[i].Transport == SyslogTransport.Udp && UdpDrops(Endpoints[i].EndPoint.Port) is { } now)
            {
                drops = (drops ?? 0) + Math.Max(0, now - _udpDropsAtStart[i]);
            }
        }

        return drops;
    }

    /// <summary>Binds every endpoint (throws <see cref="SocketException"/> if one cannot be bound) and starts listening.</summary>
    public static SyslogServer Start(IReadOnlyList<SyslogEndpoint> endpoints, SyslogServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new SyslogServer(endpoints, options ?? new SyslogServerOptions());
    }

    /// <summary>
    /// Stops listening: no new connection or datagram is taken, what the sockets already hold is read and handed on,
    /// then <see cref="Messages"/> completes. The consumer must keep reading until then.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);

        // Connections the system already accepted (a client that connected, sent and closed) are read too.
        foreach (var listener in _sockets.Where(s => s.SocketType == SocketType.Stream))
        {
            try
            {
                while (listener.Poll(0, SelectMode.SelectRead))
                {
                    StartConnection(listener.Accept());
                }
            }
            catch (SocketException)
            {
                // nothing more to take
            }

            listener.Dispose();
        }

        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        _finalDrops = CurrentDrops();
        _dropsFrozen = true;
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _channel.Writer.TryComplete();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _ = Task.Run(async () =>
        {
            // Nobody may be reading any more: drain so that StopAsync is not held by a full channel.
            await foreach (var unused in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
            }
        });
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void CountMalformed(SyslogError error)
    {
        _malformed.AddOrUpdate(error, 1, (_, n) => n + 1);
        SyslogMetrics.Malformed(error);
    }

    private async ValueTask HandleFrameAsync(ReadOnlyMemory<byte> frame, string sender, SyslogTransport transport)
    {
        if (SyslogParser.TryParse(frame.Span, out var message, out var error))
        {
            Interlocked.Increment(ref _parsed);
            SyslogMetrics.Message(transport == SyslogTransport.Udp ? "udp" : "tcp");

            // No cancellation: what was read is handed on, even while stopping (the consumer drains).
            await _channel.Writer.WriteAsync(new SyslogReceived(message!, sender, transport, frame.Length)).ConfigureAwait(false);
        }
        else
        {
            CountMalformed(error);
        }
    }

    private async Task ReceiveUdpAsync(Socket socket)
    {
        // One byte more than the maximum tells a too long datagram from one exactly at it.
        var buffer = new byte[Math.Min(_options.MaxMessageLength + 1, 65536)];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var stopping = false;
        while (true)
        {
            SocketReceiveFromResult result;
            try
            {
                if (stopping)
                {
                    // Stopping: take only what the socket already holds.
                    if (socket.Available == 0)
                    {
                        return;
                    }

                    result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any).ConfigureAwait(false);
                }
                else
                {
                    result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                stopping = true;
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize)
            {
                Interlocked.Add(ref _bytes, buffer.Length);
                CountMalformed(SyslogError.DatagramTooLong);
                continue;
            }
            catch (SocketException)
            {
                // ICMP port unreachable echoes (ConnectionReset) and other receive errors: counted, the socket goes on.
                Interlocked.Increment(ref _receiveErrors);
                SyslogMetrics.Dropped(1);
                if (stopping)
                {
                    return;
                }

                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Interlocked.Add(ref _bytes, result.ReceivedBytes);
            SyslogMetrics.Bytes(result.ReceivedBytes, "udp");
            if (result.ReceivedBytes > _options.MaxMessageLength)
            {
                CountMalformed(SyslogError.DatagramTooLong);
                continue;
            }

            var sender = ((IPEndPoint)result.RemoteEndPoint).Address.ToString();
            await HandleFrameAsync(buffer.AsMemory(0, result.ReceivedBytes).ToArray(), sender, SyslogTransport.Udp).ConfigureAwait(false);
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            StartConnection(client);
        }
    }

    private void StartConnection(Socket client)
    {
        if (Interlocked.Increment(ref _open) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            SyslogMetrics.Connection(accepted: false);
            client.Dispose();
            return;
        }

        Interlocked.Increment(ref _accepted);
        SyslogMetrics.Connection(accepted: true);
        var task = Task.Run(() => ReadConnectionAsync(client));
        _connections.TryAdd(task, 0);
        _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task ReadConnectionAsync(Socket client)
    {
        var sender = client.RemoteEndPoint is IPEndPoint remote ? remote.Address.ToString() : "unknown";
        var decoder = new SyslogFrameDecoder(_options.MaxMessageLength);
        var frames = new List<SyslogFrame>();
        // A buffer only while data is there: a silent connection waits with a zero-byte receive and holds no buffer,
        // so thousands of idle connections cost sockets, not 64 KiB each.
        byte[]? buffer = null;
        var closedByServer = false;
        try
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            while (true)
            {
                int read;
                try
                {
                    if (_stop.IsCancellationRequested)
                    {
                        // Stopping: what the socket already holds is read, nothing more is waited for.
                        if (client.Available == 0)
                        {
                            break;
                        }

                        buffer ??= ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                        read = client.Receive(buffer, SocketFlags.None);
                    }
                    else
                    {
                        idle.CancelAfter(_options.ConnectionIdleTimeout);
                        if (client.Available == 0)
                        {
                            ReturnBuffer(ref buffer);
                            await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, idle.Token).ConfigureAwait(false);
                        }

                        buffer ??= ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                        read = await client.ReceiveAsync(buffer, SocketFlags.None, idle.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        continue; // drain, then end
                    }

                    closedByServer = true; // idle
                    break;
                }
                catch (SocketException)
                {
                    break; // reset by the peer: what was framed is kept, a partial frame is counted below
                }

                if (read == 0)
                {
                    break;
                }

                Interlocked.Add(ref _bytes, read);
                SyslogMetrics.Bytes(read, "tcp");
                frames.Clear();
                var open = decoder.Feed(buffer.AsSpan(0, read), frames);
                await HandleFramesAsync(frames, sender).ConfigureAwait(false);
                if (!open)
                {
                    closedByServer = true;
                    return;
                }
            }

            frames.Clear();
            decoder.Complete(frames);
            await HandleFramesAsync(frames, sender).ConfigureAwait(false);
        }
        finally
        {
            if (closedByServer)
            {
                Interlocked.Increment(ref _closed);
            }

            Interlocked.Decrement(ref _open);
            client.Dispose();
            ReturnBuffer(ref buffer);
        }
    }

    private const int ReadBufferSize = 64 * 1024;

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private async ValueTask HandleFramesAsync(List<SyslogFrame> frames, string sender)
    {
        foreach (var frame in frames)
        {
            if (frame.Frame is { } bytes)
            {
                await HandleFrameAsync(bytes, sender, SyslogTransport.Tcp).ConfigureAwait(false);
            }
            else
            {
                CountMalformed(frame.Error!.Value);
            }
        }
    }

    /// <summary>Datagrams the kernel dropped on UDP sockets bound to <paramref name="port"/> (Linux); null elsewhere.</summary>
    internal static long? UdpDrops(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        long? total = null;
        foreach (var file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
            foreach (var line in lines.Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 13 && fields[1].EndsWith(suffix, StringComparison.Ordinal)
                    && long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var drops))
                {
                    total = (total ?? 0) + drops;
                }
            }
        }

        return total;
    }
}
