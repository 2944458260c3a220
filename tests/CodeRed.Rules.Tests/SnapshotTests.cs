using System.Text;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tests;

/// <summary>Session snapshots (issue 10, item 3): capture, restore elsewhere, identical final report.</summary>
public class SnapshotTests
{
    /// <summary>Feeds <paramref name="bytes"/>, capturing and restoring (through bytes, into a fresh session) at <paramref name="at"/>.</summary>
    private static string RestoredJson(RulePack pack, byte[] bytes, int at, string? model = null)
    {
        var session = EvaluationSession.Start(pack, new SessionOptions { Model = model });
        session.BeginSource("log");
        session.Write(bytes.AsSpan(0, at));
        var snapshot = SessionSnapshot.FromBytes(session.CaptureSnapshot().ToBytes());
        session.Dispose();
        using var restored = EvaluationSession.Restore([pack], snapshot);
        restored.Write(bytes.AsSpan(at));
        return SessionTests.Json(restored.Complete()[0]);
    }

    [Theory]
    [MemberData(nameof(SessionTests.Samples), MemberType = typeof(SessionTests))]
    public void Restoring_at_every_line_boundary_gives_the_batch_report(string sample)
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        foreach (var model in new[] { null, "AR320" })
        {
            var batch = SessionTests.BatchJson(bytes, model);
            var boundaries = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'\n').Select(i => i + 1).Prepend(0);
            foreach (var at in boundaries)
            {
                Assert.Equal(batch, RestoredJson(TestSupport.Pack, bytes, at, model));
            }
        }
    }

    /// <summary>The web-server pack's samples with W3C '#Fields:' headers (one changes them mid-file): the current header is session state.</summary>
    public static TheoryData<string> ColumnSamples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestSupport.Repo("rules", "webserver"), "*.log", SearchOption.AllDirectories)
            .Append(TestSupport.Repo("docs", "samples", "webserver-iis-w3c.log"))
            .Where(f => File.ReadAllText(f).Contains("#Fields:", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(TestSupport.Repo(), file).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ColumnSamples))]
    public void Restoring_a_column_header_at_every_line_boundary_gives_the_batch_report(string sample)
    {
        var pack = WebServerPackTests.WebPack;
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        var batch = SessionTests.Json(pack.Evaluate(new DeviceEvidence { Model = "IIS", Sources = [EvidenceSource.FromStream("log", new MemoryStream(bytes))] }));
        var boundaries = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'\n').Select(i => i + 1).Prepend(0);
        foreach (var at in boundaries)
        {
            Assert.Equal(batch, RestoredJson(pack, bytes, at, "IIS"));
        }
    }

    [Fact]
    public void Restoring_after_a_second_header_keeps_the_second()
    {
        // Restored right after the header that moved c-ip to the end: the next line is read with the new columns.
        var pack = WebServerPackTests.WebPack;
        var text = "#Fields: time c-ip cs-method cs-uri-stem cs-uri-query sc-status\n"
            + "01:00:00 192.0.2.1 GET /default.ida NNNNNNNNNNNNNNNNNNNNNNNN 404\n"
            + "#Fields: time cs-method cs-uri-stem cs-uri-query sc-status c-ip\n";
        var after = "02:00:00 GET /default.ida NNNNNNNNNNNNNNNNNNNNNNNN 404 192.0.2.2\n";
        var bytes = Encoding.UTF8.GetBytes(text + after);
        var restored = RestoredJson(pack, bytes, Encoding.UTF8.GetByteCount(text));
        Assert.Equal(SessionTests.Json(pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("log", new MemoryStream(bytes))] })), restored);
        Assert.Contains("192.0.2.2", restored);
        Assert.Contains("192.0.2.1", restored);
    }

    [Fact]
    public void Restoring_inside_a_line_and_between_sources_gives_the_batch_report()
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo("docs", "samples", "ar320-workaround-undone.log"));
        var batch = SessionTests.BatchJson(bytes);
        foreach (var at in Enumerable.Range(0, bytes.Length).Where(i => i % 7 == 0 || bytes[i] == (byte)'\r'))
        {
            Assert.Equal(batch, RestoredJson(TestSupport.Pack, bytes, at));
        }

        // Two sources, captured after the first ended: the finished source's findings come back whole.
        var capture = File.ReadAllText(TestSupport.Repo("docs", "samples", "ar320-capture.log"));
        var expected = SessionTests.Json(TestSupport.Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("a", capture), EvidenceSource.FromText("b", capture)] }));
        var session = EvaluationSession.Start(TestSupport.Pack);
        session.BeginSource("a");
        session.Write(Encoding.UTF8.GetBytes(capture));
        session.EndSource();
        using var restored = EvaluationSession.Restore([TestSupport.Pack], session.CaptureSnapshot());
        restored.BeginSource("b");
        restored.Write(Encoding.UTF8.GetBytes(capture));
        Assert.Equal(expected, SessionTests.Json(restored.Complete()[0]));
    }

    [Fact]
    public void Counted_state_survives_a_restore()
    {
        var pack = RulePack.LoadFrom(TestSupport.Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "engine2"));
        var log = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 12).Select(i =>
            $"10.0.0.{i % 3} - - [02/Aug/2001:06:{i:D2}:38 -0400] \"GET /default.ida?NNNN HTTP/1.0\" 500 -\n" + (i == 4 ? "server restarted\n" : "") + (i % 4 == 0 ? "worm-signature\n" : ""))));
        var batch = SessionTests.Json(pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("log", new MemoryStream(log))] }));
        Assert.Contains("EX2001", batch);
        Assert.Contains("EX2003", batch);
        foreach (var at in Enumerable.Range(0, log.Length).Where(i => log[i] == (byte)'\n').Select(i => i + 1))
        {
            Assert.Equal(batch, RestoredJson(pack, log, at));
        }
    }

    [Fact]
    public void A_snapshot_restores_only_on_the_same_packs_and_bad_bytes_are_refused()
    {
        using var session = EvaluationSession.Start(TestSupport.Pack);
        session.WriteLine("hello");
        var snapshot = session.CaptureSnapshot();
        Assert.Equal(SessionSnapshot.CurrentFormatVersion, snapshot.FormatVersion);
        Assert.Equal(TestSupport.Pack.Identity, Assert.Single(snapshot.Packs));
        var other = SessionTests.OtherPack();
        var error = Assert.Throws<ArgumentException>(() => EvaluationSession.Restore([other], snapshot));
        Assert.Contains(TestSupport.Pack.Identity.Sha256, error.Message);
        Assert.Throws<FormatException>(() => SessionSnapshot.FromBytes("not json"u8));
        Assert.Throws<FormatException>(() => SessionSnapshot.FromBytes(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(snapshot.ToBytes()).Replace($"\"formatVersion\":{SessionSnapshot.CurrentFormatVersion}", "\"formatVersion\":99"))));
    }
}
