using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Column sets (issue 13): a header line (W3C '#Fields:') names the columns of the lines after it in the same source, and
/// a line rule's column clause matches on named columns. Loader errors with file, line and column; evaluation.
/// </summary>
public class ColumnTests
{
    private static string PackText => File.ReadAllText(TestSupport.Repo("rules", "webserver", "pack.yaml"));

    private static RulePack Load(string rule, string? pack = null) => RulePack.LoadFromTexts(
    [
        new("pack.yaml", pack ?? PackText),
        new("models.yaml", File.ReadAllText(TestSupport.Repo("rules", "webserver", "models.yaml"))),
        new("rule.yaml", rule),
    ]);

    private const string RuleHead = "kind: rule\nid: TC0001\ntitle: Test\nmessage: \"{count} from {client}\"\ncategory: Test\nseverity: warning\nmatch:\n";

    /// <summary>The one error that says <paramref name="expected"/> (others may follow from it, such as a placeholder left without its capture).</summary>
    private static PackProblem Problem(string expected, string rule, string? pack = null)
    {
        var error = Assert.Throws<RulePackException>(() => Load(rule, pack));
        return Assert.Single(error.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_column_set_is_named_with_the_known_ones_at_its_place()
    {
        var problem = Problem("unknown column set 'w3x'", RuleHead + "  - columns: w3x\n    where:\n      cs-uri-stem: { regex: '^/default\\.ida$' }\n    capture: { client: c-ip }\n");
        Assert.Equal(("rule.yaml", 8, 14), (problem.File, problem.Line, problem.Column));
        Assert.Contains("unknown column set 'w3x'", problem.Message);
        Assert.Contains("w3c", problem.Message);
    }

    [Fact]
    public void An_empty_or_missing_where_is_refused()
    {
        var empty = Problem("'where' must name at least one column", RuleHead + "  - columns: w3c\n    where: {}\n    capture: { client: c-ip }\n");
        Assert.Equal(("rule.yaml", 9, 12), (empty.File, empty.Line, empty.Column));
        Assert.Contains("'where' must name at least one column", empty.Message);
        var missing = Problem("needs 'where'", RuleHead + "  - columns: w3c\n    capture: { client: c-ip }\n");
        Assert.Equal(("rule.yaml", 8, 5), (missing.File, missing.Line, missing.Column));
        Assert.Contains("needs 'where'", missing.Message);
    }

    [Theory]
    [InlineData(@"'(?<x>a)\k<x>'", "backreference")]
    [InlineData("'(?=a)b'", "lookaround")]
    [InlineData("'a{5000}'", "counts are limited")]
    [InlineData("'(a'", "does not compile")]
    [InlineData("'a*'", "matches the empty string")]
    public void A_where_regex_is_held_to_the_regex_policy(string regex, string expected)
    {
        var problem = Problem(expected, RuleHead + $"  - columns: w3c\n    where:\n      cs-uri-stem: {{ regex: {regex} }}\n    capture: {{ client: c-ip }}\n");
        Assert.Equal(("rule.yaml", 10), (problem.File, problem.Line));
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Bad_captures_unknown_keys_and_contradictions_are_refused()
    {
        var name = Problem("capture name 'c-ip'", RuleHead + "  - columns: w3c\n    where: { cs-uri-stem: { regex: 'ida' } }\n    capture: { 'c-ip': c-ip }\n");
        Assert.Equal(("rule.yaml", 10), (name.File, name.Line));
        Assert.Contains("capture name 'c-ip'", name.Message);
        var key = Problem("unknown key 'order'", RuleHead + "  - columns: w3c\n    where: { cs-uri-stem: { regex: 'ida' } }\n    capture: { client: c-ip }\n    order: 1\n");
        Assert.Equal(("rule.yaml", 11, 5), (key.File, key.Line, key.Column));
        Assert.Contains("unknown key 'order'", key.Message);
        var absent = Problem("could never match", RuleHead + "  - columns: w3c\n    where: { cs-uri-query: { regex: 'N' } }\n    absent: [cs-uri-query]\n    capture: { client: c-ip }\n");
        Assert.Contains("could never match", absent.Message);
        var unknownPlaceholder = Problem("'{address}'", RuleHead.Replace("{client}", "{address}") + "  - columns: w3c\n    where: { cs-uri-stem: { regex: 'ida' } }\n    capture: { client: c-ip }\n");
        Assert.Contains("'{address}'", unknownPlaceholder.Message);
    }

    [Fact]
    public void A_header_pattern_must_capture_names_and_a_separator_is_one_character()
    {
        const string Rule = RuleHead + "  - regex: 'x{3}y'\n";
        var names = Problem("group named 'names'", Rule, PackText.Replace("(?<names>.+)", "(.+)", StringComparison.Ordinal));
        Assert.Equal("pack.yaml", names.File);
        Assert.Contains("group named 'names'", names.Message);
        var separator = Problem("'separator' must be one character", Rule, PackText.Replace("    comment: { regex: '^#' }", "    comment: { regex: '^#' }\n    separator: '::'", StringComparison.Ordinal));
        Assert.Contains("'separator' must be one character", separator.Message);
        var duplicate = Problem("duplicate column set id 'w3c'", Rule, PackText.Replace("    comment: { regex: '^#' }", "    comment: { regex: '^#' }\n  - id: w3c\n    header: { regex: '^#F:(?<names>.+)' }", StringComparison.Ordinal));
        Assert.Contains("duplicate column set id 'w3c'", duplicate.Message);
    }

    // Evaluation, on the web-server pack's own rules.
    private static readonly string Query = new('N', 30);

    private static IReadOnlyList<Diagnostic> Diagnostics(params string[][] sources) => WebServerPackTests.WebPack.Evaluate(new DeviceEvidence
    {
        Sources = sources.Select((lines, i) => EvidenceSource.FromText($"s{i}", string.Join("\n", lines) + "\n")).ToArray(),
    }).Diagnostics;

    [Fact]
    public void The_header_decides_the_columns_in_any_order()
    {
        var line = $"2001-07-20 08:03:41 192.0.2.10 GET /default.ida {Query} 80 - 203.0.113.41 - 404";
        var found = Assert.Single(Diagnostics(["#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status", line]), d => d.Id == "CW2001");
        Assert.Equal((2L, (long)line.IndexOf("GET", StringComparison.Ordinal) + 1), (found.Line!.Value, found.Column!.Value));
        Assert.Equal(["203.0.113.41"], found.Properties["client"]);
    }

    [Fact]
    public void A_new_header_mid_file_replaces_the_old_one()
    {
        // The same text read under two headers: under the first, its third column is c-ip; under the second, s-ip.
        var line = $"08:00:00 198.51.100.7 192.0.2.10 GET /default.ida {Query} 404";
        var diagnostics = Diagnostics(
        [
            "#Fields: time c-ip s-ip cs-method cs-uri-stem cs-uri-query sc-status",
            line,
            "#Fields: time s-ip c-ip cs-method cs-uri-stem cs-uri-query sc-status",
            line,
            "#Fields: time c-ip s-ip cs-method cs-uri-stem sc-status cs-uri-query",
            line,
        ]);
        var found = Assert.Single(diagnostics, d => d.Id == "CW2001");
        Assert.Equal(2, found.Count);
        Assert.Equal(2L, found.Line);
        Assert.Equal(["198.51.100.7", "192.0.2.10"], found.Properties["client"]);
    }

    [Fact]
    public void Lines_before_any_header_or_with_another_column_count_or_that_are_comments_do_not_match()
    {
        var line = $"08:00:00 198.51.100.7 GET /default.ida {Query} 404";
        var diagnostics = Diagnostics(
        [
            line, // before any header
            "#Fields: time c-ip cs-method cs-uri-stem cs-uri-query sc-status",
            line + " extra", // one column more
            "08:00:00 198.51.100.7 GET /default.ida " + Query, // one column fewer
            "#Remark: 08:00:00 198.51.100.7 GET /default.ida " + Query, // a directive with as many words
        ]);
        Assert.DoesNotContain(diagnostics, d => d.Id == "CW2001");
    }

    [Fact]
    public void A_missing_captured_column_makes_the_clause_not_match_and_absent_columns_decide()
    {
        var diagnostics = Diagnostics(
        [
            "#Fields: time cs-method cs-uri-stem cs-uri-query sc-status", // no c-ip: CW2001 captures it, so no match
            $"08:00:00 GET /default.ida {Query} 404",
            "#Fields: time c-ip cs-method cs-uri-stem sc-status", // no cs-uri-query: CW2004's clause
            "08:01:00 198.51.100.8 GET /default.ida 404",
        ]);
        Assert.DoesNotContain(diagnostics, d => d.Id == "CW2001");
        var cw2004 = Assert.Single(diagnostics, d => d.Id == "CW2004");
        Assert.Equal(4L, cw2004.Line);
        Assert.Equal(["198.51.100.8"], cw2004.Properties["client"]);
    }

    [Fact]
    public void A_header_belongs_to_its_source()
    {
        var diagnostics = Diagnostics(
            ["#Fields: time c-ip cs-method cs-uri-stem cs-uri-query sc-status", $"08:00:00 198.51.100.7 GET /default.ida {Query} 404"],
            [$"08:00:00 198.51.100.9 GET /default.ida {Query} 404"]);
        var found = Assert.Single(diagnostics, d => d.Id == "CW2001");
        Assert.Equal("s0", found.Source);
        Assert.Equal(["198.51.100.7"], found.Properties["client"]);
    }

    [Fact]
    public void The_parallel_scan_reads_each_line_with_the_header_in_force_at_it_wherever_the_file_is_cut()
    {
        // Headers that move c-ip and cs-uri-query around, changed every few lines; cuts every 11 bytes fall between a
        // header and the lines it names, so a chunk searched on its own must not decide the columns.
        var orders = new[]
        {
            "date time c-ip cs-method cs-uri-stem cs-uri-query sc-status",
            "date time cs-method cs-uri-stem cs-uri-query sc-status c-ip",
            "date time cs-method cs-uri-query cs-uri-stem c-ip sc-status",
        };
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            var names = orders[i / 7 % orders.Length];
            if (i % 7 == 0)
            {
                text.Append("#Fields: ").Append(names).Append('\n');
            }

            var values = new Dictionary<string, string>
            {
                ["date"] = "2001-08-04", ["time"] = $"03:{i / 60 % 60:D2}:{i % 60:D2}", ["c-ip"] = $"198.51.100.{i % 250}", ["cs-method"] = "GET",
                ["cs-uri-stem"] = i % 3 == 0 ? "/default.ida" : "/index.htm", ["cs-uri-query"] = i % 2 == 0 ? Query : "-", ["sc-status"] = "404",
            };
            text.AppendJoin(' ', names.Split(' ').Select(n => values[n])).Append('\n');
        }

        var bytes = System.Text.Encoding.ASCII.GetBytes(text.ToString());
        var path = Path.Combine(Path.GetTempPath(), $"codered-columns-{Guid.NewGuid():N}.log");
        File.WriteAllBytes(path, bytes);
        try
        {
            string Report(int threads) => SessionTests.Json(WebServerPackTests.WebPack.Evaluate(
                new DeviceEvidence { Sources = [EvidenceSource.FromFile(path, name: "e")] }, new EvaluationOptions { MaxDegreeOfParallelism = threads }));
            var single = Report(1);
            var hook = new ParallelScanHook { SplitPoints = Enumerable.Range(1, bytes.Length / 11).Select(i => (long)i * 11).ToArray(), Workers = 4 };
            ParallelScan.Hook.Value = hook;
            string parallel;
            try
            {
                parallel = Report(2);
            }
            finally
            {
                ParallelScan.Hook.Value = null;
            }

            Assert.True(hook.Boundaries.Count > 100, $"only {hook.Boundaries.Count} cuts");
            Assert.Equal(single, parallel);
            var found = Assert.Single(WebServerPackTests.WebPack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromFile(path, name: "e")] }).Diagnostics, d => d.Id == "CW2001");
            Assert.Equal(Enumerable.Range(0, 300).Count(i => i % 6 == 0), found.Count); // stem every third line, query every second
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_separator_splits_on_each_character_and_empty_fields_count()
    {
        var pack = Load(RuleHead + "  - columns: tsv\n    where: { path: { regex: '^/default\\.ida$' } }\n    capture: { client: addr }\n",
            PackText.Replace("columns:\n  - id: w3c", "columns:\n  - id: tsv\n    header: { regex: '^#cols\\t(?<names>.+)$' }\n    separator: \"\\t\"\n  - id: w3c", StringComparison.Ordinal));
        var report = pack.Evaluate(new DeviceEvidence
        {
            Sources = [EvidenceSource.FromText("t", "#cols\taddr\tuser\tpath\n192.0.2.5\t\t/default.ida\n192.0.2.6\t/default.ida\n")],
        });
        var found = Assert.Single(report.Diagnostics, d => d.Id == "TC0001");
        Assert.Equal((1, 2L), (found.Count, found.Line!.Value));
        Assert.Equal(["192.0.2.5"], found.Properties["client"]);
    }
}
