using BenchmarkDotNet.Running;
using CodeRed.Rules.Benchmarks;

// generate FILE MIB [SEED]: writes the synthetic log; patterns FILE: writes the grep patterns;
// counts REPORT.json: prints "ID COUNT" per diagnostic of a codered JSON report; else BenchmarkDotNet.
switch (args)
{
    case ["generate", var file, var mib, ..]:
        using (var stream = File.Create(file))
        {
            SyntheticLog.Write(stream, long.Parse(mib) * 1024 * 1024, args.Length > 3 ? int.Parse(args[3]) : 2001);
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
    default:
        BenchmarkSwitcher.FromAssembly(typeof(SyntheticLog).Assembly).Run(args);
        return 0;
}
