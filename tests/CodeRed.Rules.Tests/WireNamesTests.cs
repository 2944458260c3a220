using System.Text.Json;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using YamlDotNet.RepresentationModel;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Every enumerated name the rule files and the outputs share is spelled once, in <see cref="WireNames"/>: each table
/// names every value of its enum, the published schema offers the same names, and the catalogue writes back every
/// device condition a rule file states (the JSON catalogue used to drop <c>out-of-range</c> and <c>patch</c>).
/// </summary>
public sealed class WireNamesTests
{
    public static TheoryData<string> Tables => ["ModelStatus", "RuleStatus", "RuleKind", "VersionState", "PatchState", "StepStatus"];

    private static (IReadOnlyList<string> Names, Array Values, Func<object, string> Name) Table(string name) => name switch
    {
        "ModelStatus" => Of(WireNames.ModelStatus),
        "RuleStatus" => Of(WireNames.RuleStatus),
        "RuleKind" => Of(WireNames.RuleKind),
        "VersionState" => Of(WireNames.VersionState),
        "PatchState" => Of(WireNames.PatchState),
        "StepStatus" => Of(WireNames.StepStatus),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static (IReadOnlyList<string>, Array, Func<object, string>) Of<T>(WireNameTable<T> table)
        where T : struct, Enum => (table.Names, Enum.GetValues<T>(), v => table.Name((T)v));

    [Theory]
    [MemberData(nameof(Tables))]
    public void Each_table_names_every_value_once_and_reads_its_names_back(string name)
    {
        var (names, values, nameOf) = Table(name);
        var written = values.Cast<object>().Select(nameOf).ToList();
        Assert.Equal(values.Length, written.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(names.Order(StringComparer.Ordinal), written.Order(StringComparer.Ordinal));
        Assert.All(written, n => Assert.Matches("^[a-z]+(-[a-z]+)*$", n));
    }

    [Theory]
    [InlineData("ModelStatus")]
    [InlineData("RuleStatus")]
    [InlineData("VersionState")]
    [InlineData("PatchState")]
    public void The_published_schema_offers_the_same_names(string name)
    {
        var names = Table(name).Names;
        using var schema = JsonDocument.Parse(File.ReadAllText(TestSupport.Repo("docs", "schema", "rule-pack.schema.json")));
        var enums = Enums(schema.RootElement).ToList();
        Assert.Contains(enums, e => e.SequenceEqual(names));

        // And no enum in the schema offers a near variant of these names (the drift this class exists to stop).
        var variants = names.Select(n => n.Replace('-', ' ')).Concat(names.Select(n => n.Replace("-", "", StringComparison.Ordinal)))
            .Except(names).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(enums.SelectMany(e => e), variants.Contains);
    }

    [Fact]
    public void The_fix_names_are_the_schemas()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(TestSupport.Repo("docs", "schema", "rule-pack.schema.json")));
        Assert.Contains(Enums(schema.RootElement), e => e.SequenceEqual([WireNames.FixName(true), WireNames.FixName(false)]));
    }

    public static TheoryData<string> PackFolders => [TestSupport.RulesDir, TestSupport.Repo("rules", "webserver")];

    [Theory]
    [MemberData(nameof(PackFolders))]
    public void The_catalogue_writes_back_every_device_condition_a_rule_file_states(string folder)
    {
        var pack = RulePack.LoadFrom(folder);
        using var stream = new MemoryStream();
        JsonReportWriter.WriteCatalogue(stream, pack);
        using var catalogue = JsonDocument.Parse(stream.ToArray());
        var rules = catalogue.RootElement.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        var checkedConditions = 0;
        foreach (var rule in pack.Rules)
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(Path.Combine(folder, rule.SourceFile))));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            if (!root.Children.TryGetValue(new YamlScalarNode("when"), out var when))
            {
                continue;
            }

            var written = rules[rule.Id].GetProperty("when");
            foreach (var (key, value) in ((YamlMappingNode)when).Children)
            {
                // 'version' is the general name of 'firmware'; the catalogue keeps the first name it had.
                var jsonKey = ((YamlScalarNode)key).Value == "version" ? "firmware" : ((YamlScalarNode)key).Value!;
                Assert.True(written.TryGetProperty(jsonKey, out var got), $"{rule.Id}: the catalogue's 'when' lacks '{jsonKey}'");
                Assert.Equal(((YamlScalarNode)value).Value, got.ValueKind == JsonValueKind.String ? got.GetString() : got.GetRawText());
                checkedConditions++;
            }
        }

        Assert.True(checkedConditions > 0, "no rule in the pack has device conditions");
    }

    private static IEnumerable<IReadOnlyList<string>> Enums(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "enum" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    yield return [.. property.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)];
                }

                foreach (var inner in Enums(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var inner in Enums(item))
                {
                    yield return inner;
                }
            }
        }
    }
}
