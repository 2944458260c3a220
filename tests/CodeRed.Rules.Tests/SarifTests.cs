using System.Text;
using System.Text.Json;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// SARIF 2.1.0 output: the parts of the schema every consumer relies on, checked without the official schema
/// (<see cref="OfficialSchemaTests"/> checks against it when the schemas are at hand).
/// </summary>
public class SarifTests
{
    private static readonly string Sample = Repo("docs", "samples", "ar320-capture.log");

    private static readonly string[] Levels = ["error", "warning", "note", "none"];

    internal static string SampleSarif(params string[] extra) =>
        RunCli(["analyze", "--model", "AR320", "--format", "sarif", .. extra, Sample]).Stdout;

    /// <summary>Checks the schema's required parts and the cross-references of one SARIF log; returns the problems.</summary>
    internal static List<string> Check(JsonElement log)
    {
        var problems = new List<string>();
        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                problems.Add(problem);
            }
        }

        Require(log.TryGetProperty("version", out var version) && version.GetString() == "2.1.0", "version must be 2.1.0");
        Require(log.TryGetProperty("$schema", out var schema) && Uri.IsWellFormedUriString(schema.GetString(), UriKind.Absolute), "$schema must be an absolute URI");
        if (!log.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
        {
            problems.Add("runs must be an array");
            return problems;
        }

        foreach (var run in runs.EnumerateArray())
        {
            var driver = run.GetProperty("tool").GetProperty("driver");
            Require(driver.TryGetProperty("name", out var name) && !string.IsNullOrEmpty(name.GetString()), "tool.driver.name is required");
            var rules = driver.TryGetProperty("rules", out var r) ? r.EnumerateArray().ToList() : [];
            var ids = rules.Select(x => x.GetProperty("id").GetString()!).ToList();
            Require(ids.Distinct(StringComparer.Ordinal).Count() == ids.Count, "rule ids must be unique");
            foreach (var rule in rules)
            {
                if (rule.TryGetProperty("defaultConfiguration", out var config) && config.TryGetProperty("level", out var level))
                {
                    Require(Levels.Contains(level.GetString()), $"rule {rule.GetProperty("id")}: level '{level}' is not a SARIF level");
                }

                if (rule.TryGetProperty("helpUri", out var help))
                {
                    Require(Uri.IsWellFormedUriString(help.GetString(), UriKind.Absolute), $"rule {rule.GetProperty("id")}: helpUri must be absolute");
                }

                Require(rule.GetProperty("shortDescription").GetProperty("text").GetString()!.Length > 0, "shortDescription.text is required");
            }

            var artifacts = run.TryGetProperty("artifacts", out var a) ? a.EnumerateArray().ToList() : [];
            foreach (var result in run.GetProperty("results").EnumerateArray())
            {
                var ruleId = result.GetProperty("ruleId").GetString();
                if (result.TryGetProperty("ruleIndex", out var index))
                {
                    Require(index.GetInt32() >= 0 && index.GetInt32() < rules.Count && ids[index.GetInt32()] == ruleId, $"{ruleId}: ruleIndex {index} does not point to {ruleId}");
                }

                Require(result.TryGetProperty("level", out var level) && Levels.Contains(level.GetString()), $"{ruleId}: level must be error, warning, note or none");
                Require(result.TryGetProperty("message", out var message) && message.TryGetProperty("text", out var text) && text.GetString()!.Length > 0, $"{ruleId}: message.text is required");
                if (!result.TryGetProperty("locations", out var locations))
                {
                    continue;
                }

                foreach (var location in locations.EnumerateArray())
                {
                    var physical = location.GetProperty("physicalLocation");
                    var artifact = physical.GetProperty("artifactLocation");
                    var uri = artifact.GetProperty("uri").GetString();
                    Require(Uri.IsWellFormedUriString(uri, UriKind.RelativeOrAbsolute), $"{ruleId}: '{uri}' is not a URI reference");
                    if (artifact.TryGetProperty("index", out var artifactIndex))
                    {
                        Require(artifactIndex.GetInt32() < artifacts.Count && artifacts[artifactIndex.GetInt32()].GetProperty("location").GetProperty("uri").GetString() == uri,
                            $"{ruleId}: artifact index {artifactIndex} does not point to {uri}");
                    }

                    if (physical.TryGetProperty("region", out var region))
                    {
                        Require(region.GetProperty("startLine").GetInt32() >= 1, $"{ruleId}: startLine must be 1 or more");
                        Require(!region.TryGetProperty("startColumn", out var column) || column.GetInt32() >= 1, $"{ruleId}: startColumn must be 1 or more");
                    }
                }
            }

            if (run.TryGetProperty("invocations", out var invocations))
            {
                foreach (var invocation in invocations.EnumerateArray())
                {
                    Require(invocation.TryGetProperty("executionSuccessful", out _), "invocation.executionSuccessful is required");
                    if (invocation.TryGetProperty("ruleConfigurationOverrides", out var overrides))
                    {
                        foreach (var o in overrides.EnumerateArray())
                        {
                            var descriptor = o.GetProperty("descriptor");
                            var id = descriptor.GetProperty("id").GetString();
                            Require(ids.Contains(id!), $"override for unknown rule {id}");
                            Require(!descriptor.TryGetProperty("index", out var i) || ids[i.GetInt32()] == id, $"override index for {id} points elsewhere");
                            var configuration = o.GetProperty("configuration");
                            Require(!configuration.TryGetProperty("level", out var l) || Levels.Contains(l.GetString()), $"override for {id}: bad level");
                        }
                    }
                }
            }
        }

        return problems;
    }

    private static JsonElement Run(JsonDocument doc) => doc.RootElement.GetProperty("runs")[0];

    [Fact]
    public void Sarif_of_the_sample_has_the_required_parts()
    {
        var r = RunCli(["analyze", "--model", "AR320", "--format", "sarif", Sample]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Empty(Check(doc.RootElement));
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", doc.RootElement.GetProperty("$schema").GetString());
        var run = Run(doc);
        Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("codered", driver.GetProperty("name").GetString());
        Assert.Equal(Pack.Advisory.PublisherNamespace, driver.GetProperty("informationUri").GetString());
        Assert.StartsWith("codered ", driver.GetProperty("fullName").GetString());
        Assert.Equal(Pack.Rules.Select(x => x.Id), driver.GetProperty("rules").EnumerateArray().Select(x => x.GetProperty("id").GetString()));

        var invocation = run.GetProperty("invocations")[0];
        Assert.True(invocation.GetProperty("executionSuccessful").GetBoolean());
        Assert.False(invocation.TryGetProperty("ruleConfigurationOverrides", out _));

        var results = run.GetProperty("results").EnumerateArray().ToList();
        var crash = results.Single(x => x.GetProperty("ruleId").GetString() == "CR2004");
        Assert.Equal("error", crash.GetProperty("level").GetString());
        var location = crash.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(13, location.GetProperty("region").GetProperty("startLine").GetInt32());
        // The sample is given as a full path: a relative URI under a base id whose URI is absolute, never a file: URI.
        var artifact = location.GetProperty("artifactLocation");
        var baseUri = run.GetProperty("originalUriBaseIds").GetProperty(artifact.GetProperty("uriBaseId").GetString()!).GetProperty("uri").GetString()!;
        Assert.DoesNotContain(":", artifact.GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(Sample, new Uri(new Uri(baseUri), artifact.GetProperty("uri").GetString()).LocalPath);
        var http = results.Single(x => x.GetProperty("ruleId").GetString() == "CR2001");
        Assert.Equal(3, http.GetProperty("properties").GetProperty("count").GetInt32());
        Assert.Equal(["203.0.113.45", "203.0.113.77"], http.GetProperty("properties").GetProperty("values").GetProperty("peer").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, http.GetProperty("properties").GetProperty("caveats").GetArrayLength());
        Assert.True(http.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startColumn").GetInt32() >= 1);
        Assert.Equal("note", results.Single(x => x.GetProperty("ruleId").GetString() == "CR2005").GetProperty("level").GetString());

        var properties = run.GetProperty("properties");
        Assert.Equal("codered.alliedtelesis.ar", properties.GetProperty("pack").GetProperty("id").GetString());
        Assert.Equal(Pack.Identity.Sha256, properties.GetProperty("pack").GetProperty("sha256").GetString());
        Assert.Equal("act-now", properties.GetProperty("verdict").GetString());
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("summary").GetString()));
        var commands = properties.GetProperty("remediation").EnumerateArray()
            .Where(s => s.TryGetProperty("command", out _)).Select(s => s.GetProperty("command").GetString());
        Assert.Equal(["disable http server", "create config=hq-main.cfg", "restart router"], commands);
        Assert.Single(run.GetProperty("artifacts").EnumerateArray());
    }

    [Fact]
    public void A_firmware_finding_is_at_the_banner_line_that_gave_the_firmware_with_a_device_bag()
    {
        using var doc = JsonDocument.Parse(SampleSarif());
        var device = Run(doc).GetProperty("results").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == "CR1002");
        var location = device.GetProperty("locations")[0].GetProperty("physicalLocation");
        var line = location.GetProperty("region").GetProperty("startLine").GetInt32();
        Assert.Equal(20, line);
        Assert.Contains("Router startup, ver 1.9.3-00", File.ReadAllLines(Sample)[line - 1], StringComparison.Ordinal);
        Assert.Equal(0, location.GetProperty("artifactLocation").GetProperty("index").GetInt32());
        var bag = device.GetProperty("properties").GetProperty("device");
        Assert.Equal("AR320", bag.GetProperty("model").GetString());
        Assert.Equal("1.9.3 PL 0", bag.GetProperty("firmware").GetString());
        Assert.Equal("2.0.4 PL 7", bag.GetProperty("fixedIn").GetString());
    }

    [Fact]
    public void Rules_carry_levels_categories_tags_and_a_help_path()
    {
        using var doc = JsonDocument.Parse(SampleSarif());
        var rules = Run(doc).GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        foreach (var (rule, descriptor) in rules.Zip(Pack.Rules))
        {
            var config = rule.GetProperty("defaultConfiguration");
            Assert.Equal(SarifWriter.Level(descriptor.DefaultSeverity), config.GetProperty("level").GetString());
            Assert.Equal(descriptor.IsEnabledByDefault, config.GetProperty("enabled").GetBoolean());
            Assert.Equal(descriptor.Title.English, rule.GetProperty("shortDescription").GetProperty("text").GetString());
            Assert.Equal(descriptor.Description.English, rule.GetProperty("fullDescription").GetProperty("text").GetString());
            Assert.Matches("^[A-Z][A-Za-z0-9]*$", rule.GetProperty("name").GetString());

            // docs/rules/CR2001.md is relative, and SARIF's helpUri must be absolute: it goes in the property bag.
            Assert.False(rule.TryGetProperty("helpUri", out _));
            var properties = rule.GetProperty("properties");
            Assert.Equal(descriptor.HelpUri, properties.GetProperty("helpPath").GetString());
            Assert.Equal(descriptor.Category, properties.GetProperty("category").GetString());
            Assert.Equal([descriptor.Category, "code-red"], properties.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        Assert.Equal("DeliberateRestartRestartReboot", rules.Single(r => r.GetProperty("id").GetString() == "CR2005").GetProperty("name").GetString());
    }

    [Fact]
    public void An_absolute_help_link_becomes_helpUri()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("helpUri: docs/rules/{id}.md", "helpUri: https://example.org/codered/{id}.html", StringComparison.Ordinal));
        var r = RunCli(["analyze", "--model", "AR130", "--rules", dir.Path, "--format", "sarif"]);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Empty(Check(doc.RootElement));
        var rule = Run(doc).GetProperty("tool").GetProperty("driver").GetProperty("rules")[0];
        Assert.Equal("https://example.org/codered/CR1001.html", rule.GetProperty("helpUri").GetString());
        Assert.False(rule.GetProperty("properties").TryGetProperty("helpPath", out _));
    }

    [Fact]
    public void Severity_settings_become_rule_configuration_overrides()
    {
        using var doc = JsonDocument.Parse(SampleSarif("--severity", "category:LogSignature=error", "--severity", "CR2005=none", "--severity", "CR1001=hidden"));
        Assert.Empty(Check(doc.RootElement));
        var overrides = Run(doc).GetProperty("invocations")[0].GetProperty("ruleConfigurationOverrides").EnumerateArray()
            .ToDictionary(o => o.GetProperty("descriptor").GetProperty("id").GetString()!, o => o.GetProperty("configuration"));

        // The category setting is expanded to every rule of the category; a rule setting wins over it.
        Assert.Equal(["CR1001", "CR2001", "CR2002", "CR2003", "CR2004", "CR2005"], overrides.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("error", overrides["CR2001"].GetProperty("level").GetString());
        Assert.Equal("none", overrides["CR1001"].GetProperty("level").GetString());
        Assert.False(overrides["CR2005"].GetProperty("enabled").GetBoolean());
        Assert.False(overrides["CR2005"].TryGetProperty("level", out _));

        var results = Run(doc).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("error", results.Single(x => x.GetProperty("ruleId").GetString() == "CR2001").GetProperty("level").GetString());
        Assert.DoesNotContain(results, x => x.GetProperty("ruleId").GetString() == "CR2005");
    }

    [Fact]
    public void A_setting_for_all_rules_reaches_every_rule()
    {
        var r = RunCli(["analyze", "--model", "AR100", "--format", "sarif", "--severity", "all=hidden"]);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Empty(Check(doc.RootElement));
        var overrides = Run(doc).GetProperty("invocations")[0].GetProperty("ruleConfigurationOverrides").EnumerateArray().ToList();
        Assert.Equal(Pack.Rules.Count, overrides.Count);
        Assert.All(overrides, o => Assert.Equal("none", o.GetProperty("configuration").GetProperty("level").GetString()));
        Assert.Equal("none", Run(doc).GetProperty("results")[0].GetProperty("level").GetString());
    }

    [Fact]
    public void Standard_input_is_the_artifact_stdin()
    {
        var input = Encoding.UTF8.GetBytes("DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\r\n");
        var r = RunCli(["analyze", "--format", "sarif", "-"], input);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Empty(Check(doc.RootElement));
        var result = Run(doc).GetProperty("results").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == "CR2002");
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("stdin", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(1, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(1, location.GetProperty("region").GetProperty("startColumn").GetInt32());
        Assert.Equal("stdin", Run(doc).GetProperty("artifacts")[0].GetProperty("location").GetProperty("uri").GetString());
    }

    [Theory]
    [InlineData("router.log", "router.log")]
    [InlineData("captures/router one.log", "captures/router%20one.log")]
    [InlineData("a#b?c%d.log", "a%23b%3Fc%25d.log")]
    [InlineData("c:notes.log", "c%3Anotes.log")]
    [InlineData("ログ.txt", "%E3%83%AD%E3%82%B0.txt")]
    [InlineData("-", "stdin")]
    public void Source_names_become_relative_uris(string name, string uri)
    {
        Assert.Equal(uri, SarifWriter.ArtifactUri(name));
        Assert.True(Uri.IsWellFormedUriString(SarifWriter.ArtifactUri(name), UriKind.Relative));
    }

    [Fact]
    public void A_full_path_becomes_a_relative_uri_under_a_base_id()
    {
        using var dir = new TempDir();
        var inside = dir.Write("logs/router one.log", "DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var elsewhere = Path.Combine(Path.GetTempPath(), "codered-elsewhere-" + Guid.NewGuid().ToString("N") + ".log");
        File.WriteAllText(elsewhere, "DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        try
        {
            var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromFile(inside, name: inside), EvidenceSource.FromFile(elsewhere, name: elsewhere)] });
            using var stream = new MemoryStream();
            SarifWriter.Write(stream, [report], Pack, new SarifOptions { BaseDirectory = dir.Path });
            using var doc = JsonDocument.Parse(stream.ToArray());
            var run = Run(doc);
            var artifacts = run.GetProperty("artifacts").EnumerateArray().Select(a => a.GetProperty("location")).ToList();
            Assert.Equal("logs/router%20one.log", artifacts[0].GetProperty("uri").GetString());
            Assert.Equal("SRCROOT", artifacts[0].GetProperty("uriBaseId").GetString());
            Assert.Equal("ROOT", artifacts[1].GetProperty("uriBaseId").GetString());
            foreach (var (artifact, path) in artifacts.Zip([inside, elsewhere]))
            {
                var baseUri = run.GetProperty("originalUriBaseIds").GetProperty(artifact.GetProperty("uriBaseId").GetString()!).GetProperty("uri").GetString()!;
                Assert.EndsWith("/", baseUri);
                Assert.Equal(Path.GetFullPath(path), new Uri(new Uri(baseUri), artifact.GetProperty("uri").GetString()).LocalPath);
            }
        }
        finally
        {
            File.Delete(elsewhere);
        }
    }

    [Fact]
    public void Library_writes_sarif_with_escaped_names_and_the_given_version()
    {
        var severity = SeverityConfiguration.Empty.WithRule("CR2001", DiagnosticSeverity.Error);
        var report = Pack.Evaluate(
            new DeviceEvidence
            {
                Model = "AR720",
                Sources = [EvidenceSource.FromText("captures/router one.log", "x\nHTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.9\n")],
            },
            new EvaluationOptions { Severity = severity });
        using var stream = new MemoryStream();
        SarifWriter.Write(stream, report, Pack, severity, "2.3.4-beta.1");
        using var doc = JsonDocument.Parse(stream.ToArray());
        Assert.Empty(Check(doc.RootElement));
        var driver = Run(doc).GetProperty("tool").GetProperty("driver");
        Assert.Equal("2.3.4-beta.1", driver.GetProperty("version").GetString());
        Assert.Equal("2.3.4-beta.1", driver.GetProperty("semanticVersion").GetString());
        var result = Run(doc).GetProperty("results").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == "CR2001");
        Assert.Equal("error", result.GetProperty("level").GetString());
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("captures/router%20one.log", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(0, location.GetProperty("artifactLocation").GetProperty("index").GetInt32());
        Assert.Equal(2, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Single(Run(doc).GetProperty("invocations")[0].GetProperty("ruleConfigurationOverrides").EnumerateArray());
    }

    [Fact]
    public void A_version_that_is_not_semantic_is_not_written_as_one()
    {
        using var stream = new MemoryStream();
        SarifWriter.Write(stream, Evaluate("AR100"), Pack, toolVersion: "2001.08");
        using var doc = JsonDocument.Parse(stream.ToArray());
        var driver = Run(doc).GetProperty("tool").GetProperty("driver");
        Assert.Equal("2001.08", driver.GetProperty("version").GetString());
        Assert.False(driver.TryGetProperty("semanticVersion", out _));
    }

    [Fact]
    public void Rules_list_does_not_take_sarif()
    {
        var r = RunCli(["rules", "list", "--format", "sarif"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--format must be text or json", r.Stderr);
    }
}
