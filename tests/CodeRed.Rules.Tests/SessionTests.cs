using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CodeRed.Rules.Tests;

/// <summary>Evaluation sessions (issue 10, item 3): push evidence in any chunking, see findings as they fire, same final report as batch.</summary>
public class SessionTests
{
    /// <summary>Every sample of the default pack and the documented sample logs.</summary>
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in SampleFiles())
        {
            data.Add(file);
        }

        return data;
    }

    internal static string[] SampleFiles() =>
        Directory.EnumerateFiles(TestSupport.RulesDir, "*", SearchOption.AllDirectories)
                     .Where(f => f.Split(Path.DirectorySeparatorChar).Contains("samples") && !f.EndsWith(".yaml", StringComparison.Ordinal))
                     .Concat(Directory.EnumerateFiles(TestSupport.Repo("docs", "samples"), "*.log"))
                     .Order(StringComparer.Ordinal)
            .Select(file => Path.GetRelativePath(TestSupport.RepoRoot, file))
            .ToArray();

    internal static string Json(AnalysisReport report)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.Write(stream, report);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static string BatchJson(byte[] bytes, string? model = null) =>
        Json(TestSupport.Pack.Evaluate(new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromStream("log", new MemoryStream(bytes))] }));

    internal static string SessionJson(byte[] bytes, IEnumerable<int> cuts, string? model = null)
    {
        using var session = EvaluationSession.Start(TestSupport.Pack, new SessionOptions { Model = model });
        session.BeginSource("log");
        var at = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < bytes.Length).Order().Distinct().Append(bytes.Length))
        {
            session.Write(bytes.AsSpan(at, cut - at));
            at = cut;
        }

        return Json(session.Complete()[0]);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_session_fed_one_byte_at_a_time_gives_the_batch_report(string sample)
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        Assert.Equal(BatchJson(bytes, "AR320"), SessionJson(bytes, Enumerable.Range(1, bytes.Length), "AR320"));
        Assert.Equal(BatchJson(bytes), SessionJson(bytes, []));
    }

    [Property(MaxTest = 60)]
    public Property Random_chunking_gives_the_batch_report()
    {
        var samples = SampleFiles();
        var gen = from index in Gen.Choose(0, samples.Length - 1)
                  from cuts in Gen.ListOf(Gen.Choose(1, 4096))
                  from crlf in Gen.Elements(false, true)
                  select (samples[index], cuts.ToArray(), crlf);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var bytes = File.ReadAllBytes(TestSupport.Repo(c.Item1));
            if (c.Item3)
            {
                // CRLF line ends: a chunk that ends between CR and LF must not make an empty line.
                bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n").Replace("\n", "\r\n"));
            }

            var cuts = c.Item2.Select(x => x % Math.Max(bytes.Length, 1)).ToArray();
            return BatchJson(bytes) == SessionJson(bytes, cuts);
        });
    }

    [Fact]
    public void Multi_byte_characters_split_across_writes_are_decoded_whole()
    {
        var text = "ルータ: Code Red HTTP ERROR from 10.0.0.1\n日本語 ok\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var split in Enumerable.Range(1, bytes.Length - 1))
        {
            Assert.Equal(BatchJson(bytes), SessionJson(bytes, [split]));
        }
    }

    [Fact]
    public void Utf16_with_a_byte_order_mark_is_decoded_across_writes()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(File.ReadAllText(TestSupport.Repo("docs", "samples", "ar320-capture.log")))).ToArray();
        var batch = BatchJson(bytes);
        Assert.Equal(batch, SessionJson(bytes, Enumerable.Range(1, 200).Select(i => i * 7)));
        Assert.Equal(batch, SessionJson(bytes, [1, 3]));
    }

    [Fact]
    public void Findings_are_raised_as_lines_arrive_and_the_report_is_there_at_any_moment()
    {
        using var session = EvaluationSession.Start(TestSupport.Pack);
        var events = new List<SessionEvent>();
        session.EventRaised += (_, e) => events.Add(e);
        var lines = File.ReadAllLines(TestSupport.Repo("docs", "samples", "ar320-capture.log"));
        session.BeginSource("capture");
        var findingsBefore = 0;
        foreach (var line in lines)
        {
            session.WriteLine(line);
            var findings = events.Count(e => e.Kind == SessionEventKind.Finding);
            if (findings > findingsBefore)
            {
                // The report at this moment already holds the finding just raised.
                var last = events.Last(e => e.Kind == SessionEventKind.Finding).Diagnostic!;
                Assert.Contains(session.GetReport().Diagnostics, d => d.Id == last.Id);
                findingsBefore = findings;
            }
        }

        Assert.NotEmpty(events);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var final = session.Complete()[0];
        Assert.Equal(Json(TestSupport.Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("capture", string.Join("\n", lines) + "\n")] })), Json(final));

        // Each reported finding was raised once; the last verdict event says the final verdict.
        Assert.Equal(final.Diagnostics.Select(d => d.Id).Order(), events.Where(e => e.Kind == SessionEventKind.Finding).Select(e => e.Diagnostic!.Id).Order());
        Assert.Equal(final.Verdict.Word, events.Last(e => e.Kind == SessionEventKind.VerdictChanged).Verdict!.Word);
    }

    [Fact]
    public async Task A_finding_arrives_while_the_pipe_is_still_open()
    {
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        using var session = EvaluationSession.Start(TestSupport.Pack);
        var first = new TaskCompletionSource<SessionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.EventRaised += (_, e) =>
        {
            if (e.Kind == SessionEventKind.Finding)
            {
                first.TrySetResult(e);
            }
        };
        session.BeginSource("-");
        var reading = Task.Run(() => session.WriteAsync(reader));
        var signature = File.ReadAllLines(TestSupport.Repo("rules", "CR2001", "samples", "positive", "syslog-with-columns.log"))[0];
        await pipe.WriteAsync(Encoding.UTF8.GetBytes("a quiet line\n"));
        await Task.Delay(100);
        await pipe.WriteAsync(Encoding.UTF8.GetBytes(signature + "\n"));
        await pipe.FlushAsync();
        var seen = await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(reading.IsCompleted, "the pipe is still open, so reading goes on");
        Assert.Equal(2, seen.Diagnostic!.Line);
        pipe.Dispose();
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(session.Complete()[0].Diagnostics, d => d.Id == seen.Diagnostic.Id);
    }

    [Fact]
    public async Task Events_can_be_read_as_an_async_stream()
    {
        using var session = EvaluationSession.Start(TestSupport.Pack);
        var events = session.ReadEventsAsync();
        session.Write(File.ReadAllBytes(TestSupport.Repo("docs", "samples", "ar320-capture.log")));
        var final = session.Complete()[0];
        var read = new List<SessionEvent>();
        await foreach (var e in events)
        {
            read.Add(e);
        }

        Assert.Equal(final.Diagnostics.Count, read.Count(e => e.Kind == SessionEventKind.Finding));
        Assert.Equal(EvaluationSession.DefaultSourceName, final.SourcesRead.Single().Name);
    }

    [Fact]
    public async Task EvaluateAsync_reads_a_stream_and_honours_cancellation()
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo("docs", "samples", "ar320-capture.log"));
        var reports = await EvaluationSession.EvaluateAsync([TestSupport.Pack], new MemoryStream(bytes), "log");
        Assert.Equal(BatchJson(bytes), Json(reports[0]));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => EvaluationSession.EvaluateAsync([TestSupport.Pack], new MemoryStream(bytes), cancellationToken: cancelled.Token));
    }

    internal static RulePack OtherPack(string id = "test.other", string rule = TestSupport.MinimalRule) => RulePack.LoadFromTexts([
        new("pack.yaml", $$"""
            kind: pack
            schemaVersion: 1
            id: {{id}}
            version: 1.0.0
            title: t
            advisory: { title: t, firstEdition: 2020-01-01 }
            verdicts:
              error: { word: e, text: e }
              warning: { word: w, text: w }
              info: { word: i, text: i }
              none: { word: n, text: n }
            """),
        new("rule.yaml", rule),
    ]);

    [Fact]
    public void Several_packs_read_each_line_once_and_each_gives_its_report()
    {
        var other = OtherPack();
        var text = File.ReadAllText(TestSupport.Repo("docs", "samples", "ar320-capture.log")) + "hello there\n";
        using var session = EvaluationSession.Start([TestSupport.Pack, other]);
        session.BeginSource("log");
        session.Write(Encoding.UTF8.GetBytes(text));
        var reports = session.Complete();
        Assert.Equal(2, reports.Count);
        Assert.Equal(Json(TestSupport.EvaluateLog(text)), Json(reports[0]));
        Assert.Equal(Json(other.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("log", text)] })), Json(reports[1]));
        Assert.Contains(reports[1].Diagnostics, d => d.Id == "CR9001");

        var clash = OtherPack("test.clash", TestSupport.MinimalRule.Replace("CR9001", "CR2001"));
        var error = Assert.Throws<ArgumentException>(() => EvaluationSession.Start([TestSupport.Pack, clash]));
        Assert.Contains("CR2001", error.Message);
    }

    [Fact]
    public void Writing_after_completion_is_refused()
    {
        using var session = EvaluationSession.Start(TestSupport.Pack);
        session.WriteLine("x");
        var report = session.Complete();
        Assert.Same(report, session.Complete());
        Assert.Throws<InvalidOperationException>(() => session.WriteLine("y"));
    }
}
