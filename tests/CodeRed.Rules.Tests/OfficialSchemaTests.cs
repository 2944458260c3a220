using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeRed.Rules.Output;
using Json.Schema;
using Xunit.Abstractions;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// A test that runs only when <c>CODERED_SHARED_SCHEMAS</c> names a folder with the official schemas
/// (<c>sarif-schema-2.1.0.json</c>, <c>csaf_json_schema-2.0.json</c> and the <c>cvss-*.json</c> it references).
/// The schemas are OASIS and FIRST publications and are not in this repository, so the normal test run skips these.
/// </summary>
public sealed class SharedSchemasFactAttribute : FactAttribute
{
    public const string Variable = "CODERED_SHARED_SCHEMAS";

    public SharedSchemasFactAttribute()
    {
        var folder = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(folder))
        {
            Skip = $"{Variable} is not set: set it to the folder of the official SARIF and CSAF schemas (e.g. ../shared/schemas) to validate against them";
        }
        else if (!File.Exists(Path.Combine(folder, OfficialSchemas.SarifFile)) || !File.Exists(Path.Combine(folder, OfficialSchemas.CsafFile)))
        {
            Skip = $"{Variable}={folder} has no {OfficialSchemas.SarifFile} and {OfficialSchemas.CsafFile}";
        }
    }
}

/// <summary>The official schemas, loaded once with JsonSchema.Net from the folder <c>CODERED_SHARED_SCHEMAS</c> names.</summary>
internal static class OfficialSchemas
{
    public const string SarifFile = "sarif-schema-2.1.0.json";
    public const string CsafFile = "csaf_json_schema-2.0.json";

    private const string Draft04 = "http://json-schema.org/draft-04/schema#";
    private const string Draft07 = "http://json-schema.org/draft-07/schema#";

    private static readonly Lazy<(JsonSchema Sarif, JsonSchema Csaf)> Schemas = new(Load);

    public static JsonSchema Sarif => Schemas.Value.Sarif;

    public static JsonSchema Csaf => Schemas.Value.Csaf;

    private static string Folder => Environment.GetEnvironmentVariable(SharedSchemasFactAttribute.Variable)!;

    private static (JsonSchema, JsonSchema) Load()
    {
        var registry = new SchemaRegistry();
        var draft07 = new BuildOptions { SchemaRegistry = registry, Dialect = Dialect.Draft07 };

        // The CSAF schema references the CVSS schemas by these addresses; their own ids carry a date query
        // (…/cvss-v3.1.json?20211103), so each is built with its id removed and the address the CSAF schema uses as
        // its base URI, under which the build registers it.
        foreach (var version in new[] { "2.0", "3.0", "3.1" })
        {
            var uri = new Uri($"https://www.first.org/cvss/cvss-v{version}.json");
            Build($"cvss-v{version}.json", draft07, uri); // Build registers it under uri
        }

        var sarif = Build(SarifFile, draft07, null);
        var csaf = Build(CsafFile, new BuildOptions { SchemaRegistry = registry, Dialect = Dialect.Draft202012 }, null);
        return (sarif, csaf);
    }

    /// <summary>
    /// Builds one schema. JsonSchema.Net reads draft 6 and later; the SARIF and CVSS 2.0/3.0 schemas are draft 4. They
    /// use no keyword that draft 7 reads differently (no boolean exclusiveMinimum/Maximum), only the root's
    /// <c>id</c>, which draft 7 calls <c>$id</c>; so they are read as draft 7.
    /// </summary>
    private static JsonSchema Build(string file, BuildOptions options, Uri? registerAs)
    {
        var text = File.ReadAllText(Path.Combine(Folder, file));
        var root = JsonNode.Parse(text)!.AsObject();
        if (root["$schema"]?.GetValue<string>() == Draft04)
        {
            if (text.Contains("\"exclusiveMinimum\"", StringComparison.Ordinal) || text.Contains("\"exclusiveMaximum\"", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{file} uses draft-04 exclusiveMinimum/Maximum, which draft 7 reads differently");
            }

            root["$schema"] = Draft07;
            if (root["id"] is { } id)
            {
                root.Remove("id");
                root["$id"] = id.GetValue<string>();
            }
        }

        // The root's $id becomes the base URI passed to Build instead (JsonSchema.Net 8.0.5 refuses a draft-7 root
        // with its own $id: "Overwriting registered schemas is not permitted"); either way the schema is registered
        // under it. registerAs replaces an id that is not the address others use.
        var ownId = root["$id"]?.GetValue<string>();
        root.Remove("$id");
        var baseUri = registerAs ?? (ownId is null ? null : new Uri(ownId));

        using var doc = JsonDocument.Parse(root.ToJsonString());
        return JsonSchema.Build(doc.RootElement.Clone(), options, baseUri);
    }

    /// <summary>Evaluates an instance and returns its errors, each with the instance location.</summary>
    public static List<string> Errors(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var results = schema.Evaluate(doc.RootElement, new Json.Schema.EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<string>();
        foreach (var detail in (results.Details ?? []).Append(results))
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                errors.Add($"{detail.InstanceLocation} ({keyword} at {detail.EvaluationPath}): {message}");
            }
        }

        return errors.Count > 0 ? errors : ["invalid (no detail given)"];
    }
}

/// <summary>The SARIF and CSAF output against the official schemas, when they are at hand (see <see cref="SharedSchemasFactAttribute"/>).</summary>
public class OfficialSchemaTests(ITestOutputHelper output)
{
    private void Valid(JsonSchema schema, string what, string json)
    {
        var errors = OfficialSchemas.Errors(schema, json);
        foreach (var error in errors)
        {
            output.WriteLine($"{what}: {error}");
        }

        Assert.True(errors.Count == 0, $"{what} is not valid against the official schema:\n{string.Join("\n", errors.Take(20))}");
        output.WriteLine($"{what}: valid ({json.Length} characters)");
    }

    [SharedSchemasFact]
    public void Sarif_of_the_sample_with_severity_overrides_is_valid() =>
        Valid(OfficialSchemas.Sarif, "SARIF (sample, overrides)", SarifTests.SampleSarif("--severity", "category:LogSignature=error", "--severity", "CR2005=none"));

    [SharedSchemasFact]
    public void Sarif_of_a_device_only_and_a_stdin_run_is_valid()
    {
        Valid(OfficialSchemas.Sarif, "SARIF (device only)", RunCli(["analyze", "--model", "AR100", "--format", "sarif", "--severity", "all=hidden"]).Stdout);
        var input = Encoding.UTF8.GetBytes("HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n");
        Valid(OfficialSchemas.Sarif, "SARIF (stdin)", RunCli(["analyze", "--format", "sarif", "-"], input).Stdout);
    }

    [SharedSchemasFact]
    public void Sarif_of_a_fleet_and_of_a_pipeline_run_is_valid()
    {
        using var dir = new TempDir();
        dir.Write("fleet/a.log", "Router startup, ver 1.9.3-00\nDirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        dir.Write("fleet/b.log", "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n");
        Valid(OfficialSchemas.Sarif, "SARIF (fleet)", RunCli(["analyze", "--model", "AR320", "--format", "sarif", Path.Combine(dir.Path, "fleet")]).Stdout);

        using var stream = new MemoryStream();
        var properties = new Dictionary<string, string> { ["azuredevops/pipeline/build/buildDefinitionId"] = "42" };
        SarifWriter.Write(stream, [Pack.Evaluate(new CodeRed.Rules.DeviceEvidence { Model = "AR130" })], Pack,
            new SarifOptions { AutomationIdPrefix = "azuredevops/pipeline/build/example/", AutomationProperties = properties });
        Valid(OfficialSchemas.Sarif, "SARIF (pipeline, model only)", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [SharedSchemasFact]
    public void Csaf_security_advisory_is_valid() => Valid(OfficialSchemas.Csaf, "CSAF security advisory", CsafTests.Export());

    [SharedSchemasFact]
    public void Csaf_vex_is_valid() => Valid(OfficialSchemas.Csaf, "CSAF VEX", CsafTests.Export("--vex"));

    [SharedSchemasFact]
    public void The_schemas_do_catch_invalid_documents()
    {
        var sarif = JsonNode.Parse(SarifTests.SampleSarif())!;
        sarif["runs"]![0]!["results"]![0]!["level"] = "fatal";
        Assert.NotEmpty(OfficialSchemas.Errors(OfficialSchemas.Sarif, sarif.ToJsonString()));

        var rule = JsonNode.Parse(SarifTests.SampleSarif())!;
        rule["runs"]![0]!["tool"]!["driver"]!["rules"]![0]!["helpUri"] = "docs/rules/CR1001.md";
        Assert.NotEmpty(OfficialSchemas.Errors(OfficialSchemas.Sarif, rule.ToJsonString()));

        var csaf = JsonNode.Parse(CsafTests.Export())!;
        csaf["document"]!["tracking"]!["initial_release_date"] = "9 August 2001";
        Assert.NotEmpty(OfficialSchemas.Errors(OfficialSchemas.Csaf, csaf.ToJsonString()));

        // The CVSS schemas the CSAF schema references are resolved: a good score passes, a bad one fails.
        var cvss = JsonNode.Parse(CsafTests.Export())!;
        cvss["vulnerabilities"]![0]!["scores"] = JsonNode.Parse("""[{ "products": ["CSAFPID-AR130"], "cvss_v3": { "version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "baseScore": 7.5, "baseSeverity": "HIGH" } }]""");
        Assert.Empty(OfficialSchemas.Errors(OfficialSchemas.Csaf, cvss.ToJsonString()));
        cvss["vulnerabilities"]![0]!["scores"]![0]!["cvss_v3"]!["vectorString"] = "nonsense";
        Assert.NotEmpty(OfficialSchemas.Errors(OfficialSchemas.Csaf, cvss.ToJsonString()));
    }
}
