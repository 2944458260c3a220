using BenchmarkDotNet.Running;
using CodeRed.Rules.Benchmarks;

// generate FILE MIB [SEED]: writes the synthetic log; real SAMPLE FILE MIB SEED TRUTH and adversarial FILE MIB SEED
// TRUTH: the corpora of Corpora.cs with their true counts; patterns FILE: writes the grep patterns;
// counts REPORT.json: prints "ID COUNT" per diagnostic of a codered JSON report; phases FILE [MODEL]: where a JIT
// process's time and memory go (StartupPhases.cs); literals FILE: what the prefilter searches for and finds in FILE
// (LiteralStats.cs); else BenchmarkDotNet.
switch (args)
{
    case ["generate", var file, var mib, ..]:
        using (var stream = File.Create(file))
        {
            SyntheticLog.Write(stream, long.Parse(mib) * 1024 * 1024, args.Length > 3 ? int.Parse(args[3]) : 2001);
        }

        return 0;
    case ["real", var sample, var file, var mib, var seed, var truth]:
        using (var stream = File.Create(file))
        using (var truthFile = File.CreateText(truth))
        {
            Corpora.WriteReal(sample, stream, long.Parse(mib) * 1024 * 1024, int.Parse(seed), truthFile);
        }

        return 0;
    case ["adversarial", var file, var mib, var seed, var truth]:
        using (var stream = File.Create(file))
        using (var truthFile = File.CreateText(truth))
        {
            Corpora.WriteAdversarial(stream, long.Parse(mib) * 1024 * 1024, int.Parse(seed), truthFile);
        }

        return 0;
    case ["patterns", var file]:
        File.WriteAllLines(file, SyntheticLog.GrepPatterns);
        return 0;
    case ["counts", var report]:
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report)))
        {
            foreach (var d in doc.RootElement.GetProperty("diagnostics").EnumerateArray())
            {
                Console.WriteLine($"{d.GetProperty("id").GetString()} {d.GetProperty("count").GetInt32()}");
            }
        }

        return 0;
    case ["literals", var file]:
        return LiteralStats.Run(file);
    case ["phases", var file, ..]:
        return StartupPhases.Run(file, args.Length > 2 ? args[2] : null);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(SyntheticLog).Assembly).Run(args);
        return 0;
}
