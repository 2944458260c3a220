using System.Text;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 10, item 3: snapshots of sessions that keep evidence in context and of sources decoded from UTF-16 and UTF-32,
/// taken at any byte (a code unit or a surrogate pair split across writes), restore to identical final reports; and
/// snapshots written by the previous format still restore.
/// </summary>
public class SnapshotEverywhereTests
{
    public static TheoryData<string, int> EncodingsAndContext()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "utf-16le", "utf-16be", "utf-32le", "utf-32be" })
        {
            foreach (var context in new[] { 0, 2 })
            {
                data.Add(name, context);
            }
        }

        return data;
    }

    private static Encoding Named(string name) => name switch
    {
        "utf-16le" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
        "utf-16be" => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        "utf-32le" => new UTF32Encoding(bigEndian: false, byteOrderMark: true),
        _ => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
    };

    /// <summary>A sample with a record, a section, remediation commands and characters outside the BMP (surrogate pairs in UTF-16).</summary>
    private static string Text() =>
        File.ReadAllText(TestSupport.Repo("docs", "samples", "ar320-workaround-undone.log"))
        + "\U0001F600 ルータ \U0001F4A5\r\n"
        + File.ReadAllText(TestSupport.Repo("rules", "CR2003", "samples", "positive", "show-tcp-flood.log"))
        + "last line without its end \U0001F600";

    /// <summary>Feeds the bytes, capturing (through bytes) and restoring into a fresh session at <paramref name="at"/>.</summary>
    private static string Restored(byte[] bytes, int at, int contextLines, Encoding? asked = null, RulePack? pack = null)
    {
        pack ??= TestSupport.Pack;
        var options = new SessionOptions { Evaluation = SessionReports.Options(contextLines) };
        var session = EvaluationSession.Start(pack, options);
        session.BeginSource("log", asked);
        session.Write(bytes.AsSpan(0, at));
        var snapshot = SessionSnapshot.FromBytes(session.CaptureSnapshot().ToBytes());
        session.Dispose();
        using var restored = EvaluationSession.Restore([pack], snapshot, options);
        restored.Write(bytes.AsSpan(at));
        return SessionReports.Render(restored.Complete()[0], contextLines);
    }

    /// <summary>
    /// Decoded sources of a pack with a literal that is not ASCII: UTF-16 (a surrogate pair split across writes) and
    /// EBCDIC 037 (single-byte, not ASCII-compatible: decoded before searching) restore at every byte.
    /// </summary>
    [Theory]
    [InlineData("utf-16le")]
    [InlineData("IBM037")]
    public void A_decoded_source_restores_at_every_byte(string name)
    {
        var pack = SessionTests.OtherPack(rule: TestSupport.MinimalRule.Replace("literal: hello", "literal: café", StringComparison.Ordinal));
        var encoding = name == "utf-16le" ? Named(name) : Encoding.GetEncoding(name);
        var text = string.Concat(Enumerable.Range(0, 6).Select(i => $"line {i}: ルータ \U0001F600 {(i % 2 == 0 ? "café" : "cafe")} ñ\n")) + "café at the end";
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();
        var asked = name == "IBM037" ? encoding : null;
        var batch = SessionReports.Batch(pack, bytes, bytes.Length, 0, asked);
        Assert.Contains("CR9001", batch);
        for (var at = 0; at <= bytes.Length; at++)
        {
            Assert.True(batch == Restored(bytes, at, 0, asked, pack), $"{name}: restored at byte {at} of {bytes.Length}");
        }
    }

    /// <summary>A multi-byte encoding that is not ASCII-compatible and not UTF-16 or UTF-32 (as UTF-7 is): its decoder's state is unknown.</summary>
    private sealed class OtherWideEncoding() : Encoding(0)
    {
        public override string WebName => "x-other-wide";

        public override int GetByteCount(char[] chars, int index, int count) => Unicode.GetByteCount(chars, index, count);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex) => Unicode.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

        public override int GetCharCount(byte[] bytes, int index, int count) => Unicode.GetCharCount(bytes, index, count);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) => Unicode.GetChars(bytes, byteIndex, byteCount, chars, charIndex);

        public override int GetMaxByteCount(int charCount) => Unicode.GetMaxByteCount(charCount);

        public override int GetMaxCharCount(int byteCount) => Unicode.GetMaxCharCount(byteCount);
    }

    [Fact]
    public void A_decoder_whose_state_is_unknown_is_refused_and_the_report_at_any_moment_still_comes()
    {
        var bytes = Encoding.Unicode.GetBytes("03 09:31:02   3 HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45\nrest");
        using var session = EvaluationSession.Start(TestSupport.Pack);
        session.BeginSource("log", new OtherWideEncoding());
        session.Write(bytes);
        var error = Assert.Throws<InvalidOperationException>(() => session.CaptureSnapshot());
        Assert.Contains("x-other-wide", error.Message, StringComparison.Ordinal);
        Assert.Contains(session.GetReport().Diagnostics, d => d.Id == "CR2001");
    }

    [Theory]
    [MemberData(nameof(EncodingsAndContext))]
    public void Restoring_a_wide_encoding_at_every_line_boundary_and_at_random_bytes_gives_the_batch_report(string name, int contextLines)
    {
        var encoding = Named(name);
        var text = Text();
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();
        var batch = SessionReports.Batch(TestSupport.Pack, bytes, bytes.Length, contextLines);
        Assert.Contains("CR2003", batch);
        var preamble = encoding.GetPreamble().Length;
        var lineBoundaries = Enumerable.Range(0, text.Length).Where(i => text[i] == '\n').Select(i => preamble + encoding.GetByteCount(text.AsSpan(0, i + 1))).Prepend(0);
        var random = new Random(20011019 + contextLines);
        var randomBytes = Enumerable.Range(0, 150).Select(_ => random.Next(bytes.Length + 1));
        var emoji = preamble + encoding.GetByteCount(text.AsSpan(0, text.IndexOf("\U0001F600", StringComparison.Ordinal)));
        var insideSurrogatePair = Enumerable.Range(emoji, 5); // every byte of the first astral character and the one after
        foreach (var at in lineBoundaries.Concat(randomBytes).Concat(insideSurrogatePair).Concat([1, 2, 3, bytes.Length]).Distinct())
        {
            Assert.True(batch == Restored(bytes, at, contextLines), $"{name}, context {contextLines}: restored at byte {at} of {bytes.Length}");
        }
    }

    [Fact]
    public void A_wide_encoding_asked_for_without_a_byte_order_mark_restores_at_any_byte()
    {
        var encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
        var bytes = encoding.GetBytes(Text());
        var batch = SessionReports.Batch(TestSupport.Pack, bytes, bytes.Length, 0, encoding);
        for (var at = 0; at <= bytes.Length; at += 13)
        {
            Assert.True(batch == Restored(bytes, at, 0, encoding), $"restored at byte {at}");
        }
    }

    [Theory]
    [MemberData(nameof(SessionTests.Samples), MemberType = typeof(SessionTests))]
    public void Restoring_with_context_lines_at_every_line_boundary_gives_the_batch_report(string sample)
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        var pack = SessionReports.PackFor(sample);
        var options = new SessionOptions { Evaluation = SessionReports.Options(2) };
        var batch = SessionReports.Batch(pack, bytes, bytes.Length, 2);
        foreach (var at in SessionReports.Cuts(bytes))
        {
            var session = EvaluationSession.Start(pack, options);
            session.BeginSource("log");
            session.Write(bytes.AsSpan(0, at));
            var snapshot = SessionSnapshot.FromBytes(session.CaptureSnapshot().ToBytes());
            session.Dispose();
            using var restored = EvaluationSession.Restore([pack], snapshot, options);
            restored.Write(bytes.AsSpan(at));
            Assert.True(batch == SessionReports.Render(restored.Complete()[0], 2), $"restored at byte {at}");
        }
    }

    [Fact]
    public void A_context_waiting_for_its_after_lines_gets_them_after_a_restore()
    {
        var log = "before one\nbefore two\n"
            + "03 09:31:02   3 HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45\n"
            + "after one\nafter two\nafter three\n";
        var bytes = Encoding.UTF8.GetBytes(log);
        var at = Encoding.UTF8.GetByteCount(log[..(log.IndexOf("after one", StringComparison.Ordinal) + 3)]); // inside the first after-line
        var options = new SessionOptions { Evaluation = SessionReports.Options(2) };
        var session = EvaluationSession.Start(TestSupport.Pack, options);
        session.Write(bytes.AsSpan(0, at));
        using var restored = EvaluationSession.Restore([TestSupport.Pack], SessionSnapshot.FromBytes(session.CaptureSnapshot().ToBytes()), options);
        restored.Write(bytes.AsSpan(at));
        var context = restored.Complete()[0].Diagnostics.Single(d => d.Id == "CR2001").Context!;
        Assert.Equal(["before one", "before two", log.Split('\n')[2], "after one", "after two"], context.Lines);
        Assert.Equal(1, context.FirstLine);
    }

    /// <summary>
    /// Snapshots written by format 2 (before context and decoder state): taken from the default pack in the middle of a
    /// 'show tcp' table and inside a line. The pack's hash in them is the one of their day, so it is set to today's: the
    /// state they hold (an open section, a line waiting for its end) is what is tested.
    /// </summary>
    [Theory]
    [InlineData("v2-show-tcp-flood-at-4925.json", "rules/CR2003/samples/positive/show-tcp-flood.log", 4925)]
    [InlineData("v2-ar320-workaround-undone-at-636.json", "docs/samples/ar320-workaround-undone.log", 636)]
    public void A_format_2_snapshot_still_restores(string file, string sample, int at)
    {
        var json = File.ReadAllText(TestSupport.Repo("tests", "CodeRed.Rules.Tests", "SnapshotData", file));
        Assert.Contains("\"formatVersion\":2", json);
        json = System.Text.RegularExpressions.Regex.Replace(json, "\"sha256\":\"[0-9a-f]+\"", $"\"sha256\":\"{TestSupport.Pack.Identity.Sha256}\"");
        var snapshot = SessionSnapshot.FromBytes(Encoding.UTF8.GetBytes(json));
        Assert.Equal(2, snapshot.FormatVersion);
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        using var restored = EvaluationSession.Restore([TestSupport.Pack], snapshot);
        restored.Write(bytes.AsSpan(at));
        Assert.Equal(SessionTests.BatchJson(bytes), SessionTests.Json(restored.Complete()[0]));
    }
}
