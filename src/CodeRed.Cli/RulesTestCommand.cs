using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using CodeRed.Rules;

namespace CodeRed.Cli;

/// <summary>
/// <c>codered rules test [PATH]</c>: runs every sample of the rules directory (default <c>rules</c>) and prints one
/// line per sample and a summary. Exit codes: 0 every sample held; 1 a sample failed, or there was nothing to test;
/// 2 usage error, invalid pack or invalid sample files.
/// </summary>
internal static class RulesTestCommand
{
    public const string Usage = "codered rules test [PATH]";

    public static int Run(Invocation invocation, Options options)
    {
        var (output, stderr, args) = (invocation.Output, invocation.Stderr, options.Positional);
        if (args.Count > 1)
        {
            throw new UsageException($"'rules test' takes at most one PATH, the rule directory: {Usage}");
        }

        var path = args.Count == 1 ? args[0] : "rules";
        if (!Directory.Exists(path))
        {
            throw new UsageException($"'rules test' needs the rule directory (samples live beside the rule files), and '{path}' is not a directory");
        }

        var pack = RulePack.LoadFrom(path);
        var layout = SampleLayout.Read(pack, path);
        foreach (var warning in layout.Problems.Where(p => p.Severity == ProblemSeverity.Warning))
        {
            stderr.WriteLine("  " + warning);
        }

        if (layout.Problems.Any(p => p.Severity == ProblemSeverity.Error))
        {
            throw new RulePackException(layout.Problems.Where(p => p.Severity == ProblemSeverity.Error).ToList());
        }

        var results = SampleTester.Run(pack, layout);
        foreach (var result in results)
        {
            var kind = result.Sample.Kind == SampleKind.Positive ? "positive" : "negative";
            output.WriteLine($"{(result.Passed ? "pass" : "FAIL")}  {result.Sample.RuleId} {kind} {result.Sample.Name}: {result.Detail}");
        }

        var untested = pack.Rules.Where(r => !layout.Of(r.Id).Any()).Select(r => r.Id).ToArray();
        if (untested.Length > 0)
        {
            output.WriteLine($"no samples for {string.Join(", ", untested)} (looked in {string.Join(", ", untested.Take(3).Select(id => layout.FolderOf(id) + "/"))}{(untested.Length > 3 ? ", ..." : "")})");
        }

        var failed = results.Where(r => !r.Passed).ToArray();
        output.WriteLine($"{results.Count} sample(s) of {pack.Rules.Count - untested.Length} rule(s): {results.Count - failed.Length} passed, {failed.Length} failed");
        foreach (var failure in failed)
        {
            stderr.WriteLine($"codered: rule {failure.Sample.RuleId}: {(failure.Sample.Kind == SampleKind.Positive ? "positive" : "negative")} sample {failure.Sample.Name} failed: {failure.Detail}");
        }

        if (results.Count == 0)
        {
            stderr.WriteLine($"codered: no samples found under '{path}': nothing was tested");
            return CliApp.Findings;
        }

        return failed.Length > 0 ? CliApp.Findings : CliApp.Clean;
    }
}
