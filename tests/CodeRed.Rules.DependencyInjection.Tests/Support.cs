using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using CodeRed.Rules.Evaluation;
using Microsoft.Extensions.Logging;

// Hot-reload tests measure how soon a change is seen: they run one at a time, not beside the stress test.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>The repository's folders, a temporary copy of the rules, and a log that tests can read.</summary>
internal static class Support
{
    public static string RepoRoot { get; } = typeof(Support).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string RulesDir => Path.Combine(RepoRoot, "rules");

    public static string CapturePath => Path.Combine(RepoRoot, "docs", "samples", "ar320-capture.log");

    public const string HttpLine = "HTTP ERROR No free HTTP sessions - rejecting connection from 192.168.1.20";

    /// <summary>Evidence with one CR2001 line, for an AR320.</summary>
    public static DeviceEvidence HttpEvidence { get; } = new()
    {
        Model = "AR320",
        Firmware = "2.0.4 PL 7",
        Sources = [EvidenceSource.FromText("log", HttpLine + "\n")],
    };

    public static DeviceEvidence CaptureEvidence => new() { Model = "AR320", Sources = [EvidenceSource.FromFile(CapturePath)] };

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return condition();
            }

            Thread.Sleep(20);
        }

        return true;
    }
}

/// <summary>A temporary copy of the default pack's YAML (samples excluded) and its lock, removed at dispose.</summary>
internal sealed class TempRules : IDisposable
{
    public const string Cr2001 = "CR2001/CR2001.yaml";

    public const string Lock = "rules.lock.json";

    public TempRules()
    {
        CopyPack(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "codered-di-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Folders below rules/ that hold another pack (their own pack.yaml, such as webserver/), relative, ending in '/'.</summary>
    private static readonly string[] NestedPacks = Directory.EnumerateFiles(Support.RulesDir, "pack.yaml", SearchOption.AllDirectories)
        .Select(f => System.IO.Path.GetRelativePath(Support.RulesDir, System.IO.Path.GetDirectoryName(f)!).Replace('\\', '/'))
        .Where(d => d != ".")
        .Select(d => d + "/")
        .ToArray();

    /// <summary>The files of the default pack that a copy holds, relative, in ordinal order: the lock comes last.</summary>
    public static IReadOnlyList<string> PackFiles { get; } = Directory.EnumerateFiles(Support.RulesDir, "*", SearchOption.AllDirectories)
        .Select(f => System.IO.Path.GetRelativePath(Support.RulesDir, f).Replace('\\', '/'))
        .Where(r => (r.EndsWith(".yaml", StringComparison.Ordinal) || r == Lock) && !r.Split('/').Contains("samples"))
        .Where(r => !NestedPacks.Any(n => r.StartsWith(n, StringComparison.Ordinal)))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Copies the default pack (YAML and lock) into <paramref name="destination"/>.</summary>
    public static void CopyPack(string destination)
    {
        foreach (var relative in PackFiles)
        {
            CopyFile(relative, destination);
        }
    }

    /// <summary>Copies one file of the default pack into <paramref name="destination"/>.</summary>
    public static void CopyFile(string relative, string destination)
    {
        var full = System.IO.Path.Combine(destination, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, File.ReadAllText(System.IO.Path.Combine(Support.RulesDir, relative)));
    }

    public string Read(string relative) => File.ReadAllText(System.IO.Path.Combine(Path, relative));

    /// <summary>Writes a file in place (truncate, then write), as a simple editor does.</summary>
    public void Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Replaces a file atomically: write a temporary file beside it (not *.yaml), then rename it over.</summary>
    public void Replace(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        var temporary = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every log entry, with its structured values.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public IEnumerable<Entry> Named(string eventName) => Entries.Where(e => e.EventId.Name == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            owner._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), values));
        }
    }
}

/// <summary>
/// Threads that call <c>read</c> in a loop until stopped, for the stress tests: a problem the body reports, or an
/// exception it throws, is collected in <see cref="Errors"/> for the test's assertion, never lost on a thread.
/// </summary>
internal sealed class ReaderThreads : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads;
    private long _reads;

    public ReaderThreads(int count, Action<ConcurrentQueue<string>> read)
    {
        _threads = Enumerable.Range(0, count).Select(_ => new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    read(Errors);
                    Interlocked.Increment(ref _reads);
                }
#pragma warning disable CA1031 // Every failure is collected and reported by the test's assertion.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Errors.Enqueue(e.ToString());
                }
            }
        })
        { IsBackground = true }).ToList();
        _threads.ForEach(t => t.Start());
    }

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>How many calls of the body finished.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Stops the threads and waits for them.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _threads.ForEach(t => t.Join());
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
