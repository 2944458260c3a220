using System.Diagnostics;
using System.Text.Json.Nodes;
using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The CSAF recommended tests (6.2) the export once failed: the CVSS score of every affected product (6.2.3), the TLP
/// label (6.2.10), the canonical URL (6.2.11), sorted keys (6.2.13) and a product identification helper (6.2.16),
/// with the facts read from the pack; plus the CWE (informative 6.3.4). The reference validator runs on both
/// documents when node and @secvisogram/csaf-validator-lib are installed (.ci/run installs them).
/// </summary>
public class CsafRecommendedTests
{
    private static JsonNode Document(bool vex) => JsonNode.Parse(vex ? CsafTests.Export("--vex") : CsafTests.Export())!;

    private static List<string> Strings(JsonNode? node) => node?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_affected_product_has_the_published_CVSS_v2_score(bool vex)
    {
        var v = Document(vex)["vulnerabilities"]![0]!;
        var score = Assert.Single(v["scores"]!.AsArray())!;
        var cvss = score["cvss_v2"]!;
        Assert.Equal("2.0", cvss["version"]!.GetValue<string>());
        Assert.Equal(Pack.Vulnerabilities[0].CvssV2!.Vector, cvss["vectorString"]!.GetValue<string>());
        Assert.Equal("AV:N/AC:L/Au:N/C:C/I:C/A:C", cvss["vectorString"]!.GetValue<string>());
        Assert.Equal(10.0, cvss["baseScore"]!.GetValue<double>());
        var affected = Strings(v["product_status"]!["known_affected"]);
        Assert.Equal(7, affected.Count);
        Assert.Equal(affected, Strings(score["products"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_document_has_the_TLP_label_the_canonical_URL_and_the_CWE_of_the_pack(bool vex)
    {
        var doc = Document(vex);
        Assert.Equal("WHITE", doc["document"]!["distribution"]!["tlp"]!["label"]!.GetValue<string>());
        var self = Assert.Single(doc["document"]!["references"]!.AsArray(), r => r!["category"]!.GetValue<string>() == "self")!;
        var url = self["url"]!.GetValue<string>();
        Assert.Equal(Pack.Advisory.CanonicalUrl, url);
        // CSAF's file name of the tracking id: lower case, other characters as '_'.
        Assert.EndsWith("/codered_alliedtelesis_ar.json", url, StringComparison.Ordinal);
        Assert.Equal("codered.alliedtelesis.ar", doc["document"]!["tracking"]!["id"]!.GetValue<string>());
        var cwe = doc["vulnerabilities"]![0]!["cwe"]!;
        Assert.Equal("CWE-119", cwe["id"]!.GetValue<string>());
        Assert.Equal("Improper Restriction of Operations within the Bounds of a Memory Buffer", cwe["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_product_names_its_model_number(bool vex)
    {
        var doc = Document(vex);
        var products = new List<(string Model, JsonNode Product)>();
        void Walk(JsonNode branch, string? model)
        {
            var name = branch["name"]!.GetValue<string>();
            model = branch["category"]!.GetValue<string>() == "product_name" ? name : model;
            if (branch["product"] is { } product)
            {
                products.Add((model!, product));
            }

            foreach (var child in branch["branches"]?.AsArray() ?? [])
            {
                Walk(child!, model);
            }
        }

        foreach (var branch in doc["product_tree"]!["branches"]!.AsArray())
        {
            Walk(branch!, null);
        }

        Assert.Equal(16, products.Count);
        foreach (var (model, product) in products)
        {
            Assert.Equal([model], Strings(product["product_identification_helper"]!["model_numbers"]));
        }

        Assert.Equal(Pack.Models.Models.Select(m => m.Name).Order(StringComparer.Ordinal), products.Select(p => p.Model).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_object_has_its_keys_in_alphabetical_order(bool vex)
    {
        var unsorted = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    var keys = o.Select(p => p.Key).ToList();
                    if (!keys.SequenceEqual(keys.Order(StringComparer.Ordinal)))
                    {
                        unsorted.Add($"{path}: {string.Join(", ", keys)}");
                    }

                    foreach (var (key, value) in o)
                    {
                        Walk(value, $"{path}/{key}");
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        Walk(a[i], $"{path}/{i}");
                    }

                    break;
            }
        }

        Walk(Document(vex), "");
        Assert.Empty(unsorted);
    }

    [Theory]
    [InlineData("tlp: WHITE", "tlp: CLEAR", "'tlp' must be one of AMBER, GREEN, RED, WHITE, not 'CLEAR'")]
    [InlineData("csaf/codered_alliedtelesis_ar.json", "csaf/advisory.json", "must be an https URL ending with the CSAF file name '/codered_alliedtelesis_ar.json'")]
    [InlineData("canonicalUrl: https://", "canonicalUrl: http://", "must be an https URL")]
    [InlineData("id: CWE-119", "id: CWE119", "'CWE119' is not a CWE id")]
    [InlineData("vector: \"AV:N/AC:L/Au:N/C:C/I:C/A:C\"", "vector: \"CVSS:3.1/AV:N/AC:L\"", "is not a CVSS v2 base vector")]
    [InlineData("baseScore: 10.0", "baseScore: 11", "'baseScore' must be a number from 0.0 to 10.0")]
    [InlineData("baseScore: 10.0", "baseScore: ten", "'baseScore' must be a number from 0.0 to 10.0")]
    [InlineData(", baseScore: 10.0", "", "'cvssV2' is missing the required key 'baseScore'")]
    [InlineData("name: Improper Restriction of Operations within the Bounds of a Memory Buffer", "nom: x", "unknown key 'nom'")]
    public void Bad_advisory_data_is_refused_with_its_place(string from, string to, string message)
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var text = File.ReadAllText(manifest);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(manifest, text.Replace(from, to, StringComparison.Ordinal));
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        var problem = Assert.Single(e.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal("pack.yaml", problem.File);
        Assert.True(problem.Line > 1 && problem.Column >= 1);
    }

    [Fact]
    public void A_pack_without_the_new_advisory_data_still_exports_without_them()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var text = string.Join('\n', File.ReadAllText(manifest).Split('\n')
            .Where(l => !l.StartsWith("  tlp:", StringComparison.Ordinal) && !l.StartsWith("  canonicalUrl:", StringComparison.Ordinal)
                && !l.StartsWith("    cwe:", StringComparison.Ordinal) && !l.StartsWith("    cvssV2:", StringComparison.Ordinal)));
        File.WriteAllText(manifest, text);
        var r = RunCli(["export", "csaf", "--rules", dir.Path]);
        Assert.Equal(0, r.ExitCode);
        var doc = JsonNode.Parse(r.Stdout)!;
        Assert.Null(doc["document"]!["distribution"]);
        Assert.DoesNotContain(doc["document"]!["references"]!.AsArray(), x => x!["category"]!.GetValue<string>() == "self");
        Assert.Null(doc["vulnerabilities"]![0]!["scores"]);
        Assert.Null(doc["vulnerabilities"]![0]!["cwe"]);
        Assert.Empty(CsafChecks.Mandatory(doc));
    }

    /// <summary>
    /// The reference validator (BSI/secvisogram csaf-validator-lib) through tests/validators/csaf-validate.mjs: the
    /// strict schema, every mandatory and recommended test, and the offline informative tests. Any error or
    /// recommended-test warning fails.
    /// </summary>
    [ExternalToolFact("node", "apt-get install nodejs npm; npm install --prefix artifacts/tools @secvisogram/csaf-validator-lib@2.0.10")]
    public void The_reference_validator_finds_no_error_and_no_recommended_warning()
    {
        var node = ExternalTools.Require("node");
        var lib = Path.Combine(ExternalTools.NodeToolsDir, "node_modules", "@secvisogram", "csaf-validator-lib", "validateStrict.js");
        if (!File.Exists(lib))
        {
            Assert.Fail($"{lib} is missing: npm install --prefix artifacts/tools @secvisogram/csaf-validator-lib@2.0.10 (.ci/run does)");
        }

        using var dir = new TempDir();
        var advisory = Path.Combine(dir.Path, "advisory.json");
        var vex = Path.Combine(dir.Path, "vex.json");
        File.WriteAllText(advisory, CsafTests.Export());
        File.WriteAllText(vex, CsafTests.Export("--vex"));

        // A pack whose fix is a patch (the product test pack) must pass the same tests.
        var productPack = Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "product");
        var productAdvisory = Path.Combine(dir.Path, "product-advisory.json");
        var productVex = Path.Combine(dir.Path, "product-vex.json");
        File.WriteAllText(productAdvisory, CsafTests.Export("--rules", productPack));
        File.WriteAllText(productVex, CsafTests.Export("--vex", "--rules", productPack));

        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo("tests", "validators", "csaf-validate.mjs"), advisory, vex, productAdvisory, productVex })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the validator did not finish in two minutes");
        Assert.True(process.ExitCode == 0, $"csaf-validate.mjs exited {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        // Both documents were validated, and the recommended tests ran (the summary line names them).
        Assert.Contains($"{advisory}: ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{vex}: ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{productAdvisory}: ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{productVex}: ", stdout, StringComparison.Ordinal);
        Assert.Contains("20 recommended", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": warning ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": error ", stdout, StringComparison.Ordinal);
    }
}
