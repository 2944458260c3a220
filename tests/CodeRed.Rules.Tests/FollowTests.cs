using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace CodeRed.Rules.Tests;

/// <summary><c>codered analyze --follow</c> (issue 10, item 7): findings as JSON lines while the input is still open.</summary>
public class FollowTests
{
    private static readonly string Signature = File.ReadAllLines(TestSupport.Repo("rules", "CR2001", "samples", "positive", "syslog-with-columns.log"))[0];

    private static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "codered.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start)!;
    }

    private static async Task<string> LineWithin(StreamReader reader, TimeSpan timeout) =>
        await reader.ReadLineAsync().WaitAsync(timeout) ?? throw new InvalidOperationException("standard output ended");

    [Fact]
    public async Task A_finding_line_arrives_before_standard_input_closes_and_the_report_is_the_last_line()
    {
        using var process = StartCli("analyze", "--follow", "--format", "jsonl", "--model", "AR320");
        try
        {
            var stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("2001 Aug  2 10:11:01 IP    INFO  quiet\n"));
            await stdin.FlushAsync();
            await Task.Delay(200);
            // The signature line in two pieces: nothing fires before its end arrives.
            var bytes = Encoding.UTF8.GetBytes(Signature + "\n");
            await stdin.WriteAsync(bytes.AsMemory(0, 10));
            await stdin.FlushAsync();
            await Task.Delay(200);
            await stdin.WriteAsync(bytes.AsMemory(10));
            await stdin.FlushAsync();

            var lines = new List<JsonElement>();
            while (true)
            {
                using var doc = JsonDocument.Parse(await LineWithin(process.StandardOutput, TimeSpan.FromSeconds(60)));
                lines.Add(doc.RootElement.Clone());
                if (doc.RootElement.GetProperty("event").GetString() == "finding" && doc.RootElement.GetProperty("diagnostic").GetProperty("id").GetString() == "CR2001")
                {
                    break;
                }
            }

            Assert.False(process.HasExited, "standard input is still open");
            var finding = lines[^1].GetProperty("diagnostic");
            Assert.Equal(2, finding.GetProperty("line").GetInt32());
            // The verdict the finding changed follows it (after the device rules' findings, the first time), still before input ends.
            while (true)
            {
                using var next = JsonDocument.Parse(await LineWithin(process.StandardOutput, TimeSpan.FromSeconds(60)));
                if (next.RootElement.GetProperty("event").GetString() == "verdict")
                {
                    break;
                }

                Assert.Equal("finding", next.RootElement.GetProperty("event").GetString());
            }

            process.StandardInput.Close();
            var rest = (await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60))).TrimEnd('\n').Split('\n');
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1, process.ExitCode);

            // The last line is the batch report, on one line.
            var batch = TestSupport.RunCli(["analyze", "--format", "jsonl", "--model", "AR320", "-"], Encoding.UTF8.GetBytes("2001 Aug  2 10:11:01 IP    INFO  quiet\n" + Signature + "\n"));
            Assert.Equal(batch.Stdout.TrimEnd('\n'), rest[^1]);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public void Without_a_live_input_the_events_come_first_and_the_report_last()
    {
        var log = Encoding.UTF8.GetBytes(File.ReadAllText(TestSupport.Repo("docs", "samples", "ar320-capture.log")));
        var follow = TestSupport.RunCli(["analyze", "--follow", "--format", "jsonl", "-"], log);
        var batch = TestSupport.RunCli(["analyze", "--format", "jsonl", "-"], log);
        var lines = follow.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(batch.ExitCode, follow.ExitCode);
        Assert.Equal(batch.Stdout.TrimEnd('\n'), lines[^1]);
        var events = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.All(events, e => Assert.Contains(e.GetProperty("event").GetString(), new[] { "finding", "verdict" }));
        using var report = JsonDocument.Parse(lines[^1]);
        Assert.Equal(report.RootElement.GetProperty("diagnostics").GetArrayLength(), events.Count(e => e.GetProperty("event").GetString() == "finding"));
        Assert.Equal(report.RootElement.GetProperty("verdict").GetString(), events.Last(e => e.GetProperty("event").GetString() == "verdict").GetProperty("verdict").GetString());

        var text = TestSupport.RunCli(["analyze", "--follow", "-"], log);
        Assert.Equal(TestSupport.RunCli(["analyze", "-"], log).Stdout, text.Stdout);

        var usage = TestSupport.RunCli(["analyze", "--follow", "a.log", "b.log"]);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--follow", usage.Stderr);
    }

    [LinuxFact]
    public async Task A_followed_file_is_read_as_it_grows_starts_over_when_truncated_and_SIGTERM_ends_with_the_report()
    {
        using var dir = new TestSupport.TempDir();
        var path = dir.Write("router.log", "2001 Aug  2 10:11:01 IP    INFO  quiet\n");
        using var process = StartCli("analyze", "--follow", "--format", "jsonl", path);
        try
        {
            await Task.Delay(500);
            await File.AppendAllTextAsync(path, Signature + "\n");
            var line = await LineWithin(process.StandardOutput, TimeSpan.FromSeconds(60));
            while (!line.Contains("\"finding\"", StringComparison.Ordinal))
            {
                line = await LineWithin(process.StandardOutput, TimeSpan.FromSeconds(60));
            }

            Assert.Contains("CR2001", line);
            await File.WriteAllTextAsync(path, "quiet\n"); // truncated: the report starts over
            var stderr = process.StandardError;
            var message = await LineWithin(stderr, TimeSpan.FromSeconds(60));
            Assert.Contains("truncated", message);

            // The report started over: the signature written after the truncation is a finding again, at line 2.
            await File.AppendAllTextAsync(path, Signature + "\n");
            do
            {
                line = await LineWithin(process.StandardOutput, TimeSpan.FromSeconds(60));
            }
            while (!line.Contains("\"finding\"", StringComparison.Ordinal) || !line.Contains("CR2001", StringComparison.Ordinal));

            Assert.Contains("\"line\":2", line);
            ProcessSupport.Shell($"kill -TERM {process.Id}");
            var rest = (await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60))).TrimEnd('\n').Split('\n');
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            using var report = JsonDocument.Parse(rest[^1]);
            Assert.Equal(2, report.RootElement.GetProperty("sources")[0].GetProperty("lines").GetInt32());
            Assert.Equal(2, report.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "CR2001").GetProperty("line").GetInt32());
            Assert.Equal(1, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
