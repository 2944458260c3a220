using System.Text;
using System.Text.Json;
using CodeRed.Cli;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 9 item 6: what a command-line user expects. Help for every verb, suggestions for typos, piped input,
/// grep's handling of a missing file among several, colour, and messages that agree with the docs.
/// </summary>
public class CliConventionTests
{
    private static readonly string Sample = Repo("docs", "samples", "ar320-capture.log");

    public static TheoryData<string> CommandNames() => [.. Command.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_command_answers_help_with_its_own_usage(string name)
    {
        var usage = Command.All.Single(c => c.Name == name).Usage.Split('\n')[0];
        foreach (var help in new[] { "--help", "-h" })
        {
            var r = RunCli([.. name.Split(' '), help]);
            Assert.Equal(0, r.ExitCode);
            Assert.StartsWith(usage, r.Stdout);
            Assert.Equal("", r.Stderr);
        }

        Assert.StartsWith(usage, RunCli(["help", .. name.Split(' ')]).Stdout);
    }

    [Theory]
    [InlineData("rules")]
    [InlineData("export")]
    public void Groups_answer_help_with_their_subcommands(string group)
    {
        var r = RunCli([group, "--help"]);
        Assert.Equal(0, r.ExitCode);
        foreach (var command in Command.All.Where(c => c.Name.StartsWith(group + " ", StringComparison.Ordinal)))
        {
            Assert.Contains("codered " + command.Name, r.Stdout);
        }

        Assert.Equal(2, RunCli([group]).ExitCode);
    }

    [Fact]
    public void Top_level_help_lists_every_command_and_its_options_are_real()
    {
        var r = RunCli(["--help"]);
        Assert.Equal(0, r.ExitCode);
        foreach (var command in Command.All)
        {
            Assert.Contains(command.Usage.Split('\n')[0]["usage: ".Length..], r.Stdout);
            // Every option the usage text names is one the parser takes, and the other way round.
            foreach (var option in command.Options.Concat(command.Flags))
            {
                Assert.Contains("--" + option, command.Usage);
            }
        }

        Assert.Contains("-o, --output FILE", Command.All.Single(c => c.Name == "analyze").Usage);
    }

    [Theory]
    [InlineData(new[] { "analyse" }, "unknown command 'analyse' (did you mean 'analyze'?)")]
    [InlineData(new[] { "rules", "lsit" }, "unknown command 'rules lsit' (did you mean 'rules list'?)")]
    [InlineData(new[] { "export", "csfa" }, "(did you mean 'export csaf'?)")]
    [InlineData(new[] { "analyze", "--modle", "AR320" }, "unknown option '--modle' for 'codered analyze' (did you mean '--model'?)")]
    [InlineData(new[] { "analyze", "--formt", "json" }, "(did you mean '--format'?)")]
    [InlineData(new[] { "rules", "validate", "--strcit", "x" }, "(did you mean '--strict'?)")]
    [InlineData(new[] { "--verison" }, "(did you mean '--version'?)")]
    public void A_typo_suggests_the_nearest_name(string[] args, string message)
    {
        var r = RunCli(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
    }

    [Fact]
    public void A_different_word_suggests_nothing() =>
        Assert.DoesNotContain("did you mean", RunCli(["frobnicate"]).Stderr);

    [Fact]
    public void Piped_input_is_read_when_no_file_is_given()
    {
        var log = Encoding.UTF8.GetBytes("DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n");
        var piped = RunCli(["analyze", "--model", "AR320", "--format", "json"], log, stdinIsPiped: true);
        using (var doc = JsonDocument.Parse(piped.Stdout))
        {
            Assert.Contains(doc.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "CR2002");
            Assert.Equal("-", doc.RootElement.GetProperty("sources")[0].GetProperty("name").GetString());
        }

        // A terminal (or /dev/null): the model alone is judged, as before.
        var alone = RunCli(["analyze", "--model", "AR320", "--format", "json"], log, stdinIsPiped: false);
        using var model = JsonDocument.Parse(alone.Stdout);
        Assert.Equal(0, model.RootElement.GetProperty("sources").GetArrayLength());
    }

    [Fact]
    public void One_missing_file_among_several_is_reported_and_the_others_still_judged()
    {
        var r = RunCli(["analyze", "--model", "AR320", "no-such.log", Sample]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot read 'no-such.log': no such file", r.Stderr);
        Assert.Contains("CR2004", r.Stdout); // the good file's findings are printed

        var none = RunCli(["analyze", "no-such.log", "also-missing.log"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Equal("", none.Stdout); // nothing readable: no report that would look clean
        Assert.Contains("also-missing.log", none.Stderr);
    }

    [Fact]
    public void Colour_only_when_asked_or_on_a_terminal_without_no_color()
    {
        const string Esc = "\u001b[";
        Assert.DoesNotContain(Esc, RunCli(["analyze", "--model", "AR320", Sample]).Stdout, StringComparison.Ordinal);
        var always = RunCli(["analyze", "--color", "always", "--model", "AR320", Sample]).Stdout;
        Assert.Contains("\u001b[1;31mact-now\u001b[0m", always, StringComparison.Ordinal);
        Assert.Contains("\u001b[1;31merror", always, StringComparison.Ordinal);
        Assert.DoesNotContain(Esc, RunCli(["analyze", "--color", "never", "--model", "AR320", Sample]).Stdout, StringComparison.Ordinal);

        Assert.Contains("\u001b[", Run(terminal: true, noColor: false), StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", Run(terminal: true, noColor: true), StringComparison.Ordinal);

        var bad = RunCli(["analyze", "--color", "sometimes"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--color must be auto, always or never", bad.Stderr);

        static string Run(bool terminal, bool noColor)
        {
            using var output = new MemoryStream();
            CliApp.Run(["analyze", "--model", "AR320", Sample], new MemoryStream(), output, new StringWriter(), stdoutIsTerminal: terminal, noColor: noColor);
            return Encoding.UTF8.GetString(output.ToArray());
        }
    }

    [Theory]
    [InlineData(new[] { "analyze", "--format", "xml" }, "--format must be text, json, jsonl, sarif or html, not 'xml'")]
    [InlineData(new[] { "rules", "list", "--format", "xml" }, "--format must be text or json, not 'xml'")]
    public void Format_errors_list_every_format_of_the_verb(string[] args, string message) =>
        Assert.Contains(message, RunCli(args).Stderr);

    [Fact]
    public void Rules_list_takes_rules_sha256_as_the_readme_says()
    {
        var ok = RunCli(["rules", "list", "--rules-sha256", Pack.Identity.Sha256]);
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("CR2001", ok.Stdout);
        var wrong = RunCli(["rules", "list", "--rules-sha256", new string('0', 64)]);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("refusing", wrong.Stderr);
    }

    [Fact]
    public void Jsonl_of_one_device_is_one_line()
    {
        var r = RunCli(["analyze", "--model", "AR320", "--format", "jsonl", Sample]);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var doc = JsonDocument.Parse(Assert.Single(lines));
        Assert.Equal("act-now", doc.RootElement.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("-o")]
    [InlineData("--output")]
    public void Output_option_writes_the_report_to_a_file(string option)
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "report.json");
        var r = RunCli(["analyze", "--model", "AR320", "--format", "json", option, file, Sample]);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(file)))
        {
            Assert.Equal("act-now", doc.RootElement.GetProperty("verdict").GetString());
        }

        var fleet = Path.Combine(dir.Path, "fleet.txt");
        Assert.Equal(1, RunCli(["analyze", "--each", "-o", fleet, Sample]).ExitCode);
        Assert.Equal($"{Sample}: act-now CR2001 CR2002 CR2003 CR2004\n", File.ReadAllText(fleet));
        Assert.Equal(["fleet.txt", "report.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order()); // no temporary left
    }
}
