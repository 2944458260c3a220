using System.Net.Sockets;
using System.Text;
using CodeRed.Rules.Syslog;

namespace CodeRed.Rules.Live.Tests;

/// <summary>The listeners in process, over real loopback sockets.</summary>
public sealed class SyslogServerTests
{
    private static SyslogServer Start(SyslogServerOptions? options = null) =>
        SyslogServer.Start([SyslogEndpoint.Parse("udp://127.0.0.1:0"), SyslogEndpoint.Parse("tcp://127.0.0.1:0")], options);

    private static int Port(SyslogServer server, SyslogTransport transport) => server.Endpoints.Single(e => e.Transport == transport).EndPoint.Port;

    private static async Task<List<SyslogReceived>> StopAndDrain(SyslogServer server)
    {
        var received = new List<SyslogReceived>();
        var drain = Task.Run(async () =>
        {
            await foreach (var item in server.Messages.ReadAllAsync())
            {
                received.Add(item);
            }
        });
        await server.StopAsync();
        await drain;
        return received;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    [Theory]
    [InlineData("udp://127.0.0.1:514", SyslogTransport.Udp, 514)]
    [InlineData("tcp://[::1]:6514", SyslogTransport.Tcp, 6514)]
    public void Endpoints_parse(string text, SyslogTransport transport, int port)
    {
        var endpoint = SyslogEndpoint.Parse(text);
        Assert.Equal((transport, port), (endpoint.Transport, endpoint.EndPoint.Port));
    }

    [Theory]
    [InlineData("127.0.0.1:514")]
    [InlineData("http://127.0.0.1:514")]
    [InlineData("udp://127.0.0.1")]
    [InlineData("udp://localhost:514")]
    [InlineData("tcp://127.0.0.1:99999")]
    public void Bad_endpoints_say_what_is_wrong(string text) =>
        Assert.Contains(text, Assert.Throws<FormatException>(() => SyslogEndpoint.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Udp_and_tcp_messages_arrive_and_malformed_ones_are_counted()
    {
        var server = Start();
        using (var udp = new UdpClient())
        {
            var good = "<13>Dec  1 21:58:00 r1 tag: one"u8.ToArray();
            var bad = "no priority"u8.ToArray();
            udp.Send(good, good.Length, "127.0.0.1", Port(server, SyslogTransport.Udp));
            udp.Send(bad, bad.Length, "127.0.0.1", Port(server, SyslogTransport.Udp));
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
            await tcp.GetStream().WriteAsync("<13>1 - r2 app - - - two\n<999>x\n"u8.ToArray());
        }

        await WaitUntil(() => server.Statistics.Received == 4);
        var received = await StopAndDrain(server);
        Assert.Equal(["r1", "r2"], received.Select(r => r.Device).Order());
        var statistics = server.Statistics;
        Assert.Equal((4L, 2L, 2L), (statistics.Received, statistics.Parsed, statistics.Malformed));
        Assert.Equal(1, statistics.MalformedByReason["missing-priority"]);
        Assert.Equal(1, statistics.MalformedByReason["invalid-priority"]);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_frame_is_counted_and_what_it_sent_before_is_kept()
    {
        var server = Start();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
            await tcp.GetStream().WriteAsync("9 <13>whole200 <13>cut off here"u8.ToArray());
        }

        await WaitUntil(() => server.Statistics.Received == 2);
        var received = await StopAndDrain(server);
        Assert.Equal("whole", Assert.Single(received).Message.Message);
        Assert.Equal(1, server.Statistics.MalformedByReason["truncated"]);
    }

    [Fact]
    public async Task A_huge_octet_count_closes_that_connection_only()
    {
        var server = Start();
        using var bad = new TcpClient();
        await bad.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
        await bad.GetStream().WriteAsync("1099511627776 <13>x"u8.ToArray());
        var buffer = new byte[1];
        var read = await bad.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read); // the server closed it

        using (var good = new TcpClient())
        {
            await good.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
            await good.GetStream().WriteAsync("<13>still here\n"u8.ToArray());
        }

        await WaitUntil(() => server.Statistics.Parsed == 1);
        var received = await StopAndDrain(server);
        Assert.Single(received);
        Assert.Equal(1, server.Statistics.MalformedByReason["octet-count-too-large"]);
        Assert.Equal(1, server.Statistics.ConnectionsClosed);
    }

    [Fact]
    public async Task Tcp_is_not_read_while_the_consumer_is_behind()
    {
        var server = Start(new SyslogServerOptions { ChannelCapacity = 16 });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
        var message = Encoding.ASCII.GetBytes("<13>1 - r1 app - - - " + new string('x', 900) + "\n");
        const int Count = 20_000; // about 18 MB: more than the socket buffers hold
        var send = Task.Run(async () =>
        {
            var stream = tcp.GetStream();
            for (var i = 0; i < Count; i++)
            {
                await stream.WriteAsync(message);
            }
        });

        // Nobody reads the channel: the server stops reading the socket, the sender blocks.
        await Task.Delay(1500);
        Assert.False(send.IsCompleted);
        var parsedWhileBlocked = server.Statistics.Parsed;
        Assert.True(parsedWhileBlocked < Count / 2, $"{parsedWhileBlocked} parsed while nobody read: not bounded");

        var received = 0;
        await foreach (var item in server.Messages.ReadAllAsync())
        {
            if (++received == Count)
            {
                break;
            }
        }

        await send;
        Assert.Equal(Count, received);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connections_past_the_cap_are_refused_and_counted_and_silent_ones_are_closed()
    {
        var server = Start(new SyslogServerOptions { MaxConnections = 50, ConnectionIdleTimeout = TimeSpan.FromSeconds(2) });
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 60; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port(server, SyslogTransport.Tcp));
                clients.Add(client);
            }

            await WaitUntil(() => server.Statistics.ConnectionsAccepted + server.Statistics.ConnectionsRefused == 60);
            Assert.Equal(50, server.Statistics.ConnectionsAccepted);
            Assert.Equal(10, server.Statistics.ConnectionsRefused);

            // They send nothing: each is closed after the idle timeout, counted.
            await WaitUntil(() => server.Statistics.ConnectionsClosed == 50);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ten_thousand_connections_each_get_a_counted_outcome_and_the_server_stays_up()
    {
        // 10,000 clients against a cap of 5,000 (the test process holds both ends of the accepted ones, and the
        // machine's descriptor limit may be 20,000): every connection is accepted or refused and counted, the
        // accepted ones that fall silent are closed after the idle timeout, and the server still takes a new client.
        const int Clients = 10_000;
        var server = Start(new SyslogServerOptions { MaxConnections = 5_000, ConnectionIdleTimeout = TimeSpan.FromSeconds(3) });
        var clients = new List<TcpClient>(Clients);
        var sent = 0;
        try
        {
            var port = Port(server, SyslogTransport.Tcp);
            for (var i = 0; i < Clients; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                clients.Add(client);
            }

            await WaitUntil(() => server.Statistics.ConnectionsAccepted + server.Statistics.ConnectionsRefused == Clients);

            // Connecting 10,000 clients can take longer than the idle timeout on a loaded machine: the first accepted
            // ones are then closed while the rest connect and their slots are taken again. What must hold in any case:
            // never more than the cap open at once (a slot is counted closed before it is freed), the cap filled
            // before anyone is refused, and every connection past what the cap and the freed slots allow refused.
            var stats = server.Statistics;
            Assert.InRange(stats.ConnectionsAccepted - stats.ConnectionsClosed, 0, 5_000);
            Assert.True(stats.ConnectionsAccepted >= 5_000, $"{stats.ConnectionsAccepted} accepted: the cap was not filled");
            Assert.True(stats.ConnectionsRefused >= Clients - 5_000 - stats.ConnectionsClosed,
                $"{stats.ConnectionsRefused} refused, {stats.ConnectionsClosed} closed: more let in than the cap allows");

            // Every tenth of the first clients (accepted in connection order or not) sends one message; a refused
            // one's write may fail, which is its outcome.
            for (var i = 0; i < Clients; i += 10)
            {
                try
                {
                    await clients[i].GetStream().WriteAsync(Encoding.UTF8.GetBytes($"<134>1 2026-12-01T22:00:00Z host{i} app - - - message {i}\n"));
                    sent++;
                }
                catch (IOException)
                {
                }
            }

            await WaitUntil(() => server.Statistics.ConnectionsClosed >= 5_000);

            using var late = new TcpClient();
            await late.ConnectAsync("127.0.0.1", port);
            await late.GetStream().WriteAsync("<134>1 2026-12-01T22:00:01Z late app - - - after the crowd\n"u8.ToArray());
            late.Close();
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var received = await StopAndDrain(server);
        Assert.Contains(received, r => r.Message.Line.Contains("after the crowd", StringComparison.Ordinal));
        Assert.InRange(received.Count, 1, sent + 1);
        await server.DisposeAsync();
    }
}
