using System.Diagnostics;
using CodeRed.Rules.Loading;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The reload provider's watch and fallback poll (issue 14, item 2): link loops in the rules folder neither hang
/// the watchers nor the fingerprint walk, and the fingerprint changes when a file the pack reads changes.
/// The reload scenarios themselves are in CodeRed.Rules.DependencyInjection.Tests (ReloadScenarioTests).
/// </summary>
public class PackWatchTests
{
    [Fact]
    public void Link_loops_neither_hang_the_watchers_nor_the_fingerprint()
    {
        using var dir = new TempDir().WithDefaultRules();
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "l1"), ".");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "l2"), ".");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "CR2001", "up"), "..");

        var clock = Stopwatch.StartNew();
        string? first = null;
        var work = new Thread(() =>
        {
            using var watch = PackWatch.Start(dir.Path, _ => { }, () => { });
            first = PackWatch.Fingerprint(PackWatch.ContentPath(dir.Path));
        })
        { IsBackground = true };
        work.Start();
        Assert.True(work.Join(TimeSpan.FromSeconds(10)), "the watch or the fingerprint walk did not return within 10 s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(first, PackWatch.Fingerprint(dir.Path));
        dir.Write("CR2001/CR2001.yaml", File.ReadAllText(Path.Combine(dir.Path, "CR2001", "CR2001.yaml")) + "\n# edited, longer\n");
        Assert.NotEqual(first, PackWatch.Fingerprint(dir.Path));
    }

    [Fact]
    public void The_content_of_a_kubernetes_volume_is_the_target_of_its_data_link()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "..2026_12_01"));
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, PackWatch.KubernetesDataLink), "..2026_12_01");
        Assert.Equal(Path.Combine(dir.Path, "..2026_12_01"), PackWatch.ContentPath(dir.Path));
        Assert.Equal(Path.Combine(dir.Path, "..2026_12_01"), PackWatch.ContentPath(Path.Combine(dir.Path, PackWatch.KubernetesDataLink)));
        Assert.Null(PackWatch.ContentPath(Path.Combine(dir.Path, "missing")));
        Assert.Equal("missing", PackWatch.Fingerprint(null));
    }
}
