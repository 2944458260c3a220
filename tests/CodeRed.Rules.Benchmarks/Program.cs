using BenchmarkDotNet.Running;
using CodeRed.Rules.Benchmarks;

// generate FILE MIB [SEED]: writes the synthetic log; patterns FILE: writes the grep patterns; else BenchmarkDotNet.
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
    default:
        BenchmarkSwitcher.FromAssembly(typeof(SyntheticLog).Assembly).Run(args);
        return 0;
}
