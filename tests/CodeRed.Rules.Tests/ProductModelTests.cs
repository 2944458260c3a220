using System.Text.Json.Nodes;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The general product model with the product test pack (tests/.../TestPacks/product): a fix that is a patch, the dotted
/// version scheme, a version range, aliases, the version and a patch read from the evidence, and the pack's product
/// words in text and CSAF output.
/// </summary>
public sealed class ProductModelTests
{
    private static string ProductPack => Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "product");

    private static RulePack Product { get; } = RulePack.LoadFrom(ProductPack);

    private static AnalysisReport Judge(string? model, string? version, IReadOnlyList<string>? patches, string log = "") =>
        Product.Evaluate(new DeviceEvidence { Model = model, Version = version, Patches = patches, Sources = log.Length == 0 ? [] : [EvidenceSource.FromText("w3c.log", log)] });

    [Fact]
    public void The_pack_reads_its_scheme_terms_and_patch_fix()
    {
        Assert.Same(VersionScheme.Dotted, Product.Product.VersionScheme);
        Assert.Equal("hotfix", Product.Product.Terms.Patch.English);
        var iis = Assert.Single(Product.Models.Models);
        Assert.Null(iis.FixedIn);
        Assert.Equal("MS01-033", iis.FixPatch);
        Assert.True(iis.HasFix);
        Assert.Equal("4.0", iis.VersionsFrom!.ToString());
        Assert.Same(iis, Product.Models.Find("microsoft iis"));
        Assert.Same(iis, Product.Models.Find("Internet-Information-Services"));

        // The default pack keeps today's scheme and words, now from its pack.yaml.
        Assert.Same(VersionScheme.ArFirmware, Pack.Product.VersionScheme);
        Assert.Equal("firmware", Pack.Product.Terms.Version.English);
    }

    [Fact]
    public void Dotted_versions_parse_compare_and_print_without_a_patch_level()
    {
        var v = VersionScheme.Dotted.Parse("5.0");
        Assert.Equal("5.0", v.ToString());
        Assert.True(VersionScheme.Dotted.Parse("4.0.1") < v);
        Assert.False(VersionScheme.Dotted.TryParse("5.0 + MS01-033", out _, out var error));
        Assert.Contains("not a version", error);
        Assert.Equal("2.0.4 PL 7", VersionScheme.ArFirmware.Parse("2.0.4-07").ToString());
    }

    [Fact]
    public void A_missing_patch_fires_and_its_remediation_names_the_patch()
    {
        var report = Judge("IIS", "5.0", []);
        var d = Assert.Single(report.Diagnostics);
        Assert.Equal("TP1001", d.Id);
        Assert.Equal("IIS 5.0 lacks the fix MS01-033 (installed: none).", d.Message);
        Assert.Equal("Install the hotfix MS01-033.", Assert.Single(report.Remediation).Text);
    }

    [Fact]
    public void An_installed_patch_an_unknown_list_and_a_version_out_of_range_each_have_their_state()
    {
        Assert.Equal(["TP1002"], Judge("IIS", "5.0", ["ms01-033"]).Ids());
        Assert.Equal(["TP1004"], Judge("IIS", "5.0", null).Ids());
        Assert.Equal(["TP1003"], Judge("IIS", "6.0", []).Ids());
        Assert.Equal(["TP1003"], Judge("IIS", "3.0", null).Ids().Where(id => id != "TP1004").ToArray());
    }

    [Fact]
    public void The_version_and_the_patch_are_read_from_the_evidence()
    {
        var report = Judge("Microsoft-IIS", null, null, "#Software: Microsoft Internet Information Services 5.0\n#Hotfix: MS01-033\n");
        Assert.Equal("5.0", report.Device.Version!.ToString());
        Assert.Equal("w3c.log:1", report.Device.FirmwareSource);
        Assert.Equal(["MS01-033"], report.Device.Patches!);
        Assert.Equal(["TP1002"], report.Ids());

        // Without the hotfix line the patch list stays unknown.
        Assert.Equal(["TP1004"], Judge("IIS", null, null, "#Software: Microsoft Internet Information Services 5.0\n").Ids());
    }

    [Fact]
    public void The_cli_takes_product_version_and_patch_and_writes_the_packs_words()
    {
        var r = RunCli(["analyze", "--rules", ProductPack, "--model", "IIS", "--product-version", "5.0", "--patch", "none", "--lang", "en"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Device: IIS, server version 5.0 (given)", r.Stdout);
        Assert.Contains("Server and server version:", r.Stdout);
        Assert.DoesNotContain("firmware", r.Stdout, StringComparison.OrdinalIgnoreCase);

        var installed = RunCli(["analyze", "--rules", ProductPack, "--model", "IIS", "--product-version", "5.0", "--patch", "MS01-033", "--format", "json"]);
        Assert.Equal(0, installed.ExitCode);
        Assert.Contains("\"TP1002\"", installed.Stdout);

        var bad = RunCli(["analyze", "--rules", ProductPack, "--model", "IIS", "--product-version", "5.0 + MS01-033"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--product-version: '5.0 + MS01-033' is not a version", bad.Stderr);

        var mixed = RunCli(["analyze", "--rules", ProductPack, "--patch", "none", "--patch", "MS01-033"]);
        Assert.Equal(2, mixed.ExitCode);
    }

    [Fact]
    public void The_csaf_export_of_a_patch_fix_is_a_vendor_fix_in_the_packs_words()
    {
        var r = RunCli(["export", "csaf", "--rules", ProductPack]);
        Assert.Equal(0, r.ExitCode);
        var doc = JsonNode.Parse(r.Stdout)!;
        var remediation = doc["vulnerabilities"]![0]!["remediations"]!.AsArray();
        var fix = Assert.Single(remediation, x => (string)x!["category"]! == "vendor_fix")!;
        Assert.Equal("Install the hotfix MS01-033.", (string)fix["details"]!);
        Assert.DoesNotContain("router", r.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("firmware", r.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("none_available", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_is_read_from_the_evidence_when_none_is_given()
    {
        var report = Judge(null, null, null, "#Software: Microsoft Internet Information Services 5.0\n#Hotfix: MS01-033\n");
        Assert.Equal("IIS", report.Device.Model!.Name);
        Assert.Equal("Internet Information Services", report.Device.ModelInput);
        Assert.Equal("w3c.log:1", report.Device.ModelSource);
        Assert.Equal(["TP1002"], report.Ids());
        using var json = new MemoryStream();
        Output.JsonReportWriter.Write(json, report);
        var device = JsonNode.Parse(json.ToArray())!["device"]!;
        Assert.Equal("w3c.log:1", (string?)device["modelSource"]);
        Assert.Equal("IIS", (string?)device["model"]);

        // A model given wins over the evidence, and says nothing of where it came from.
        var given = Judge("Apache", null, null, "#Software: Microsoft Internet Information Services 5.0\n");
        Assert.Equal("Apache", given.Device.ModelInput);
        Assert.Null(given.Device.ModelSource);

        // Without the header the model stays unknown.
        Assert.Null(Judge(null, null, null, "GET / 200\n").Device.ModelInput);
    }

    [Fact]
    public void A_line_rule_for_other_models_drops_its_findings_once_the_evidence_names_the_model()
    {
        var files = Directory.EnumerateFiles(ProductPack).Select(f => new KeyValuePair<string, string>(Path.GetFileName(f), File.ReadAllText(f))).ToList();
        files.Add(new("apache-only.yaml", """
            kind: rule
            id: TP2001
            title: A probe only some servers answer
            message: "Probe seen."
            description: Applies to Apache only.
            category: LogSignature
            severity: warning
            models: [Apache]
            match: [{ literal: 'GET /probe' }]
            """));
        files[files.FindIndex(f => f.Key == "models.yaml")] = new("models.yaml", File.ReadAllText(Path.Combine(ProductPack, "models.yaml"))
            + "  - { name: Apache, status: not-affected, note: ida, workaround: false, fixedIn: pending }\n");
        var pack = RulePack.LoadFromTexts(files);
        AnalysisReport Run(string log) => pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("w3c.log", log)] });
        Assert.Contains("TP2001", Run("GET /probe\n").Ids()); // model unknown: every signature rule runs
        Assert.DoesNotContain("TP2001", Run("#Software: Microsoft Internet Information Services 5.0\nGET /probe\n").Ids());
    }

    [Fact]
    public void A_patch_fact_collects_every_patch_the_evidence_states_and_the_fix_is_known_by_its_aliases()
    {
        // Two hotfix lines: the fact keeps the last, the patch list keeps both (the fix is the first one).
        var report = Judge("IIS", "5.0", null, "#Hotfix: MS01-033\n#Hotfix: MS01-026\n");
        Assert.Equal(["MS01-033", "MS01-026"], report.Device.Patches!);
        Assert.Equal(["TP1002"], report.Ids());

        // The fix under its Knowledge Base number counts as the fix, whether read or given.
        Assert.Equal(["TP1002"], Judge("IIS", "5.0", null, "#Hotfix: Q300972\n").Ids());
        Assert.Equal(["TP1002"], Judge("IIS", "5.0", ["q300972"]).Ids());
        Assert.Equal(["TP1001"], Judge("IIS", "5.0", ["Q293826"]).Ids());
    }

    [Fact]
    public void Patches_read_survive_a_snapshot()
    {
        var session = EvaluationSession.Start(Product, new SessionOptions { Model = "IIS", Firmware = "5.0" });
        session.BeginSource("w3c.log");
        session.WriteLine("#Hotfix: MS01-026");
        session.WriteLine("#Hotfix: Q300972");
        var restored = EvaluationSession.Restore([Product], session.CaptureSnapshot());
        Assert.Equal(["MS01-026", "Q300972"], restored.GetReports()[0].Device.Patches!);
        Assert.Equal(["TP1002"], restored.GetReports()[0].Ids());
    }

    [Fact]
    public void New_keys_are_checked()
    {
        static string Problems(string models) =>
            string.Join("\n", Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts([
                new("pack.yaml", File.ReadAllText(Path.Combine(ProductPack, "pack.yaml"))),
                new("models.yaml", models),
            ])).Problems);

        Assert.Contains("'fixedIn' must have exactly one of 'version' or 'patch'", Problems("""
            kind: models
            notes: { n: { en: n } }
            models:
              - { name: A, status: affected, note: n, workaround: false, fixedIn: { version: "1.0", patch: X } }
            """));
        Assert.Contains("'versions' is empty", Problems("""
            kind: models
            notes: { n: { en: n } }
            models:
              - { name: A, status: affected, note: n, workaround: false, fixedIn: pending, versions: { from: "6.0", before: "5.0" } }
            """));
        Assert.Contains("'aliases' names other ids of the fixing patch; it needs 'patch'", Problems("""
            kind: models
            notes: { n: { en: n } }
            models:
              - { name: A, status: affected, note: n, workaround: false, fixedIn: { version: "1.0", aliases: [Q1] } }
            """));
        Assert.Contains("is not a version (expected dotted numbers", Problems("""
            kind: models
            notes: { n: { en: n } }
            models:
              - { name: A, status: affected, note: n, workaround: false, fixedIn: 2.0.4 PL 7 }
            """));
    }
}
