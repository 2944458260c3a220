using CodeRed.Cli;
using CodeRed.Rules.IO;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// A test that needs a small tmpfs to fill up: Linux, root, and a working <c>mount -t tmpfs</c>. Where mounting is
/// not possible on the machine (not root, a container without the capability) the test is skipped with the reason,
/// even with CODERED_REQUIRE_TOOLS=1: nothing can be installed to make it possible. Where it is possible, it runs.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux";
        }

        using var dir = new TempDir();
        var mount = ProcessSupport.Shell($"mount -t tmpfs -o size=64k codered-probe {dir.Path} && umount {dir.Path}");
        return mount.ExitCode == 0 ? null : $"cannot mount a tmpfs here ({mount.Stderr.Trim()}); run the tests as root where mount is allowed";
    });

    public TmpfsFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// Issue 14 items 3 and 5: files the CLI writes are whole or absent, never a fragment where a good file was;
/// a configuration file is bounded; a file truncated while it is read is reported.
/// </summary>
public class OutputFileTests
{
    /// <summary>A mounted tmpfs of the given size, unmounted at dispose.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private readonly TempDir _dir = new();

        public SmallDisk(string size)
        {
            var r = ProcessSupport.Shell($"mount -t tmpfs -o size={size} codered-test {_dir.Path}");
            Assert.True(r.ExitCode == 0, r.Stderr);
        }

        public string Path => _dir.Path;

        /// <summary>Fills the disk, leaving about <paramref name="free"/> bytes.</summary>
        public void Fill(int free)
        {
            using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            var block = new byte[1024];
            try
            {
                while (true)
                {
                    filler.Write(block);
                    filler.Flush();
                }
            }
            catch (IOException)
            {
            }

            filler.SetLength(Math.Max(0, filler.Length - free));
        }

        public void Dispose()
        {
            ProcessSupport.Shell($"umount {_dir.Path}");
            _dir.Dispose();
        }
    }

    [TmpfsFact]
    public void Export_lock_and_analyze_on_a_full_disk_leave_the_old_file_whole()
    {
        using var disk = new SmallDisk("512k");
        var csaf = Path.Combine(disk.Path, "old.json");
        var report = Path.Combine(disk.Path, "report.txt");
        File.WriteAllText(csaf, "{\"old\": true}\n");
        File.WriteAllText(report, "old report\n");
        var rules = Path.Combine(disk.Path, "rules");
        foreach (var file in Directory.EnumerateFiles(RulesDir, "*.yaml", SearchOption.AllDirectories).Where(f => !f.Contains("/samples/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(rules, Path.GetRelativePath(RulesDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var lockFile = Path.Combine(rules, "rules.lock.json");
        File.WriteAllText(lockFile, "{\"old\": true}\n");
        disk.Fill(free: 2048);

        var export = RunCli(["export", "csaf", "-o", csaf]);
        Assert.Equal(2, export.ExitCode);
        Assert.Contains($"cannot write '{csaf}'", export.Stderr);
        Assert.Equal("{\"old\": true}\n", File.ReadAllText(csaf));

        var locked = RunCli(["rules", "lock", rules]);
        Assert.Equal(2, locked.ExitCode);
        Assert.Equal("{\"old\": true}\n", File.ReadAllText(lockFile));

        var analyze = RunCli(["analyze", "--format", "json", "-o", report, Repo("docs", "samples", "ar320-capture.log")]);
        Assert.Equal(2, analyze.ExitCode);
        Assert.Equal("old report\n", File.ReadAllText(report));

        var docs = RunCli(["rules", "docs", Path.Combine(disk.Path, "docs")]);
        Assert.Equal(2, docs.ExitCode);
        Assert.Contains("cannot write the pages", docs.Stderr);

        Assert.DoesNotContain(Directory.EnumerateFiles(disk.Path, "*", SearchOption.AllDirectories), f => f.EndsWith(".tmp", StringComparison.Ordinal)); // no temporary left behind
    }

    [Fact]
    public void An_atomic_file_that_is_not_committed_leaves_the_old_one_and_no_temporary()
    {
        using var dir = new TempDir();
        var path = dir.Write("out.json", "old");
        using (var file = AtomicFile.Create(path))
        {
            file.Stream.Write("half a docu"u8);
        } // an exception halfway: no Commit

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));

        AtomicFile.WriteAllBytes(path, "new"u8);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [LinuxFact]
    public void Output_to_a_device_is_written_directly() =>
        Assert.Equal(0, RunCli(["export", "csaf", "-o", "/dev/null"]).ExitCode);

    [LinuxFact]
    public void A_config_that_never_ends_or_is_huge_is_refused_by_name()
    {
        var task = Task.Run(() => RunCli(["analyze", "--config", "/dev/zero", "--model", "AR320"]));
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "--config /dev/zero did not return");
        Assert.Equal(2, task.Result.ExitCode);
        Assert.Contains("/dev/zero(1,1): error: the file is larger than 1024 KiB", task.Result.Stderr);

        using var dir = new TempDir();
        var sparse = Path.Combine(dir.Path, "huge.editorconfig");
        using (var file = new FileStream(sparse, FileMode.Create))
        {
            file.SetLength(3L * 1024 * 1024 * 1024); // 3 GiB, sparse: no disk used
        }

        var r = RunCli(["analyze", "--config", sparse, "--model", "AR320"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("huge.editorconfig(1,1): error: the file is larger than 1024 KiB", r.Stderr);
    }

    [Fact]
    public void A_file_truncated_while_it_is_read_is_reported()
    {
        using var dir = new TempDir();
        var path = dir.Write("growing.log", new string('x', 100_000));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var watched = new WatchedFile(path, stream);
        var buffer = new byte[10_000];
        Assert.Equal(10_000, watched.Read(buffer));
        using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(20_000); // copy-and-truncate log rotation, halfway through the read
        }

        while (watched.Read(buffer) > 0)
        {
        }

        Assert.Equal("shrank while it was read (100000 bytes when opened, 20000 read)", watched.Shrank());
    }

    [Fact]
    public void A_file_that_stays_whole_is_not_reported()
    {
        using var dir = new TempDir();
        var path = dir.Write("steady.log", "quiet\n");
        using var watched = WatchedFile.Open(path, out _)!;
        while (watched.Read(new byte[64]) > 0)
        {
        }

        Assert.Null(watched.Shrank());
    }
}
