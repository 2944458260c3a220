using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// CSAF 2.0 export: the document's facts come from the pack, and it passes the CSAF mandatory tests that apply to
/// it (section 6.1 of the standard), implemented here so the normal test run needs no schema or validator.
/// </summary>
public class CsafTests
{
    internal static string Export(params string[] extra)
    {
        var r = RunCli(["export", "csaf", .. extra]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        return r.Stdout;
    }

    private static JsonNode Document(bool vex = false) => JsonNode.Parse(vex ? Export("--vex") : Export())!;

    private static List<string> Ids(JsonNode? node) => node?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [];

    private static JsonNode Vulnerability(JsonNode doc) => doc["vulnerabilities"]![0]!;

    /// <summary>The ids of products whose model name (as in the tree) matches, with the given product name suffix.</summary>
    private static string Product(JsonNode doc, string name) =>
        CsafChecks.Products(doc).Single(p => p.Name == name).Id;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Document_passes_the_mandatory_tests(bool vex)
    {
        var doc = Document(vex);
        Assert.Empty(CsafChecks.Mandatory(doc));
        Assert.Equal(vex ? "csaf_vex" : "csaf_security_advisory", doc["document"]!["category"]!.GetValue<string>());
        Assert.Equal("2.0", doc["document"]!["csaf_version"]!.GetValue<string>());
    }

    [Fact]
    public void Document_metadata_comes_from_the_pack()
    {
        var document = Document()["document"]!;
        Assert.Equal("vendor", document["publisher"]!["category"]!.GetValue<string>());
        Assert.Equal(Pack.Advisory.Publisher, document["publisher"]!["name"]!.GetValue<string>());
        Assert.Equal("https://www.allied-telesis.co.jp", document["publisher"]!["namespace"]!.GetValue<string>());
        Assert.Equal(Pack.Advisory.Title.English, document["title"]!.GetValue<string>());
        Assert.Equal("ja", document["source_lang"]!.GetValue<string>());

        var tracking = document["tracking"]!;
        Assert.Equal("codered.alliedtelesis.ar", tracking["id"]!.GetValue<string>());
        Assert.Equal("final", tracking["status"]!.GetValue<string>());
        Assert.Equal("2001-08-09T00:00:00Z", tracking["initial_release_date"]!.GetValue<string>());
        Assert.Equal("2002-05-01T00:00:00Z", tracking["current_release_date"]!.GetValue<string>());
        var revisions = tracking["revision_history"]!.AsArray();
        Assert.Equal(["1", "2"], revisions.Select(r => r!["number"]!.GetValue<string>()));
        Assert.Equal(["2001-08-09T00:00:00Z", "2002-05-01T00:00:00Z"], revisions.Select(r => r!["date"]!.GetValue<string>()));
        Assert.Equal("2", tracking["version"]!.GetValue<string>());
        Assert.Equal("codered", tracking["generator"]!["engine"]!["name"]!.GetValue<string>());

        var notes = document["notes"]!.AsArray();
        Assert.Contains(notes, n => n!["category"]!.GetValue<string>() == "summary" && n["text"]!.GetValue<string>().Contains("Code Red", StringComparison.Ordinal));
        var general = notes.Where(n => n!["category"]!.GetValue<string>() == "general").Select(n => n!["text"]!.GetValue<string>()).ToList();
        Assert.Contains("A normally working router may log the same lines.", general);
        Assert.Equal(3, general.Count);
        Assert.Contains(notes, n => n!["text"]!.GetValue<string>().Contains(Pack.Identity.Version, StringComparison.Ordinal));

        var urls = document["references"]!.AsArray().Select(r => r!["url"]!.GetValue<string>()).ToList();
        Assert.Equal([Pack.Advisory.CanonicalUrl!, .. Pack.References.Select(r => r.Url!)], urls);
        Assert.Contains("http://www.cert.org/advisories/CA-2001-23.html", urls);
    }

    [Fact]
    public void Product_tree_has_every_model_and_each_fixed_firmware()
    {
        var doc = Document();
        var vendor = doc["product_tree"]!["branches"]![0]!;
        Assert.Equal("vendor", vendor["category"]!.GetValue<string>());
        var models = vendor["branches"]!.AsArray();
        Assert.Equal(Pack.Models.Models.Select(m => m.Name), models.Select(m => m!["name"]!.GetValue<string>()));
        Assert.All(models, m => Assert.Equal("product_name", m!["category"]!.GetValue<string>()));

        var ar320 = models.Single(m => m!["name"]!.GetValue<string>() == "AR320")!["branches"]!.AsArray();
        Assert.Equal(["product_version_range", "product_version"], ar320.Select(b => b!["category"]!.GetValue<string>()));
        Assert.Equal("vers:generic/<2.0.4-7", ar320[0]!["name"]!.GetValue<string>());
        Assert.Equal("2.0.4 PL 7", ar320[1]!["name"]!.GetValue<string>());
        Assert.Equal("CSAFPID-AR320-2.0.4PL7", ar320[1]!["product"]!["product_id"]!.GetValue<string>());
        Assert.Equal("AR320 firmware before 2.0.4 PL 7", ar320[0]!["product"]!["name"]!.GetValue<string>());

        var ar720 = models.Single(m => m!["name"]!.GetValue<string>() == "AR720")!["branches"]!.AsArray();
        Assert.Equal("2.0.7 PL 4", ar720[1]!["name"]!.GetValue<string>());
        Assert.Equal("CSAFPID-AR130", models.Single(m => m!["name"]!.GetValue<string>() == "AR130")!["product"]!["product_id"]!.GetValue<string>());
    }

    [Fact]
    public void Product_status_follows_the_model_matrix()
    {
        var doc = Document();
        var v = Vulnerability(doc);
        Assert.Equal("CVE-2001-0500", v["cve"]!.GetValue<string>());
        Assert.Equal(Pack.Vulnerabilities[0].Title.English, v["title"]!.GetValue<string>());
        var status = v["product_status"]!;

        string[] fixedModels = ["AR300 V2", "AR300L V2", "AR320", "AR720", "AR740"];
        string[] affected = [Product(doc, "AR130"), Product(doc, "AR160"), .. fixedModels.Select(m => Product(doc, $"{m} firmware before {Pack.Models.Find(m)!.FixedIn}"))];
        Assert.Equal(affected, Ids(status["known_affected"]));
        var fixedIds = fixedModels.Select(m => Product(doc, $"{m} {Pack.Models.Find(m)!.FixedIn}")).ToList();
        Assert.Equal(fixedIds, Ids(status["fixed"]));
        Assert.Equal(fixedIds, Ids(status["recommended"]));
        Assert.Equal(["CSAFPID-AR100", "CSAFPID-AR220E", "CSAFPID-AR300", "CSAFPID-AR300L"], Ids(status["known_not_affected"]));
    }

    [Fact]
    public void Remediations_are_the_workaround_the_fixes_and_none_yet()
    {
        var doc = Document();
        var remediations = Vulnerability(doc)["remediations"]!.AsArray();

        var workaround = remediations.Single(r => r!["category"]!.GetValue<string>() == "workaround")!;
        var details = workaround["details"]!.GetValue<string>();
        var commands = new[] { "disable http server", "create config=<currentConfig>", "restart router" };
        Assert.All(commands, c => Assert.Contains(c, details, StringComparison.Ordinal));
        Assert.True(details.IndexOf(commands[0], StringComparison.Ordinal) < details.IndexOf(commands[1], StringComparison.Ordinal)
            && details.IndexOf(commands[1], StringComparison.Ordinal) < details.IndexOf(commands[2], StringComparison.Ordinal), "the commands are in order");
        Assert.Contains("show config", details, StringComparison.Ordinal);
        var workaroundModels = Pack.Models.Models.Where(m => m.WorkaroundApplies).Select(m => m.Name).ToList();
        Assert.Equal(7, workaroundModels.Count);
        Assert.Equal(Ids(Vulnerability(doc)["product_status"]!["known_affected"]), Ids(workaround["product_ids"]));

        var fixes = remediations.Where(r => r!["category"]!.GetValue<string>() == "vendor_fix").ToList();
        Assert.Equal(2, fixes.Count);
        Assert.Contains("2.0.4 PL 7", fixes[0]!["details"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["CSAFPID-AR300V2-BEFORE-2.0.4PL7", "CSAFPID-AR300LV2-BEFORE-2.0.4PL7", "CSAFPID-AR320-BEFORE-2.0.4PL7"], Ids(fixes[0]!["product_ids"]));
        Assert.Contains("2.0.7 PL 4", fixes[1]!["details"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["CSAFPID-AR720-BEFORE-2.0.7PL4", "CSAFPID-AR740-BEFORE-2.0.7PL4"], Ids(fixes[1]!["product_ids"]));

        var none = remediations.Where(r => r!["category"]!.GetValue<string>() == "none_available").ToList();
        Assert.Equal(["CSAFPID-AR130", "CSAFPID-AR160"], none.SelectMany(r => Ids(r!["product_ids"])));
        Assert.All(none, r => Assert.Contains("under internal coordination", r!["details"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public void Not_affected_models_have_a_justification_and_every_status_an_impact_statement()
    {
        var v = Vulnerability(Document(vex: true));
        var flag = v["flags"]!.AsArray().Single()!;
        Assert.Equal("vulnerable_code_not_in_execute_path", flag["label"]!.GetValue<string>());
        Assert.Equal(["CSAFPID-AR100", "CSAFPID-AR300", "CSAFPID-AR300L"], Ids(flag["product_ids"]));

        var threats = v["threats"]!.AsArray();
        Assert.All(threats, t => Assert.Equal("impact", t!["category"]!.GetValue<string>()));
        var dmz = threats.Single(t => Ids(t!["product_ids"]).Contains("CSAFPID-AR220E"))!;
        Assert.Equal(Pack.Models.Notes["dmz-servers"].English, dmz["details"]!.GetValue<string>());
        var port80 = threats.Single(t => Ids(t!["product_ids"]).Contains("CSAFPID-AR100"))!;
        Assert.Contains("port 80", port80["details"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(v["notes"]!.AsArray(), n => n!["category"]!.GetValue<string>() == "description");
    }

    [Fact]
    public void Export_writes_a_file_with_o()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "advisory.json");
        var r = RunCli(["export", "csaf", "--vex", "-o", file]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("csaf_vex", r.Stdout, StringComparison.Ordinal);
        var doc = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.Equal("csaf_vex", doc["document"]!["category"]!.GetValue<string>());
        Assert.Empty(CsafChecks.Mandatory(doc));
    }

    [Theory]
    [InlineData(new[] { "export", "csaf", "extra" }, "takes no FILE argument")]
    [InlineData(new[] { "export", "csaf", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "export", "html" }, "unknown command 'export html'")]
    [InlineData(new[] { "export", "csaf", "-o", "/no/such/dir/x.json" }, "cannot write '/no/such/dir/x.json'")]
    public void Export_errors_are_one_clear_line(string[] args, string message)
    {
        var r = RunCli(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pack_without_the_publisher_namespace_or_a_vulnerability_is_not_exported()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var text = File.ReadAllText(manifest);
        text = Regex.Replace(text, @"(?m)^  publisherNamespace:.*\n", "");
        text = Regex.Replace(text, @"(?ms)^vulnerabilities:.*?(?=^# The vendor's caveats)", "");
        Assert.DoesNotContain("CVE-2001-0500", text, StringComparison.Ordinal);
        File.WriteAllText(manifest, text);
        var r = RunCli(["export", "csaf", "--rules", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("publisherNamespace", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("vulnerabilities", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Vulnerabilities_load_from_the_manifest()
    {
        var v = Assert.Single(Pack.Vulnerabilities);
        Assert.Equal("CVE-2001-0500", v.Cve);
        Assert.True(v.Title.Has("en") && v.Title.Has("ja"));
        Assert.True(v.Notes is not null && v.Notes.Has("en") && v.Notes.Has("ja"));
        Assert.Equal(new[] { new VulnerabilityFlag("port80-discarded", "vulnerable_code_not_in_execute_path") }, v.Flags);
        Assert.Equal("https://www.allied-telesis.co.jp", Pack.Advisory.PublisherNamespace);
        Assert.Equal("ja", Pack.Advisory.Language);
        Assert.True(Pack.Advisory.Summary is not null && Pack.Advisory.Summary.Has("ja"));
    }

    [Theory]
    [InlineData("    - { note: no-such-note, label: vulnerable_code_not_present }", "unknown note 'no-such-note'")]
    [InlineData("    - { note: dmz-servers, label: not_a_label }", "'label' must be one of component_not_present")]
    [InlineData("    - { note: port80-discarded, label: component_not_present }", "note 'port80-discarded' has a flag already")]
    public void Bad_flags_are_named_with_their_place(string line, string message)
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var flag = "      - { note: port80-discarded, label: vulnerable_code_not_in_execute_path }\n";
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(flag, flag + "  " + line + "\n", StringComparison.Ordinal));
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        var problem = Assert.Single(e.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal("pack.yaml", problem.File);
        Assert.True(problem.Line > 1);
    }

    [Theory]
    [InlineData("cve: CVE-2001-0500", "cve: CAN-2001-0500", "is not a CVE id")]
    [InlineData("publisherNamespace: https://www.allied-telesis.co.jp", "publisherNamespace: www.allied-telesis.co.jp", "must be an absolute http or https URL")]
    public void Bad_vulnerability_data_is_refused(string from, string to, string message)
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace(from, to, StringComparison.Ordinal));
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        Assert.Contains(e.Problems, p => p.Message.Contains(message, StringComparison.Ordinal));
    }

    // The checks must catch what they are meant to catch: break a valid document one way at a time.
    [Theory]
    [InlineData("6.1.1", "undefined")]
    [InlineData("6.1.2", "duplicate")]
    [InlineData("6.1.6", "contradiction")]
    [InlineData("6.1.27.9", "no-impact")]
    [InlineData("6.1.27.10", "no-action")]
    [InlineData("6.1.31", "range")]
    [InlineData("6.1.14", "unsorted")]
    [InlineData("6.1.16", "version")]
    [InlineData("date", "last-date")]
    [InlineData("date", "no-zone")]
    [InlineData("6.1.30", "mixed")]
    [InlineData("6.1.29", "remediation-without-product")]
    public void Checks_catch_a_broken_document(string test, string breakage)
    {
        var doc = Document(vex: true);
        var v = Vulnerability(doc);
        var tracking = doc["document"]!["tracking"]!;
        switch (breakage)
        {
            case "undefined": v["product_status"]!["known_affected"]!.AsArray().Add("CSAFPID-NOPE"); break;
            case "duplicate": doc["product_tree"]!["branches"]![0]!["branches"]![1]!["product"]!["product_id"] = "CSAFPID-AR100"; break;
            case "contradiction": v["product_status"]!["fixed"]!.AsArray().Add("CSAFPID-AR130"); break;
            case "no-impact": v["threats"]!.AsArray().RemoveAt(2); break;
            case "no-action": v["remediations"] = new JsonArray(v["remediations"]!.AsArray().Where(r => r!["category"]!.GetValue<string>() != "workaround" && r["category"]!.GetValue<string>() != "none_available").Select(r => r!.DeepClone()).ToArray()); break;
            case "range": doc["product_tree"]!["branches"]![0]!["branches"]![8]!["branches"]![1]!["name"] = "2.0.4 PL 7 and later"; break;
            case "unsorted": tracking["revision_history"]![0]!["date"] = "2003-01-01T00:00:00Z"; break;
            case "version": tracking["version"] = "1"; break;
            case "last-date": tracking["current_release_date"] = "2002-06-01T00:00:00Z"; break;
            case "no-zone": tracking["initial_release_date"] = "2001-08-09T00:00:00"; break;
            case "mixed": tracking["revision_history"]![1]!["number"] = "2.0.0"; tracking["version"] = "2.0.0"; break;
            case "remediation-without-product": v["remediations"]![0]!.AsObject().Remove("product_ids"); break;
        }

        Assert.Contains(CsafChecks.Mandatory(doc), p => p.StartsWith(test, StringComparison.Ordinal));
    }
}

/// <summary>
/// CSAF 2.0 mandatory tests (section 6.1) that apply to the documents codered writes, on a parsed document. Each
/// problem starts with the test's number.
/// </summary>
internal static partial class CsafChecks
{
    private static readonly string[] StatusGroups =
        ["first_affected", "known_affected", "last_affected", "known_not_affected", "first_fixed", "fixed", "under_investigation", "recommended"];

    /// <summary>The status groups that contradict each other (6.1.6); "recommended" is in none.</summary>
    private static readonly Dictionary<string, string> Contradicting = new(StringComparer.Ordinal)
    {
        ["first_affected"] = "affected", ["known_affected"] = "affected", ["last_affected"] = "affected",
        ["known_not_affected"] = "not affected",
        ["first_fixed"] = "fixed", ["fixed"] = "fixed",
        ["under_investigation"] = "under investigation",
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeWithZone();

    // 6.1.31: it is sufficient that a product_version name matches none of these.
    [GeneratedRegex(@"(^|\s)(<|<=|>|>=)|(^|\s)(after|all|before|earlier|later|prior|versions)(\s|$)", RegexOptions.IgnoreCase)]
    private static partial Regex VersionRange();

    [GeneratedRegex(@"^(0|[1-9][0-9]*)$")]
    private static partial Regex IntegerVersion();

    /// <summary>Every product defined in the product tree: branches (any depth), full product names, relationships.</summary>
    public static List<(string Id, string Name)> Products(JsonNode doc)
    {
        var result = new List<(string, string)>();
        void Branches(JsonNode? branches)
        {
            foreach (var branch in branches?.AsArray() ?? [])
            {
                if (branch!["product"] is { } product)
                {
                    result.Add((product["product_id"]!.GetValue<string>(), product["name"]!.GetValue<string>()));
                }

                Branches(branch["branches"]);
            }
        }

        var tree = doc["product_tree"];
        Branches(tree?["branches"]);
        foreach (var p in tree?["full_product_names"]?.AsArray() ?? [])
        {
            result.Add((p!["product_id"]!.GetValue<string>(), p["name"]!.GetValue<string>()));
        }

        foreach (var r in tree?["relationships"]?.AsArray() ?? [])
        {
            var p = r!["full_product_name"]!;
            result.Add((p["product_id"]!.GetValue<string>(), p["name"]!.GetValue<string>()));
        }

        return result;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node?.AsArray().Select(x => x!.GetValue<string>()) ?? [];

    public static List<string> Mandatory(JsonNode doc)
    {
        var problems = new List<string>();
        var document = doc["document"]!;
        var category = document["category"]?.GetValue<string>();
        var vex = category == "csaf_vex";
        var profiled = vex || category == "csaf_security_advisory";

        // 6.1.1 and 6.1.2: every referenced product is defined, and defined once.
        var products = Products(doc);
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, _) in products)
        {
            if (!defined.Add(id))
            {
                problems.Add($"6.1.2 product id {id} is defined more than once");
            }
        }

        var referenced = new List<(string Where, string Id)>();
        var tree = doc["product_tree"];
        foreach (var g in tree?["product_groups"]?.AsArray() ?? [])
        {
            referenced.AddRange(Strings(g!["product_ids"]).Select(id => ("product_groups", id)));
        }

        foreach (var r in tree?["relationships"]?.AsArray() ?? [])
        {
            referenced.Add(("relationships", r!["product_reference"]!.GetValue<string>()));
            referenced.Add(("relationships", r["relates_to_product_reference"]!.GetValue<string>()));
        }

        var vulnerabilities = doc["vulnerabilities"]?.AsArray() ?? [];
        var cves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in vulnerabilities)
        {
            var name = v!["cve"]?.GetValue<string>() ?? "vulnerability";
            if (v["cve"] is not null && !cves.Add(name))
            {
                problems.Add($"6.1.23 {name} is used by more than one vulnerability");
            }

            var status = v["product_status"];
            var groupsOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var group in StatusGroups)
            {
                foreach (var id in Strings(status?[group]))
                {
                    referenced.Add(($"{name} product_status/{group}", id));
                    if (Contradicting.TryGetValue(group, out var kind))
                    {
                        (groupsOf.TryGetValue(id, out var set) ? set : groupsOf[id] = new HashSet<string>(StringComparer.Ordinal)).Add(kind);
                    }
                }
            }

            foreach (var (id, kinds) in groupsOf.Where(x => x.Value.Count > 1))
            {
                problems.Add($"6.1.6 {name}: {id} is in contradicting status groups ({string.Join(", ", kinds)})");
            }

            var remediated = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in v["remediations"]?.AsArray() ?? [])
            {
                if (r!["product_ids"] is null && r["group_ids"] is null)
                {
                    problems.Add($"6.1.29 {name}: a {r["category"]} remediation names no product or group");
                }

                foreach (var id in Strings(r["product_ids"]))
                {
                    referenced.Add(($"{name} remediations", id));
                    remediated.Add(id);
                }

                CheckDate(problems, $"{name} remediations/date", r["date"]);
            }

            var justified = new HashSet<string>(StringComparer.Ordinal);
            var flagged = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in v["flags"]?.AsArray() ?? [])
            {
                if (f!["product_ids"] is null && f["group_ids"] is null)
                {
                    problems.Add($"6.1.32 {name}: a flag names no product or group");
                }

                foreach (var id in Strings(f["product_ids"]))
                {
                    referenced.Add(($"{name} flags", id));
                    justified.Add(id);
                    if (!flagged.Add(id))
                    {
                        problems.Add($"6.1.33 {name}: {id} has more than one flag");
                    }
                }

                CheckDate(problems, $"{name} flags/date", f["date"]);
            }

            foreach (var t in v["threats"]?.AsArray() ?? [])
            {
                foreach (var id in Strings(t!["product_ids"]))
                {
                    referenced.Add(($"{name} threats", id));
                    if (t["category"]?.GetValue<string>() == "impact")
                    {
                        justified.Add(id);
                    }
                }

                CheckDate(problems, $"{name} threats/date", t["date"]);
            }

            foreach (var s in v["scores"]?.AsArray() ?? [])
            {
                referenced.AddRange(Strings(s!["products"]).Select(id => ($"{name} scores", id)));
            }

            CheckDate(problems, $"{name} release_date", v["release_date"]);
            CheckDate(problems, $"{name} discovery_date", v["discovery_date"]);

            if (profiled && (v["notes"] is null || v["notes"]!.AsArray().Count == 0))
            {
                problems.Add($"6.1.27.5 {name} has no notes");
            }

            if (category == "csaf_security_advisory" && status is null)
            {
                problems.Add($"6.1.27.6 {name} has no product_status");
            }

            if (vex)
            {
                if (!new[] { "fixed", "known_affected", "known_not_affected", "under_investigation" }.Any(g => status?[g] is not null))
                {
                    problems.Add($"6.1.27.7 {name}: product_status has none of fixed, known_affected, known_not_affected, under_investigation");
                }

                if (v["cve"] is null && v["ids"] is null)
                {
                    problems.Add("6.1.27.8 a vulnerability has neither cve nor ids");
                }

                foreach (var id in Strings(status?["known_not_affected"]).Where(id => !justified.Contains(id)))
                {
                    problems.Add($"6.1.27.9 {name}: {id} is known_not_affected without a flag or an impact statement");
                }

                foreach (var id in Strings(status?["known_affected"]).Where(id => !remediated.Contains(id)))
                {
                    problems.Add($"6.1.27.10 {name}: {id} is known_affected without an action statement (remediation)");
                }
            }
        }

        foreach (var (where, id) in referenced.Where(r => !defined.Contains(r.Id)))
        {
            problems.Add($"6.1.1 {where} names {id}, which the product tree does not define");
        }

        if (profiled)
        {
            if (tree is null)
            {
                problems.Add("6.1.27.4 the document has no product_tree");
            }

            if (vulnerabilities.Count == 0)
            {
                problems.Add("6.1.27.11 the document has no vulnerabilities");
            }
        }

        // 6.1.31: product_version names are single versions.
        void Versions(JsonNode? branches)
        {
            foreach (var branch in branches?.AsArray() ?? [])
            {
                var branchName = branch!["name"]!.GetValue<string>();
                if (branch["category"]?.GetValue<string>() == "product_version" && VersionRange().IsMatch(branchName))
                {
                    problems.Add($"6.1.31 product_version '{branchName}' is a version range");
                }

                Versions(branch["branches"]);
            }
        }

        Versions(tree?["branches"]);

        // Tracking: dates with a time zone, revision history sorted, versions consistent.
        var tracking = document["tracking"]!;
        var initial = CheckDate(problems, "initial_release_date", tracking["initial_release_date"]);
        var current = CheckDate(problems, "current_release_date", tracking["current_release_date"]);
        CheckDate(problems, "generator/date", tracking["generator"]?["date"]);
        if (initial > current)
        {
            problems.Add("date initial_release_date is after current_release_date");
        }

        var history = tracking["revision_history"]!.AsArray()
            .Select(r => (Number: r!["number"]!.GetValue<string>(), Date: CheckDate(problems, "revision_history/date", r["date"]) ?? DateTimeOffset.MinValue))
            .ToList();
        var version = tracking["version"]!.GetValue<string>();
        var numbers = history.Select(h => h.Number).Append(version).ToList();
        var integers = numbers.Count(n => IntegerVersion().IsMatch(n));
        if (integers != 0 && integers != numbers.Count)
        {
            problems.Add("6.1.30 integer and semantic versioning are mixed in the revision history and version");
        }

        if (integers == numbers.Count)
        {
            var byDate = history.OrderBy(h => h.Date).ToList();
            var sortedNumbers = byDate.Select(h => long.Parse(h.Number, CultureInfo.InvariantCulture)).ToList();
            if (!sortedNumbers.SequenceEqual(sortedNumbers.Order()))
            {
                problems.Add("6.1.14 the revision history sorted by date is not sorted by number");
            }

            var ordered = sortedNumbers.Order().ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i] == ordered[i - 1])
                {
                    problems.Add($"6.1.22 revision {ordered[i]} is listed twice");
                }
                else if (ordered[i] != ordered[i - 1] + 1)
                {
                    problems.Add($"6.1.21 the revision history misses a revision before {ordered[i]}");
                }
            }

            if (ordered.Count > 0 && ordered[0] > 1)
            {
                problems.Add("6.1.21 the revision history does not start at 0 or 1");
            }

            if (tracking["status"]?.GetValue<string>() is "final" or "interim" && ordered.Contains(0))
            {
                problems.Add("6.1.18 a released document lists revision 0");
            }
        }

        if (history.Count > 0)
        {
            var last = history.OrderBy(h => h.Date).Last();
            if (last.Number.Split('+')[0] != version.Split('+')[0])
            {
                problems.Add($"6.1.16 tracking.version {version} is not the number of the latest revision ({last.Number})");
            }

            if (current is not null && last.Date != current)
            {
                problems.Add("date current_release_date is not the date of the latest revision");
            }
        }

        // 6.1.12 and 6.1.28: languages.
        foreach (var key in new[] { "lang", "source_lang" })
        {
            if (document[key]?.GetValue<string>() is { } lang)
            {
                try
                {
                    _ = CultureInfo.GetCultureInfo(lang, predefinedOnly: true);
                }
                catch (CultureNotFoundException)
                {
                    problems.Add($"6.1.12 {key} '{lang}' is not a known language");
                }
            }
        }

        if (document["lang"] is { } lang1 && document["source_lang"] is { } lang2 && lang1.GetValue<string>() == lang2.GetValue<string>())
        {
            problems.Add("6.1.28 lang and source_lang are the same");
        }

        return problems;
    }

    private static DateTimeOffset? CheckDate(List<string> problems, string what, JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var text = node.GetValue<string>();
        if (!DateTimeWithZone().IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            problems.Add($"date {what} '{text}' is not an ISO 8601 date-time with a time zone");
            return null;
        }

        return value;
    }
}
