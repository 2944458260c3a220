using CodeRed.Rules.Loading;
using Newtonsoft.Json.Linq;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Several packs at once: listing built-in packs, --pack and --rules repeated, unique rule IDs, each finding naming its pack.</summary>
public sealed class MultiPackTests
{
    private static string TestPack(string name) => Repo("tests", "CodeRed.Rules.Tests", "TestPacks", name);

    [Fact]
    public void Packs_lists_every_built_in_pack_in_text_and_json()
    {
        var text = RunCli(["packs", "--lang", "en"]);
        Assert.Equal(0, text.ExitCode);
        foreach (var pack in RulePack.BuiltIn)
        {
            Assert.Contains(pack.Identity.Sha256, text.Stdout);
            Assert.Contains(pack.Title.English, text.Stdout);
        }

        Assert.Contains(Pack.Identity.Id + "*", text.Stdout);

        var json = RunCli(["packs", "--format", "json"]);
        Assert.Equal(0, json.ExitCode);
        var packs = (JArray)JObject.Parse(json.Stdout)["packs"]!;
        Assert.Equal(RulePack.BuiltIn.Select(p => p.Identity.Id), packs.Select(p => (string)p["id"]!));
        Assert.Equal(Pack.Rules.Count, (int)packs[0]["rules"]!);
        Assert.Equal(Pack.Identity.Sha256, (string)packs[0]["sha256"]!);
        Assert.Equal(Pack.Identity.Version, (string)packs[0]["version"]!);
        Assert.True((bool)packs[0]["default"]!);
    }

    [Fact]
    public void Two_packs_judge_the_same_evidence_and_each_finding_names_its_pack()
    {
        using var dir = new TempDir();
        var log = dir.Write("device.log", "outer\ninner\nouter\n");
        var r = RunCli(["analyze", "--rules", TestPack("nested"), "--rules", Path.Combine(TestPack("nested"), "inner"), "--format", "json", log]);
        Assert.Equal(1, r.ExitCode);
        var json = JObject.Parse(r.Stdout);
        Assert.Equal(["test.nested.outer", "test.nested.inner"], ((JArray)json["packs"]!).Select(p => (string)p["id"]!));
        Assert.All((JArray)json["packs"]!, p => Assert.Matches("^[0-9a-f]{64}$", (string)p["sha256"]!));
        var reports = (JArray)json["reports"]!;
        Assert.Equal(2, reports.Count);
        var outer = reports[0]["diagnostics"]!.Single(d => (string)d["id"]! == "TO9001");
        Assert.Equal("test.nested.outer", (string)outer["pack"]!);
        Assert.Equal(2, (int)outer["count"]!);
        var inner = reports[1]["diagnostics"]!.Single(d => (string)d["id"]! == "TI9001");
        Assert.Equal("test.nested.inner", (string)inner["pack"]!);
        Assert.Equal(2, (int)inner["line"]!);
    }

    [Fact]
    public void A_built_in_pack_and_a_folder_together_give_one_report_each_in_text()
    {
        using var dir = new TempDir();
        var log = dir.Write("device.log", "outer\n");
        var r = RunCli(["analyze", "--lang", "en", "--pack", Pack.Identity.Id, "--rules", TestPack("nested"), log]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"Pack: {Pack.Identity.Id} {Pack.Identity.Version} (sha256 {Pack.Identity.Sha256})", r.Stdout);
        Assert.Contains("Pack: test.nested.outer 1.0.0 (sha256 ", r.Stdout);
        Assert.Contains("TO9001 line 1", r.Stdout);
    }

    [Fact]
    public void With_one_pack_the_json_report_is_one_report_whose_findings_name_the_pack()
    {
        var r = RunCli(["analyze", "--model", "AR320", "--firmware", "2.0.4 PL 6", "--format", "json"]);
        var json = JObject.Parse(r.Stdout);
        Assert.Null(json["reports"]);
        Assert.All((JArray)json["diagnostics"]!, d => Assert.Equal(Pack.Identity.Id, (string)d["pack"]!));
    }

    [Fact]
    public void A_rule_id_in_two_packs_is_a_load_error_naming_both_files()
    {
        var r = RunCli(["analyze", "--rules", TestPack("nested"), "--rules", TestPack("collision"), "--format", "json"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var first = Path.Join(TestPack("nested"), "rules/outer.yaml");
        var second = Path.Join(TestPack("collision"), "same-id.yaml");
        Assert.Contains($"{second}(2,5): error: rule id 'TO9001' of pack test.collision is also defined by pack test.nested.outer at {first}(2,5)", r.Stderr);
    }

    [Fact]
    public void The_library_refuses_colliding_packs_and_a_pack_given_twice()
    {
        var outer = RulePack.LoadFrom(TestPack("nested"));
        var collision = RulePack.LoadFrom(TestPack("collision"));
        var e = Assert.Throws<RulePackException>(() => RulePack.EnsureDistinct([outer, collision]));
        Assert.Contains("TO9001", Assert.Single(e.Problems).Message);
        var twice = Assert.Throws<RulePackException>(() => RulePack.EnsureDistinct([outer, RulePack.LoadFrom(TestPack("nested"))]));
        Assert.Contains("used twice", Assert.Single(twice.Problems).Message);
        RulePack.EnsureDistinct([Pack, outer]);
    }

    [Fact]
    public void An_unknown_pack_id_is_a_usage_error_listing_the_built_in_ones()
    {
        var r = RunCli(["analyze", "--pack", "no.such.pack"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--pack: no built-in pack 'no.such.pack' (built in: {Pack.Identity.Id}", r.Stderr);
    }

    [Fact]
    public void Severity_settings_apply_to_the_pack_that_has_the_rule()
    {
        using var dir = new TempDir();
        var log = dir.Write("device.log", "outer\ninner\n");
        var r = RunCli(["analyze", "--rules", TestPack("nested"), "--rules", Path.Combine(TestPack("nested"), "inner"), "--severity", "TI9001=error", "--format", "json", log]);
        var reports = (JArray)JObject.Parse(r.Stdout)["reports"]!;
        Assert.Equal("warning", (string)reports[0]["diagnostics"]!.Single(d => (string)d["id"]! == "TO9001")["severity"]!);
        Assert.Equal("error", (string)reports[1]["diagnostics"]!.Single(d => (string)d["id"]! == "TI9001")["severity"]!);

        var unknown = RunCli(["analyze", "--rules", TestPack("nested"), "--rules", Path.Combine(TestPack("nested"), "inner"), "--severity", "XX9999=error", log]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no rule 'XX9999' in the packs test.nested.outer, test.nested.inner", unknown.Stderr);
    }

    [Fact]
    public void Sarif_of_several_packs_has_one_run_per_pack_with_distinct_automation_ids()
    {
        using var dir = new TempDir();
        var log = dir.Write("device.log", "outer\n");
        var r = RunCli(["analyze", "--pack", Pack.Identity.Id, "--rules", TestPack("nested"), "--format", "sarif", log]);
        var runs = (JArray)JObject.Parse(r.Stdout)["runs"]!;
        Assert.Equal(2, runs.Count);
        var ids = runs.Select(run => (string)run["automationDetails"]!["id"]!).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.EndsWith("/test.nested.outer/", ids[1]);
        Assert.Contains("TO9001", runs[1]["tool"]!["driver"]!["rules"]!.Select(x => (string)x["id"]!));
        Assert.DoesNotContain("TO9001", runs[0]["tool"]!["driver"]!["rules"]!.Select(x => (string)x["id"]!));
    }

    [Fact]
    public void Rules_list_shows_each_pack()
    {
        var r = RunCli(["rules", "list", "--pack", Pack.Identity.Id, "--rules", TestPack("nested"), "--format", "json"]);
        Assert.Equal(0, r.ExitCode);
        var catalogues = JArray.Parse(r.Stdout);
        Assert.Equal([Pack.Identity.Id, "test.nested.outer"], catalogues.Select(c => (string)c["pack"]!["id"]!));
    }

    [Fact]
    public void A_fleet_with_several_packs_is_refused()
    {
        using var dir = new TempDir();
        dir.Write("fleet/a.log", "outer\n");
        var r = RunCli(["analyze", "--pack", Pack.Identity.Id, "--rules", TestPack("nested"), Path.Combine(dir.Path, "fleet")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("one pack", r.Stderr);
    }
}
