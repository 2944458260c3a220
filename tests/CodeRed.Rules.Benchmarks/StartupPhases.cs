using System.Diagnostics;
using System.Runtime;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;

namespace CodeRed.Rules.Benchmarks;

/// <summary>
/// Where a JIT process's time and memory go, phase by phase, in one process: loading the default pack, the first
/// evaluation of FILE, the text and JSON reports, and a second evaluation of the same file (everything compiled by
/// then, so the difference between the two evaluations is the cost of compiling, not of scanning). Per phase: elapsed
/// and CPU time, methods compiled by the JIT and the JIT's own time (<see cref="JitInfo"/>), GC heap and working set;
/// with SMAPS=1 the largest resident mappings after loading and at the end. A diagnostic, not a benchmark: run it as
/// `DOTNET_TieredPGO=0 dotnet CodeRed.Rules.Benchmarks.dll phases FILE [MODEL]` (the CLI turns dynamic PGO off too);
/// RULES=DIR loads that pack instead of the default one (a pack of 10,000 rules: what loading costs per rule).
/// </summary>
internal static class StartupPhases
{
    public static int Run(string file, string? model)
    {
        var process = Process.GetCurrentProcess();
        Console.Error.WriteLine($"to Main       {(DateTime.Now - process.StartTime).TotalMilliseconds,7:F1} ms elapsed, jit {JitInfo.GetCompiledMethodCount(),5} methods {JitInfo.GetCompilationTime().TotalMilliseconds,6:F1} ms");
        var clock = Stopwatch.StartNew();
        var (lastElapsed, lastCpu, lastMethods, lastJit) = (0.0, Cpu(), JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime().TotalMilliseconds);

        void Mark(string phase)
        {
            var (elapsed, cpu, methods, jit) = (clock.Elapsed.TotalMilliseconds, Cpu(), JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime().TotalMilliseconds);
            Console.Error.WriteLine($"{phase,-13} {elapsed - lastElapsed,7:F1} ms elapsed {cpu - lastCpu,7:F1} ms CPU, jit {methods - lastMethods,5} methods {jit - lastJit,6:F1} ms; GC heap {GC.GetTotalMemory(false) / 1048576.0,5:F1} MB, allocated {GC.GetTotalAllocatedBytes(true) / 1048576.0,6:F1} MB, working set {Environment.WorkingSet / 1048576.0,5:F1} MB");
            (lastElapsed, lastCpu, lastMethods, lastJit) = (elapsed, cpu, methods, jit);
        }

        var pack = Environment.GetEnvironmentVariable("RULES") is { Length: > 0 } rules ? RulePack.LoadFrom(rules) : RulePack.Default;
        Mark("load");
        Mappings();
        var report = pack.Evaluate(new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromFile(file)] });
        Mark("evaluate");
        using (var text = new StreamWriter(Stream.Null))
        {
            TextReportWriter.Write(text, [report]);
        }

        Mark("text report");
        JsonReportWriter.Write(Stream.Null, [report]);
        Mark("json report");
        _ = pack.Evaluate(new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromFile(file)] });
        Mark("evaluate again");
        Mappings();
        var gc = GC.GetGCMemoryInfo();
        process.Refresh();
        Console.Error.WriteLine($"GC: heap {gc.HeapSizeBytes / 1048576.0:F1} MB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MB, collections gen0 {GC.CollectionCount(0)} gen1 {GC.CollectionCount(1)} gen2 {GC.CollectionCount(2)}; peak working set {process.PeakWorkingSet64 / 1048576.0:F1} MB");
        return 0;
    }

    private static double Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    // Resident memory per mapping (/proc/self/smaps, Linux), largest first: the runtime's share against the scan's.
    private static void Mappings()
    {
        if (Environment.GetEnvironmentVariable("SMAPS") is null || !File.Exists("/proc/self/smaps"))
        {
            return;
        }

        var resident = new Dictionary<string, long>();
        var current = "";
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-') && !parts[0].EndsWith(':'))
            {
                current = parts.Length >= 6 ? parts[5] : "[anonymous]";
            }
            else if (parts is ["Rss:", var kb, ..])
            {
                resident[current] = resident.GetValueOrDefault(current) + long.Parse(kb);
            }
        }

        foreach (var (name, kb) in resident.OrderByDescending(r => r.Value).Take(16))
        {
            Console.Error.WriteLine($"  {kb / 1024.0,6:F1} MB {name}");
        }

        Console.Error.WriteLine($"  {resident.Values.Sum() / 1024.0,6:F1} MB in all");
    }
}
