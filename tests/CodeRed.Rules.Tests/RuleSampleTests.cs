using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Runs the samples stored beside each rule in rules/ID/samples: every positive log or case must raise the
/// rule, every negative one must not. Every rule must have both kinds.
/// </summary>
public class RuleSampleTests
{
    public static TheoryData<string> RuleIds => [.. Pack.Rules.Select(r => r.Id)];

    public static TheoryData<string, string, bool> LogSamples
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var file in Directory.EnumerateFiles(RulesDir, "*.log", SearchOption.AllDirectories).Where(f => !InNestedPack(f)).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(RulesDir, file).Replace('\\', '/');
                var parts = relative.Split('/');
                data.Add(parts[0], relative, parts[^2] == "positive");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LogSamples))]
    public void Log_sample_raises_its_rule_exactly_when_positive(string id, string relative, bool positive)
    {
        var path = Path.Combine(RulesDir, relative);
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromFile(path)] });
        Assert.Equal(positive, report.Ids().Contains(id));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Every_rule_has_positive_and_negative_samples(string id)
    {
        var samples = Path.Combine(RulesDir, id, "samples");
        var (positive, negative) = Cases(id);
        positive += Directory.Exists(Path.Combine(samples, "positive")) ? Directory.GetFiles(Path.Combine(samples, "positive")).Length : 0;
        negative += Directory.Exists(Path.Combine(samples, "negative")) ? Directory.GetFiles(Path.Combine(samples, "negative")).Length : 0;
        Assert.True(positive > 0, $"{id} has no positive sample");
        Assert.True(negative > 0, $"{id} has no negative sample");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Device_cases_raise_their_rule_exactly_when_positive(string id)
    {
        var file = Path.Combine(RulesDir, id, "samples", "cases.yaml");
        if (!File.Exists(file))
        {
            Assert.NotEqual(CodeRed.Rules.RuleKind.Device, Pack.FindRule(id)!.Kind); // device rules are sampled by cases
            return;
        }

        foreach (var (model, firmware, positive, where) in ReadCases(file))
        {
            var report = Pack.Evaluate(new DeviceEvidence { Model = model, Firmware = firmware });
            Assert.True(positive == report.Ids().Contains(id), $"{where}: {id} expected {(positive ? "" : "not ")}to fire for model '{model}' firmware '{firmware}'");
        }
    }

    private static (int Positive, int Negative) Cases(string id)
    {
        var file = Path.Combine(RulesDir, id, "samples", "cases.yaml");
        if (!File.Exists(file))
        {
            return (0, 0);
        }

        var cases = ReadCases(file).ToList();
        return (cases.Count(c => c.Positive), cases.Count(c => !c.Positive));
    }

    private static IEnumerable<(string? Model, string? Firmware, bool Positive, string Where)> ReadCases(string file)
    {
        var problems = new List<PackProblem>();
        var root = (YMapping)YamlTree.Read(file, File.ReadAllText(file), problems).Single();
        Assert.Empty(problems);
        foreach (var (key, value) in root.Entries)
        {
            foreach (var item in ((YSequence)value).Items.Cast<YMapping>())
            {
                string? Get(string name) => item.Entries.Where(e => e.Key.Value == name).Select(e => ((YScalar)e.Value).Value).FirstOrDefault();
                yield return (Get("model"), Get("firmware"), key.Value == "positive", $"{file}({item.Line},{item.Column})");
            }
        }
    }
}
