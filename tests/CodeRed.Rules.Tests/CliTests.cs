using System.Text;
using System.Text.Json;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>The codered command line: exit codes, the JSON contract, --rules, and clear errors.</summary>
public class CliTests
{
    private static readonly string Sample = Repo("docs", "samples", "ar320-capture.log");

    [Fact]
    public void Readme_sample_runs_with_the_embedded_pack_and_reports_the_crash()
    {
        var r = RunCli(["analyze", "--model", "AR320", Sample]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("CR2004", r.Stdout);
        Assert.Contains("disable http server", r.Stdout);
        Assert.Contains("create config=hq-main.cfg", r.Stdout);
        Assert.Contains("restart router", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void Json_output_keeps_the_contract()
    {
        var r = RunCli(["analyze", "--model", "AR320", "--format", "json", Sample]);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("codered.alliedtelesis.ar", root.GetProperty("pack").GetProperty("id").GetString());
        Assert.Equal(64, root.GetProperty("pack").GetProperty("sha256").GetString()!.Length);
        Assert.Equal("1.0.0", root.GetProperty("pack").GetProperty("version").GetString());
        Assert.Equal("act-now", root.GetProperty("verdict").GetString());

        var diagnostics = root.GetProperty("diagnostics").EnumerateArray().ToList();
        var device = diagnostics.Single(d => d.GetProperty("id").GetString() == "CR1002");
        Assert.False(device.TryGetProperty("line", out _));
        var crash = diagnostics.Single(d => d.GetProperty("id").GetString() == "CR2004");
        Assert.Equal("error", crash.GetProperty("severity").GetString());
        Assert.Equal(Sample, crash.GetProperty("source").GetString());
        Assert.Equal(13, crash.GetProperty("line").GetInt32());
        Assert.Equal(1, crash.GetProperty("count").GetInt32());
        Assert.False(string.IsNullOrEmpty(crash.GetProperty("message").GetString()));
        var http = diagnostics.Single(d => d.GetProperty("id").GetString() == "CR2001");
        Assert.Equal(3, http.GetProperty("count").GetInt32());
        Assert.Equal(["203.0.113.45", "203.0.113.77"], http.GetProperty("properties").GetProperty("peer").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(diagnostics, d => d.GetProperty("id").GetString() == "CR2003");
        Assert.Contains(diagnostics, d => d.GetProperty("id").GetString() == "CR2005");

        var commands = root.GetProperty("remediation").EnumerateArray()
            .Where(s => s.TryGetProperty("command", out _)).Select(s => s.GetProperty("command").GetString()).ToList();
        Assert.Equal(["disable http server", "create config=hq-main.cfg", "restart router"], commands);
    }

    [Fact]
    public void Stdin_is_read_for_dash_and_reported_as_dash()
    {
        var input = Encoding.UTF8.GetBytes("DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\r\n");
        var r = RunCli(["analyze", "--format", "json", "-"], input);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var d = doc.RootElement.GetProperty("diagnostics").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "CR2002");
        Assert.Equal("-", d.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData(new[] { "analyze", "--model", "AR320", "--firmware", "2.0.4 PL 7" }, 0)]
    [InlineData(new[] { "analyze", "--model", "AR100" }, 0)]
    [InlineData(new[] { "analyze", "--model", "AR320", "--firmware", "2.0.4 PL 6" }, 1)]
    [InlineData(new[] { "analyze", "--model", "AR130" }, 1)]
    [InlineData(new[] { "analyze" }, 0)]
    public void Exit_code_is_1_exactly_when_a_warning_or_error_is_reported(string[] args, int expected) =>
        Assert.Equal(expected, RunCli(args).ExitCode);

    [Theory]
    [InlineData(new[] { "analyze", "--firmware", "two point oh" }, "not a firmware version")]
    [InlineData(new[] { "analyze", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "analyze", "--format", "xml" }, "--format must be text, json, jsonl, sarif or html")]
    [InlineData(new[] { "analyze", "no-such-file.log" }, "cannot read 'no-such-file.log'")]
    [InlineData(new[] { "analyze", "--severity", "CR9999=error" }, "no rule 'CR9999'")]
    [InlineData(new[] { "frobnicate" }, "unknown command")]
    [InlineData(new[] { "analyze", "--rules", "/nonexistent/rules" }, "no such file or directory")]
    public void Usage_and_input_errors_exit_2_with_one_clear_message(string[] args, string message)
    {
        var r = RunCli(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
    }

    [Fact]
    public void Severity_option_overrides_a_rule()
    {
        var r = RunCli(["analyze", "--model", "AR130", "--severity", "CR1001=info"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(1, RunCli(["analyze", "--model", "AR100", "--severity", "category:Exposure=warning"]).ExitCode);
        Assert.Equal(0, RunCli(["analyze", "--model", "AR130", "--severity", "all=none"]).ExitCode);
    }

    [Fact]
    public void A_new_signature_written_only_in_yaml_is_found_through_rules()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", """
            kind: rule
            id: CR9001
            title: ICMP flood from a scanner
            message: "ICMP flood seen {count} time(s) from {src}"
            category: LogSignature
            severity: error
            match:
              - regex: 'ICMP\s+flood\s+from\s+(?<src>\S+)'
            """);
        var log = dir.Write("router.log", "02 10:00:00 IP ICMP  flood from 192.0.2.7\n");

        var r = RunCli(["analyze", "--rules", dir.Path, "--format", "json", log]);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var d = doc.RootElement.GetProperty("diagnostics").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "CR9001");
        Assert.Equal("ICMP flood seen 1 time(s) from 192.0.2.7", d.GetProperty("message").GetString());
        Assert.NotEqual(Pack.Identity.Sha256, doc.RootElement.GetProperty("pack").GetProperty("sha256").GetString());

        Assert.DoesNotContain("CR9001", RunCli(["analyze", "--format", "json", log]).Stdout); // the embedded pack does not know it
    }

    [Theory]
    [InlineData("broken.yaml", "kind: rule\nid: CR9001\n  title: [unclosed\n", "broken.yaml(")]
    [InlineData("CR9001.yaml", "kind: rule\nid: CR2001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{literal: x}]\n", "CR9001.yaml(2,5): error: duplicate rule id")]
    [InlineData("CR9001.yaml", "kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{literal: x}]\ncolour: red\n", "CR9001.yaml(8,1): error: unknown key 'colour'")]
    [InlineData("CR9001.yaml", "kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmatch: [{regex: '(unclosed'}]\n", "CR9001.yaml(7,17): error: the regex does not compile")]
    [InlineData("CR9001.yaml", "kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: c\nseverity: info\nmodels: [AR9000]\nmatch: [{literal: x}]\n", "CR9001.yaml(7,10): error: unknown model 'AR9000'")]
    public void Broken_packs_exit_2_naming_file_and_line(string file, string text, string expected)
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write(file, text);
        foreach (var args in new[] { new[] { "analyze", "--rules", dir.Path }, new[] { "rules", "validate", dir.Path } })
        {
            var r = RunCli(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr);
        }
    }

    [Fact]
    public void Rules_validate_prints_the_hash_of_a_valid_pack()
    {
        var r = RunCli(["rules", "validate", RulesDir]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(Pack.Identity.Sha256, r.Stdout);
    }

    [Fact]
    public void Rules_list_prints_every_rule_and_model()
    {
        var r = RunCli(["rules", "list"]);
        Assert.Equal(0, r.ExitCode);
        foreach (var rule in Pack.Rules)
        {
            Assert.Contains(rule.Id, r.Stdout);
        }

        Assert.Contains("AR300L V2", r.Stdout);
        using var json = JsonDocument.Parse(RunCli(["rules", "list", "--format", "json"]).Stdout);
        Assert.Equal(12, json.RootElement.GetProperty("rules").GetArrayLength());
        Assert.Equal(11, json.RootElement.GetProperty("models").GetArrayLength());
    }

    [Fact]
    public void Japanese_output_with_lang_ja()
    {
        var r = RunCli(["analyze", "--model", "AR130", "--lang", "ja"]);
        Assert.Contains("対策ファームウエアはまだありません", r.Stdout);
    }
}
