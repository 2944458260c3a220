using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodeRed.Rules.Loading;
using Json.Schema;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The JSON Schema for the rule-pack format (docs/schema/rule-pack.schema.json): every document of the default pack
/// validates, typical mistakes are rejected (and the loader rejects them too), and every rule file points editors at it.
/// </summary>
public class PackSchemaTests
{
    private const string SchemaComment = "# yaml-language-server: $schema=";

    private static readonly string SchemaPath = Repo("docs", "schema", "rule-pack.schema.json");

    // Built once: building registers the schema's $id in JsonSchema.Net's global registry.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    /// <summary>The default pack's files, relative to rules/ with '/' separators (no samples).</summary>
    public static TheoryData<string> PackFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in DefaultPackFiles())
        {
            data.Add(file);
        }

        return data;
    }

    private static IEnumerable<string> DefaultPackFiles() =>
        Directory.EnumerateFiles(RulesDir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(RulesDir, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part.Equals("samples", StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal);

    private static string ReadPackFile(string relative) => File.ReadAllText(Path.Combine(RulesDir, relative));

    // ---------------------------------------------------------------- the schema itself

    [Fact]
    public void Schema_is_a_valid_draft_2020_12_schema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        var results = MetaSchemas.Draft202012.Evaluate(document.RootElement, new Json.Schema.EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Describe(results));
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", document.RootElement.GetProperty("$schema").GetString());
        Assert.Equal("urn:codered-rules:rule-pack:1", document.RootElement.GetProperty("$id").GetString());
        Assert.NotNull(Schema.Value);
    }

    // ---------------------------------------------------------------- (a) the default pack validates

    [Theory]
    [MemberData(nameof(PackFiles))]
    public void Every_document_of_the_default_pack_validates(string file)
    {
        var documents = Documents(file, ReadPackFile(file));
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            Assert.True(Validate(document).IsValid, $"{file}:\n{string.Join("\n", Failures(document))}");
        }
    }

    [Fact]
    public void Default_pack_covers_every_document_kind()
    {
        var kinds = DefaultPackFiles()
            .SelectMany(f => Documents(f, ReadPackFile(f)))
            .Select(d => (string?)d!["kind"])
            .ToHashSet();
        Assert.Equal(new[] { "models", "pack", "remediation", "rule" }, kinds.Order(StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- (b) typical mistakes are rejected

    /// <summary>
    /// Each case edits one valid file of the default pack (file, text found there exactly once, replacement) and names
    /// where the schema must report it: the instance location and the failing keyword (null: the validator names none).
    /// </summary>
    private static readonly Dictionary<string, (string File, string Find, string Replace, string At, string? Keyword)> Mistakes = new(StringComparer.Ordinal)
    {
        ["unknown key"] = ("CR2001/CR2001.yaml", "category: LogSignature\n", "category: LogSignature\ntitel: typo\n", "/titel", "additionalProperties"),
        ["severity is a number"] = ("CR2001/CR2001.yaml", "severity: warning\n", "severity: 3\n", "/severity", "enum"),
        ["enabled is quoted text, not a bool"] = ("CR2001/CR2001.yaml", "severity: warning\n", "severity: warning\nenabled: \"true\"\n", "/enabled", "type"),
        ["version is quoted text, not a number"] = ("CR2001/CR2001.yaml", "version: 1\n", "version: \"1\"\n", "/version", "type"),
        ["version out of range"] = ("CR2001/CR2001.yaml", "version: 1\n", "version: 0\n", "/version", "minimum"),
        ["missing id"] = ("CR2001/CR2001.yaml", "id: CR2001\n", "", "", "required"),
        ["bad rule id"] = ("CR2001/CR2001.yaml", "id: CR2001\n", "id: CR-2001\n", "/id", "pattern"),
        ["bad severity"] = ("CR2001/CR2001.yaml", "severity: warning\n", "severity: fatal\n", "/severity", "enum"),
        ["both match and when"] = ("CR2001/CR2001.yaml", "category: LogSignature\n", "category: LogSignature\nwhen: { status: affected }\n", "", "oneOf"),
        ["none of when, match, section"] = ("CR1007/CR1007.yaml", "when:\n  modelKnown: false\n", "", "", "oneOf"),
        ["localized text without en"] = ("CR2001/CR2001.yaml", "  en: HTTP server out of sessions\n", "", "/title", "required"),
        ["localized text with a bad language code"] = ("CR2001/CR2001.yaml", "  en: HTTP server out of sessions\n", "  en: HTTP server out of sessions\n  english: HTTP\n", "/title/english", "pattern"),
        ["empty required text"] = ("CR2001/CR2001.yaml", "category: LogSignature\n", "category: ''\n", "/category", "minLength"),
        ["pattern with both regex and literal"] = ("CR2001/CR2001.yaml", "  - regex: 'HTTP", "  - literal: HTTP\n    regex: 'HTTP", "/match/0", null),
        ["pattern with an unknown key"] = ("CR2001/CR2001.yaml", "  - regex: 'HTTP", "  - ignorecase: true\n    regex: 'HTTP", "/match/0/ignorecase", "additionalProperties"),
        ["empty match list"] = ("CR1007/CR1007.yaml", "when:\n  modelKnown: false\n", "match: []\n", "/match", "minItems"),
        ["empty when"] = ("CR1007/CR1007.yaml", "when:\n  modelKnown: false\n", "when: {}\n", "/when", "minProperties"),
        ["unknown when condition"] = ("CR1007/CR1007.yaml", "  modelKnown: false\n", "  modelKnown: false\n  vendor: x\n", "/when/vendor", "additionalProperties"),
        ["bad firmware condition"] = ("CR1002/CR1002.yaml", "  firmware: below-fix\n", "  firmware: old\n", "/when/firmware", "enum"),
        ["section without threshold"] = ("CR2003/CR2003.yaml", "parameters:\n  threshold: 100\n", "", "", "required"),
        ["section threshold of 0"] = ("CR2003/CR2003.yaml", "  threshold: 100\n", "  threshold: 0\n", "/parameters/threshold", "minimum"),
        ["maxHeaderLines out of range"] = ("CR2003/CR2003.yaml", "  maxHeaderLines: 4\n", "  maxHeaderLines: 51\n", "/section/maxHeaderLines", "maximum"),
        ["parameter on a line rule"] = ("CR2001/CR2001.yaml", "severity: warning\n", "severity: warning\nparameters: { threshold: 5 }\n", "/parameters", "maxProperties"),
        ["section parameter the engine does not use"] = ("CR2003/CR2003.yaml", "  threshold: 100\n", "  threshold: 100\n  limit: 5\n", "/parameters/limit", null),
        ["parameter is not a number"] = ("CR2003/CR2003.yaml", "  threshold: 100\n", "  threshold: many\n", "/parameters/threshold", "type"),
        ["deprecated without replacedBy"] = ("CR2001/CR2001.yaml", "status: stable\n", "status: deprecated\n", "", "required"),
        ["pack version not semver"] = ("pack.yaml", "version: 1.0.0\n", "version: v1.0\n", "/version", "pattern"),
        ["pack id with upper case"] = ("pack.yaml", "id: codered.alliedtelesis.ar\n", "id: CodeRed.AR\n", "/id", "pattern"),
        ["schemaVersion out of range"] = ("pack.yaml", "schemaVersion: 1\n", "schemaVersion: 0\n", "/schemaVersion", "minimum"),
        ["pack without verdicts level"] = ("pack.yaml", "  none:\n    word: clean\n", "  nothing:\n    word: clean\n", "/verdicts", "required"),
        ["date not yyyy-MM-dd"] = ("pack.yaml", "firstEdition: 2001-08-09\n", "firstEdition: 2001/08/09\n", "/advisory/firstEdition", "pattern"),
        ["fact take neither first nor last"] = ("pack.yaml", @"-\d{1,9})' }" + "\n    take: last\n", @"-\d{1,9})' }" + "\n    take: newest\n", "/facts/0/take", "enum"),
        ["record maxLines out of range"] = ("pack.yaml", "    maxLines: 5\n", "    maxLines: 101\n", "/records/0/maxLines", "maximum"),
        ["model status not allowed"] = ("models.yaml", "{ name: AR100,     status: not-affected,", "{ name: AR100,     status: unaffected,", "/models/0/status", "enum"),
        ["model fixedIn not a firmware version"] = ("models.yaml", "{ name: AR100,     status: not-affected, note: port80-discarded, workaround: false, fixedIn: pending }",
            "{ name: AR100,     status: not-affected, note: port80-discarded, workaround: false, fixedIn: soon }", "/models/0/fixedIn", "anyOf"),
        ["model workaround quoted"] = ("models.yaml", "note: port80-discarded, workaround: false, fixedIn: pending }\n  - { name: AR130",
            "note: port80-discarded, workaround: 'false', fixedIn: pending }\n  - { name: AR130", "/models/0/workaround", "type"),
        ["remediation trigger without rules or minSeverity"] = ("remediation.yaml", "when: { rules: [CR1002] }", "when: { workaroundModel: true }", "/steps/3/when", "anyOf"),
        ["remediation step without text"] = ("remediation.yaml", "  - id: restart-router\n    command: restart router\n    text:\n      en: Restart the router so the saved configuration takes effect.\n      ja: ルータを再起動します。\n",
            "  - id: restart-router\n    command: restart router\n", "/steps/2", "required"),
        ["unknown document kind"] = ("CR2001/CR2001.yaml", "kind: rule\n", "kind: rules\n", "/kind", "enum"),
    };

    public static TheoryData<string> MistakeNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Mistakes.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MistakeNames))]
    public void Schema_rejects_typical_mistakes(string mistake)
    {
        var (file, find, replace, at, keyword) = Mistakes[mistake];
        var edited = Replace(ReadPackFile(file), find, replace);

        var document = Assert.Single(Documents(file, edited));
        Assert.False(Validate(document).IsValid, $"{mistake}: the schema accepted it");
        var failures = Failures(document);
        Assert.True(Reports(failures, at, keyword),
            $"{mistake}: expected '{keyword}' at '{at}', got:\n{string.Join("\n", failures)}");

        // The schema must not reject what the loader accepts: every mistake is also a loader error.
        var texts = DefaultPackFiles().Where(f => !InNestedPack(Path.Combine(RulesDir, f))).ToDictionary(f => f, f => f == file ? edited : ReadPackFile(f), StringComparer.Ordinal);
        Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts(texts));
    }

    /// <summary>Variants the loader accepts must validate too, so the schema is not stricter than the format where it matters.</summary>
    private static readonly Dictionary<string, (string File, string Find, string Replace)> Variants = new(StringComparer.Ordinal)
    {
        ["title as a plain string"] = ("CR2001/CR2001.yaml", "title:\n  en: HTTP server out of sessions\n  ja: HTTP セッション不足による接続拒否\n", "title: HTTP server out of sessions\n"),
        ["enabled false, status experimental, version 2"] = ("CR2001/CR2001.yaml", "version: 1\nintroducedIn: 1.0.0\nstatus: stable\n", "version: 2\nintroducedIn: 1.0.0\nstatus: experimental\nenabled: false\n"),
        ["deprecated with replacedBy"] = ("CR2001/CR2001.yaml", "status: stable\n", "status: deprecated\nreplacedBy: CR2002\n"),
        ["bools written True and False"] = ("CR1007/CR1007.yaml", "  modelKnown: false\n", "  modelKnown: False\n"),
        ["literal pattern with ignoreCase"] = ("CR2001/CR2001.yaml", "match:\n  - regex:", "match:\n  - { literal: No free HTTP sessions, ignoreCase: true }\n  - regex:"),
        ["hidden severity"] = ("CR2001/CR2001.yaml", "severity: warning\n", "severity: hidden\n"),
        ["firmware version written 2.0.4-07"] = ("models.yaml", "fixedIn: 2.0.7 PL 4 }\n  - { name: AR740", "fixedIn: 2.0.7-04 }\n  - { name: AR740"),
        ["remediation trigger on rules and severity"] = ("remediation.yaml", "when: { rules: [CR1002] }", "when: { rules: [CR1002, CR1003], minSeverity: error }"),
    };

    public static TheoryData<string> VariantNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Variants.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VariantNames))]
    public void Schema_accepts_what_the_loader_accepts(string variant)
    {
        var (file, find, replace) = Variants[variant];
        var edited = Replace(ReadPackFile(file), find, replace);

        foreach (var document in Documents(file, edited))
        {
            Assert.True(Validate(document).IsValid, $"{variant}:\n{string.Join("\n", Failures(document))}");
        }

        var texts = DefaultPackFiles().Where(f => !InNestedPack(Path.Combine(RulesDir, f))).ToDictionary(f => f, f => f == file ? edited : ReadPackFile(f), StringComparer.Ordinal);
        Assert.NotNull(RulePack.LoadFromTexts(texts));
    }

    private static string Replace(string text, string find, string replace)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var at = normalized.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the test edit expects '{find}' in the file");
        Assert.True(normalized.IndexOf(find, at + 1, StringComparison.Ordinal) < 0, $"the test edit expects '{find}' only once");
        return normalized[..at] + replace + normalized[(at + find.Length)..];
    }

    // ---------------------------------------------------------------- (c) files point editors at the schema

    [Theory]
    [MemberData(nameof(PackFiles))]
    public void Every_rule_file_references_the_schema(string file)
    {
        var path = Path.Combine(RulesDir, file);
        var firstLine = File.ReadLines(path).First();
        Assert.StartsWith(SchemaComment, firstLine, StringComparison.Ordinal);

        var reference = firstLine[SchemaComment.Length..].Trim();
        var expected = Path.GetRelativePath(Path.GetDirectoryName(path)!, SchemaPath).Replace('\\', '/');
        Assert.Equal(expected, reference);

        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference));
        Assert.True(File.Exists(resolved), $"{file} references {reference}, which does not exist");
        Assert.Equal(Path.GetFullPath(SchemaPath), resolved);
    }

    // ---------------------------------------------------------------- YAML to JSON

    [Fact]
    public void Converter_types_scalars_as_the_loader_reads_them()
    {
        const string yaml = """
            a: true
            b: False
            c: "true"
            d: 42
            e: -7
            f: '42'
            g: ~
            h:
            i: null
            j: 'null'
            k: 1.0.0
            l: 2001-08-09
            m: TRUE
            n: [x, 1]
            o: { p: q }
            q: 10.0
            """;
        var node = Assert.Single(Documents("test.yaml", yaml))!.AsObject();
        Assert.Equal(JsonValueKind.True, node["a"]!.GetValueKind());
        Assert.Equal(JsonValueKind.False, node["b"]!.GetValueKind());
        Assert.Equal("true", (string?)node["c"]);
        Assert.Equal(42, (long)node["d"]!);
        Assert.Equal(-7, (long)node["e"]!);
        Assert.Equal("42", (string?)node["f"]);
        Assert.Equal(10.0, (double)node["q"]!);
        Assert.Null(node["g"]);
        Assert.True(node.ContainsKey("g"));
        Assert.Null(node["h"]);
        Assert.Null(node["i"]);
        Assert.Equal("null", (string?)node["j"]);
        Assert.Equal("1.0.0", (string?)node["k"]);
        Assert.Equal("2001-08-09", (string?)node["l"]);
        Assert.Equal("TRUE", (string?)node["m"]);
        Assert.Equal("[\"x\",1]", node["n"]!.ToJsonString());
        Assert.Equal("{\"p\":\"q\"}", node["o"]!.ToJsonString());
    }

    // ---------------------------------------------------------------- helpers

    private static List<JsonNode?> Documents(string file, string text)
    {
        var problems = new List<PackProblem>();
        var documents = YamlTree.Read(file, text, problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Select(p => p.ToString())));
        return documents.Select(YamlJson.ToJson).ToList();
    }

    private static EvaluationResults Validate(JsonNode? document)
    {
        var element = JsonSerializer.SerializeToElement(document);
        return Schema.Value.Evaluate(element, new Json.Schema.EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results)
    {
        var lines = new[] { results }.Concat(results.Details ?? [])
            .Where(r => !r.IsValid && r.Errors is { Count: > 0 })
            .SelectMany(r => r.Errors!.Select(e => $"{r.InstanceLocation} [{r.EvaluationPath}] {e.Key}: {e.Value}"))
            .ToList();
        return lines.Count == 0 ? "valid" : string.Join("\n", lines);
    }

    /// <summary>
    /// What makes a document invalid: the hierarchical output walked through failing nodes only, so a failed 'if' or a
    /// failed alternative of a passing 'anyOf' is left out. Keyword is the error's keyword (for a false schema, such as
    /// 'additionalProperties: false', the keyword holding it). JsonSchema.Net 8 gives no message for a failing
    /// 'oneOf'/'anyOf' itself, only for its failing subschemas (whose path names it), and none at all for a 'oneOf' that
    /// matched twice: such a node is listed with an empty keyword.
    /// </summary>
    private static List<(string At, string Keyword, string Path, string Message)> Failures(JsonNode? document)
    {
        var element = JsonSerializer.SerializeToElement(document);
        var root = Schema.Value.Evaluate(element, new Json.Schema.EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        var failures = new List<(string, string, string, string)>();
        Walk(root);
        return failures;

        void Walk(EvaluationResults node)
        {
            if (node.IsValid)
            {
                return;
            }

            var at = node.InstanceLocation.ToString();
            var path = node.EvaluationPath.ToString();
            foreach (var (key, message) in node.Errors ?? new Dictionary<string, string>())
            {
                failures.Add((at, key.Length > 0 ? key : path.Split('/')[^1], path, message));
            }

            var children = node.Details ?? [];
            if (node.Errors is not { Count: > 0 } && children.All(c => c.IsValid))
            {
                failures.Add((at, "", path, "invalid, without a message from the validator"));
            }

            foreach (var child in children)
            {
                Walk(child);
            }
        }
    }

    /// <summary>A failure at <paramref name="at"/> from <paramref name="keyword"/> (or from a subschema of it); any failure there when null.</summary>
    private static bool Reports(List<(string At, string Keyword, string Path, string Message)> failures, string at, string? keyword) =>
        failures.Any(f => f.At == at && (keyword is null || f.Keyword == keyword || f.Path.Split('/').Contains(keyword)));
}

/// <summary>
/// Converts a <see cref="YNode"/> tree into JSON with the types the loader gives plain scalars: unquoted
/// <c>true</c>/<c>True</c>/<c>false</c>/<c>False</c> are booleans, unquoted whole numbers are numbers, unquoted null forms
/// (empty, <c>~</c>, <c>null</c>, <c>Null</c>, <c>NULL</c>) are null, and everything else, including every quoted
/// scalar, is a string.
/// </summary>
internal static partial class YamlJson
{
    [GeneratedRegex(@"^[+-]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeNumber();

    /// <summary>The core schema's floats in positional form (<c>10.0</c>, <c>-0.5</c>); <c>1.0.0</c> stays a string.</summary>
    [GeneratedRegex(@"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Decimal();

    public static JsonNode? ToJson(YNode node) => node switch
    {
        YMapping map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key.Value, ToJson(e.Value)))),
        YSequence sequence => new JsonArray(sequence.Items.Select(ToJson).ToArray()),
        YScalar scalar => Scalar(scalar),
        _ => throw new ArgumentException($"unexpected YAML node {node.GetType().Name}", nameof(node)),
    };

    private static JsonNode? Scalar(YScalar scalar)
    {
        if (scalar.IsNull)
        {
            return null;
        }

        if (scalar.IsPlain)
        {
            switch (scalar.Value)
            {
                case "true" or "True":
                    return JsonValue.Create(true);
                case "false" or "False":
                    return JsonValue.Create(false);
            }

            if (WholeNumber().IsMatch(scalar.Value) &&
                long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }

            if (Decimal().IsMatch(scalar.Value) &&
                double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            {
                return JsonValue.Create(real);
            }
        }

        return JsonValue.Create(scalar.Value);
    }
}
