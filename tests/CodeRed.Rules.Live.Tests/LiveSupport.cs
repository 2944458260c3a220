using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CodeRed.Rules.Live.Tests;

internal static partial class LiveSupport
{
    public static string RepoRoot { get; } = typeof(LiveSupport).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string CoderedDll => Path.Combine(AppContext.BaseDirectory, "codered.dll");

    /// <summary>Runs a program to its end; fails the test when it takes longer than a minute.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in a minute");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Sends SIGTERM (Process.Kill sends SIGKILL, which is not what an operator's stop is).</summary>
    public static void Terminate(int pid) => Assert.Equal(0, Run("kill", "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);

    /// <summary>A temporary folder, removed when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("codered-live-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // a child process may still hold a file for a moment; the temp folder is the system's to clean
            }
        }
    }

    [GeneratedRegex(@"listening on (udp|tcp)://127\.0\.0\.1:(\d+)")]
    public static partial Regex ListeningLine();
}

/// <summary>
/// <c>codered watch</c> as a child process listening on UDP and TCP ports of 127.0.0.1 chosen by the system (the
/// bound ports are read from its stderr); its stdout JSON lines are collected as they come.
/// </summary>
internal sealed class WatchProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<JsonElement> _events = new();
    private readonly List<JsonElement> _all = [];
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutDone;

    private WatchProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(LiveSupport.CoderedDll);
        start.ArgumentList.Add("watch");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _ready.TrySetResult();
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
                if (LiveSupport.ListeningLine().Match(e.Data) is { Success: true } match)
                {
                    if (match.Groups[1].Value == "udp")
                    {
                        UdpPort = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        TcpPort = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    if (UdpPort > 0 && TcpPort > 0)
                    {
                        _ready.TrySetResult();
                    }
                }
            }
        };
        _process.BeginErrorReadLine();
        _stdoutDone = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                var element = JsonDocument.Parse(line).RootElement.Clone();
                lock (_all)
                {
                    _all.Add(element);
                }

                _events.Add(element);
            }

            _events.CompleteAdding();
        });
    }

    public int UdpPort { get; private set; }

    public int TcpPort { get; private set; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static WatchProcess Start(params string[] extra)
    {
        var watch = new WatchProcess(["--listen", "udp://127.0.0.1:0", "--listen", "tcp://127.0.0.1:0", .. extra]);
        if (!watch._ready.Task.Wait(TimeSpan.FromSeconds(60)) || watch.UdpPort == 0 || watch.TcpPort == 0)
        {
            watch.Dispose();
            Assert.Fail("codered watch did not start listening: " + watch.Stderr);
        }

        return watch;
    }

    /// <summary>Waits for an output line matching <paramref name="predicate"/> (lines seen before count too).</summary>
    public JsonElement WaitFor(Func<JsonElement, bool> predicate, TimeSpan? timeout = null)
    {
        lock (_all)
        {
            foreach (var seen in _all)
            {
                if (predicate(seen))
                {
                    return seen;
                }
            }
        }

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_events.TryTake(out var element, TimeSpan.FromMilliseconds(100)) && predicate(element))
            {
                return element;
            }
        }

        throw new TimeoutException("no such line from codered watch; stderr: " + Stderr);
    }

    /// <summary>SIGTERM, then every line it printed and its exit code.</summary>
    public (int ExitCode, List<JsonElement> Lines) Stop()
    {
        LiveSupport.Terminate(_process.Id);
        if (!_process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail("codered watch did not stop after SIGTERM; stderr: " + Stderr);
        }

        _process.WaitForExit();
        _stdoutDone.Wait(TimeSpan.FromSeconds(30));
        lock (_all)
        {
            return (_process.ExitCode, [.. _all]);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _events.Dispose();
    }

    /// <summary>Sends bytes over one TCP connection to the watch and closes it.</summary>
    public void SendTcp(params byte[][] chunks)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", TcpPort);
        using var stream = client.GetStream();
        foreach (var chunk in chunks)
        {
            stream.Write(chunk);
        }
    }

    public void SendUdp(byte[] datagram)
    {
        using var client = new UdpClient();
        client.Send(datagram, datagram.Length, "127.0.0.1", UdpPort);
    }
}

internal static class JsonLines
{
    public static string Event(this JsonElement e) => e.GetProperty("event").GetString()!;

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Num(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    public static JsonElement Summary(this List<JsonElement> lines) => Assert.Single(lines, l => l.Event() == "summary");

    public static Dictionary<string, JsonElement> Reports(this List<JsonElement> lines) =>
        lines.Where(l => l.Event() == "report").ToDictionary(l => l.Str("device"), StringComparer.Ordinal);
}
