using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The fuzz harness's seed corpus (tests/CodeRed.Rules.Fuzz/corpus) run through the same checks as its targets, so the
/// corpus stays meaningful and any input added there from a fuzzing finding is a regression test here.
/// </summary>
public class FuzzCorpusTests
{
    private static string Corpus(string target) => Repo("tests", "CodeRed.Rules.Fuzz", "corpus", target);

    public static TheoryData<string> PackInputs => [.. Directory.EnumerateFiles(Corpus("pack")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> EvidenceInputs => [.. Directory.EnumerateFiles(Corpus("evidence")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(PackInputs))]
    public void Pack_inputs_load_or_are_refused_with_placed_one_line_problems(string file)
    {
        using var stream = File.OpenRead(Path.Combine(Corpus("pack"), file));
        try
        {
            var pack = RulePack.LoadFromStream(stream, file);
            var report = pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("t", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1")] });
            Assert.Equal(pack.Identity, report.Pack);
        }
        catch (RulePackException e)
        {
            Assert.DoesNotContain(file, new[] { "whole-pack.yaml", "small-pack.yaml" }); // these two are whole packs
            Assert.All(e.Problems, p => Assert.DoesNotContain('\n', p.Message));
        }
    }

    [Theory]
    [MemberData(nameof(EvidenceInputs))]
    public void Evidence_inputs_evaluate_with_every_encoding_and_count_their_lines(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Corpus("evidence"), file));
        foreach (var encoding in new Encoding?[] { null, Encoding.GetEncoding(932), Encoding.GetEncoding("euc-jp"), Encoding.Latin1 })
        {
            var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("e", new MemoryStream(bytes), encoding)] });
            using var reader = new StreamReader(new MemoryStream(bytes), EvidenceSource.Decoding(encoding), detectEncodingFromByteOrderMarks: true);
            var text = reader.ReadToEnd();
            var lines = text.Length == 0 ? 0 : text.Replace("\r\n", "\n").Replace('\r', '\n').Count(c => c == '\n') + (text[^1] is '\n' or '\r' ? 0 : 1);
            Assert.Equal(lines, report.SourcesRead[0].Lines);
        }
    }
}
