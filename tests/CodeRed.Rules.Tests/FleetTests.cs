using System.Text.Json;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary><c>codered analyze DIR</c>: many captures in parallel, one report per input, in a deterministic order.</summary>
public class FleetTests
{
    [Fact]
    public void Ten_thousand_captures_are_each_reported_once_in_input_order()
    {
        using var dir = new TempDir();
        const int Count = 10_000;
        for (var i = 0; i < Count; i++)
        {
            var text = (i % 7) switch
            {
                0 => $"r{i} HTTP ERROR No free HTTP sessions - rejecting connection from 10.{i / 256 % 256}.{i % 256}.1\n",
                1 => "REST CRASH Router startup, ver 1.9.1-00, 01-Mar-2000\nEXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056\n",
                _ => $"r{i} IP INFO nothing to see\n",
            };
            dir.Write(Path.Combine($"site{i % 10}", $"router-{i:D5}.log"), text);
        }

        var first = RunCli(["analyze", "--format", "jsonl", dir.Path]);
        Assert.Equal(1, first.ExitCode);
        var lines = first.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Count, lines.Length);

        var sources = lines.Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.GetProperty("sources")[0].GetProperty("name").GetString()!;
        }).ToList();
        Assert.Equal(Count, sources.Distinct().Count());
        Assert.Equal(sources.Order(StringComparer.Ordinal), sources);

        var http = lines.Count(l => l.Contains("\"CR2001\"", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, Count).Count(i => i % 7 == 0), http);
        Assert.Equal(first.Stdout, RunCli(["analyze", "--format", "jsonl", dir.Path]).Stdout); // deterministic
        Assert.Equal("", first.Stderr); // no progress bar when stderr is not a terminal
    }

    [Fact]
    public void Each_flag_gives_one_report_per_file_and_text_lists_verdicts()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.log", "DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var b = dir.Write("b.log", "quiet\n");
        var r = RunCli(["analyze", "--each", "--model", "AR720", "--firmware", "2.0.7 PL 4", a, b]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([$"{a}: at-risk CR2002", $"{b}: ok"], r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(RunCli(["analyze", "--each", "--format", "json", a, b]).Stdout);
        Assert.Equal(2, json.RootElement.GetArrayLength());
    }

    [Fact]
    public void Progress_goes_to_stderr_only_when_it_is_a_terminal()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 60; i++)
        {
            dir.Write($"r{i:D2}.log", "quiet\n");
        }

        using var input = new MemoryStream();
        using var output = new MemoryStream();
        var error = new StringWriter();
        Cli.CliApp.Run(["analyze", dir.Path], input, output, error, stderrIsTerminal: true);
        Assert.Contains("60/60", error.ToString());
    }
}
