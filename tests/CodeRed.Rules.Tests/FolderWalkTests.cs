using System.Text.Json;
using CodeRed.Rules.IO;
using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 14 item 1: fleet folders and rule folders with link loops, FIFOs, devices, unreadable folders and names
/// that are not UTF-8. Every walk is bounded in time: before, a loop ran until memory ran out.
/// </summary>
public class FolderWalkTests
{
    private const string Signature = "DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\n";

    private static CliResult Bounded(Func<CliResult> run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "the walk did not finish in 30 s");
        return task.Result;
    }

    private static void Sh(string script, string directory)
    {
        var r = ProcessSupport.Shell(script, directory);
        Assert.True(r.ExitCode == 0, $"setup failed: {r.Stderr}");
    }

    [LinuxFact]
    public void Fleet_with_link_loops_reports_each_real_file_once_and_names_the_loops()
    {
        using var dir = new TempDir();
        var d = Path.Combine(dir.Path, "d");
        File.WriteAllText(dir.Write("d/a.log", Signature), Signature);
        Directory.CreateDirectory(Path.Combine(d, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(d, "sub", "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(d, "self"), "../d");
        File.CreateSymbolicLink(Path.Combine(d, "twice.log"), "a.log"); // the same real file by another name

        var r = Bounded(() => RunCli(["analyze", "--format", "jsonl", d]));
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"skipped '{d}/self': a link back to '{d}', which encloses it (a loop)", r.Stderr);
        Assert.Contains($"skipped '{d}/sub/up': a link back to '{d}', which encloses it (a loop)", r.Stderr);
    }

    [LinuxFact]
    public void Fifos_and_devices_in_a_fleet_are_skipped_with_a_line_and_the_others_reported()
    {
        using var dir = new TempDir();
        dir.Write("a.log", Signature);
        dir.Write("c.log", "quiet\n");
        Sh("mkfifo b.fifo && ln -s /dev/zero zero.log", dir.Path);

        var r = Bounded(() => RunCli(["analyze", dir.Path]));
        Assert.Equal(1, r.ExitCode); // the findings of a.log; skipping a FIFO is not an error
        Assert.Equal([$"{dir.Path}/a.log: at-risk CR2002", $"{dir.Path}/c.log: ok"], r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("b.fifo': a FIFO (named pipe), not a regular file", r.Stderr);
        Assert.Contains("zero.log': a character device, not a regular file", r.Stderr);
    }

    [LinuxFact]
    public void A_device_named_explicitly_is_read_as_asked()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.log", Signature);
        var r = Bounded(() => RunCli(["analyze", "--each", a, "/dev/null"]));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal([$"{a}: at-risk CR2002", "/dev/null: ok"], r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [LinuxFact]
    public void An_unreadable_subfolder_is_reported_and_the_fleet_goes_on()
    {
        using var dir = new TempDir();
        dir.Write("a.log", Signature);
        dir.Write("locked/b.log", Signature);
        dir.Write("z.log", "quiet\n");
        Sh("chmod 000 locked && chmod 755 . && chmod 644 a.log z.log", dir.Path);
        try
        {
            // Root reads any folder: then the CLI runs as 'nobody', as an unprivileged user would run it.
            var r = ProcessSupport.IsRoot
                ? ProcessSupport.Shell($"setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp DOTNET_CLI_HOME=/tmp $CODERED analyze .", dir.Path)
                : Bounded(() => RunCli(["analyze", dir.Path]));
            Assert.Equal(2, r.ExitCode); // a folder's files were missed: the answer is incomplete
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.EndsWith("a.log: at-risk CR2002", lines[0]);
            Assert.EndsWith("z.log: ok", lines[1]);
            Assert.Contains("locked': cannot read the folder: Permission denied", r.Stderr);
            Assert.DoesNotContain("internal error", r.Stderr);
        }
        finally
        {
            Sh("chmod 755 locked", dir.Path);
        }
    }

    [LinuxFact]
    public void A_name_that_is_not_utf8_is_analysed_and_shown_escaped()
    {
        using var dir = new TempDir();
        Sh($"printf '{Signature.TrimEnd()}\\n' > \"$(printf 'bad\\377\\376name.log')\"", dir.Path);

        var r = Bounded(() => RunCli(["analyze", dir.Path]));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"{dir.Path}/bad\\xff\\xfename.log: at-risk CR2002", r.Stdout.Trim());

        using var json = JsonDocument.Parse(RunCli(["analyze", "--format", "json", dir.Path]).Stdout);
        Assert.Equal($"{dir.Path}/bad\\xff\\xfename.log", json.RootElement[0].GetProperty("sources")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void An_empty_fleet_says_so_and_exits_2()
    {
        using var dir = new TempDir();
        var r = RunCli(["analyze", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains("no files to analyse in", r.Stderr);

        var each = RunCli(["analyze", "--each"]);
        Assert.Equal(2, each.ExitCode);
        Assert.Contains("no files to analyse", each.Stderr);
    }

    [Fact]
    public void A_missing_input_among_a_fleet_is_reported_and_the_others_still_are()
    {
        using var dir = new TempDir();
        var a = dir.Write("a.log", Signature);
        var r = RunCli(["analyze", "--each", a, Path.Combine(dir.Path, "missing.log")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"{a}: at-risk CR2002", r.Stdout.Trim());
        Assert.Contains("missing.log': no such file or directory", r.Stderr);
    }

    [LinuxFact]
    public void A_rules_folder_made_only_of_loops_is_refused_at_once()
    {
        using var dir = new TempDir();
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "l1"), ".");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "l2"), ".");
        var r = Bounded(() => RunCli(["rules", "validate", dir.Path]));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("l1(0,0): error: a link back to", r.Stderr);
        Assert.Contains("(a loop); a rule folder must not loop", r.Stderr);
    }

    [LinuxFact]
    public void A_rules_folder_reads_a_linked_file_once_and_refuses_a_fifo_named_as_a_rule()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        File.CreateSymbolicLink(Path.Combine(dir.Path, "again.yaml"), Path.Combine(dir.Path, "CR2001", "CR2001.yaml"));
        Sh("mkfifo notes.fifo", dir.Path); // not a YAML name: never looked at
        Assert.Equal(Pack.Rules.Count, RulePack.LoadFrom(dir.Path).Rules.Count); // no duplicate CR2001

        Sh("mkfifo CR9001.yaml", dir.Path);
        var r = Bounded(() => RunCli(["rules", "validate", dir.Path]));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("CR9001.yaml(0,0): error: a FIFO (named pipe), not a regular file; rule files must be plain files", r.Stderr);
    }

    [LinuxFact]
    public void A_fifo_among_the_samples_is_refused_by_rules_test_and_rules_docs_without_blocking()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR2001/samples/negative/quiet.log", "nothing here\n");
        Sh("mkdir -p CR2001/samples/positive && mkfifo CR2001/samples/positive/blocked.log", dir.Path);
        foreach (var args in new[] { new[] { "rules", "test", dir.Path }, ["rules", "docs", Path.Combine(dir.Path, "out"), "--rules", dir.Path] })
        {
            var r = Bounded(() => RunCli(args));
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("blocked.log(0,0): error: a sample must be a regular file, not a FIFO, device or socket", r.Stderr);
        }
    }

    [LinuxFact]
    public void The_reloading_provider_returns_at_once_on_a_looping_folder()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "l1"), ".");
        var task = Task.Run(() =>
        {
            try
            {
                using var provider = new ReloadingRulePackProvider(dir.Path, watchForChanges: false);
                return "loaded";
            }
            catch (RulePackException e)
            {
                return e.Message;
            }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the provider did not return in 20 s");
        Assert.Contains("a loop", task.Result);
    }

    [Fact]
    public void Display_names_show_invalid_utf8_bytes_as_hex() =>
        Assert.Equal("bad\\xff\\xfename-é.log", FileTree.DisplayName([.. "bad"u8, 0xff, 0xfe, .. "name-é.log"u8]));

    [LinuxFact]
    public void A_configmap_style_rules_folder_loads_with_the_hash_of_a_plain_copy()
    {
        // Kubernetes mounts a ConfigMap as '..<timestamp>/' holding the files, '..data -> ..<timestamp>', and one
        // visible link per file through '..data'.
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "..2026_12_01_20_00_00.1");
        foreach (var file in Directory.EnumerateFiles(RulesDir, "*.yaml", SearchOption.AllDirectories).Where(f => !f.Contains("/samples/", StringComparison.Ordinal)))
        {
            var relative = Path.GetRelativePath(RulesDir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(data, relative))!);
            File.Copy(file, Path.Combine(data, relative));
        }

        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "..data"), Path.GetFileName(data));
        foreach (var top in Directory.EnumerateFileSystemEntries(data))
        {
            var name = Path.GetFileName(top);
            if (Directory.Exists(top))
            {
                Directory.CreateSymbolicLink(Path.Combine(dir.Path, name), Path.Combine("..data", name));
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(dir.Path, name), Path.Combine("..data", name));
            }
        }

        Assert.Equal(Pack.Identity.Sha256, RulePack.LoadFrom(dir.Path).Identity.Sha256);
    }
}
