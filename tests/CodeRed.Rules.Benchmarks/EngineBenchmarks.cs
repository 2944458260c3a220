using System.Text;
using BenchmarkDotNet.Attributes;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Benchmarks;

/// <summary>Pack load, one matching line, one non-matching line, and a 100 MB stream.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private RulePack _pack = null!;
    private byte[] _log = null!;
    private readonly string _matching = "02 10:14:55   3 HTTP ERROR No free HTTP sessions - rejecting connection from 172.16.4.9\n";
    private readonly string _quiet = "02 10:14:55   6 IPG   INFO  Route 10.1.2.0/24 via 192.168.1.254 added\n";

    [GlobalSetup]
    public void Setup()
    {
        _pack = RulePack.Default;
        using var stream = new MemoryStream();
        SyntheticLog.Write(stream, 100L * 1024 * 1024, 2001);
        _log = stream.ToArray();
    }

    [Benchmark]
    public RulePack LoadDefaultPack() => RulePack.LoadFromTexts(EmbeddedTexts.Value);

    [Benchmark]
    public AnalysisReport MatchingLine() => _pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("l", _matching)] });

    [Benchmark]
    public AnalysisReport NonMatchingLine() => _pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("l", _quiet)] });

    [Benchmark]
    public AnalysisReport Stream100MB() => _pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("log", new MemoryStream(_log))] });

    private static readonly Lazy<KeyValuePair<string, string>[]> EmbeddedTexts = new(() =>
    {
        var assembly = typeof(RulePack).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith("rules/", StringComparison.Ordinal)).Select(n =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!, Encoding.UTF8);
            return new KeyValuePair<string, string>(n["rules/".Length..], reader.ReadToEnd());
        }).ToArray();
    });
}
