using System.Collections.Concurrent;
using System.Diagnostics;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.DependencyInjection.Tests.Support;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>
/// Issue 14, item 2: hot reload never serves a wrong pack and never stops. The rules folder deleted and created
/// again, renamed over, reached through a switched link or a Kubernetes ConfigMap volume; a pack copied in one
/// file at a time; evaluations on several threads while files are rewritten; Dispose during a reload; a throwing
/// handler; a link loop in the folder. Every wait for an expected reload is bounded (10 s).
/// </summary>
public sealed class ReloadScenarioTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(50);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "codered-reload-" + Guid.NewGuid().ToString("N"));

    public ReloadScenarioTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string At(params string[] parts) => Path.Combine([_root, .. parts]);

    /// <summary>The default pack with rule <paramref name="id"/> at <paramref name="severity"/>: a variant told apart by its CR2001-CR2005 severities.</summary>
    private static void SetSeverity(string pack, string id, string severity)
    {
        var file = Path.Combine(pack, id, id + ".yaml");
        var text = File.ReadAllText(file);
        var start = text.IndexOf("\nseverity: ", StringComparison.Ordinal) + 1;
        var end = text.IndexOf('\n', start);
        File.WriteAllText(file, text[..start] + "severity: " + severity + text[end..]);
    }

    private static string? SeverityOf(RulePack pack, string id) => pack.FindRule(id)?.DefaultSeverity.ToString();

    private static bool Eventually(Func<bool> condition) => WaitUntil(condition, Bound);

    /// <summary>rename(2) of a link or folder over another, as the kubelet and `mv -T` do: one atomic step.</summary>
    private static void RenameOver(string from, string to)
    {
        using var mv = Process.Start(new ProcessStartInfo("mv", ["-T", from, to]) { RedirectStandardError = true })!;
        var error = mv.StandardError.ReadToEnd();
        mv.WaitForExit();
        Assert.True(mv.ExitCode == 0, "mv -T failed: " + error);
    }

    private ReloadingRulePackProvider Watch(string path, TimeSpan? poll = null) => new(path, debounce: Fast, pollInterval: poll);

    [Fact]
    public void A_folder_deleted_and_created_again_is_watched_again()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        using var provider = Watch(rules);
        var failures = 0;
        provider.ReloadFailed += (_, _) => Interlocked.Increment(ref failures);
        var first = provider.Current;

        Directory.Delete(rules, recursive: true);
        Assert.True(Eventually(() => Volatile.Read(ref failures) > 0), "the deleted folder was not noticed");
        Assert.Same(first, provider.Current); // nothing there: the last good pack stays

        TempRules.CopyPack(rules);
        SetSeverity(rules, "CR2001", "error");
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Error"), "the re-created folder was not loaded");
        Assert.Null(provider.LastError);

        // And it goes on: later edits in the new folder are seen.
        SetSeverity(rules, "CR2002", "error");
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2002") == "Error"), "an edit after the re-creation was not seen");
    }

    [Fact]
    public void A_folder_renamed_over_the_path_replaces_the_old_one_whose_edits_no_longer_matter()
    {
        var rules = At("rules");
        var next = At("rules.new");
        TempRules.CopyPack(rules);
        TempRules.CopyPack(next);
        SetSeverity(next, "CR2001", "error");
        using var provider = Watch(rules);

        Directory.Move(rules, At("rules.old"));
        Directory.Move(next, rules);
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Error"), "the folder renamed over the path was not loaded");

        // Edits to the old folder, now rules.old, are not the pack's any more; edits to the new one are.
        SetSeverity(At("rules.old"), "CR2002", "error");
        SetSeverity(rules, "CR2003", "error");
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2003") == "Error"), "an edit to the new folder was not seen");
        Thread.Sleep(500); // ten quiet periods: an edit still watched in rules.old would have been loaded
        Assert.True(provider.TryReload());
        Assert.Equal("Warning", SeverityOf(provider.Current, "CR2002"));
    }

    [Fact]
    public void A_link_switched_atomically_to_another_folder_is_followed_and_later_edits_are_seen()
    {
        TempRules.CopyPack(At("v1"));
        TempRules.CopyPack(At("v2"));
        SetSeverity(At("v2"), "CR2001", "error");
        Directory.CreateSymbolicLink(At("current"), "v1");
        using var provider = Watch(At("current"));
        Assert.Equal("Warning", SeverityOf(provider.Current, "CR2001"));

        Directory.CreateSymbolicLink(At("current.tmp"), "v2");
        RenameOver(At("current.tmp"), At("current"));
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Error"), "the switch to v2 was not seen");

        SetSeverity(At("v2"), "CR2002", "error");
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2002") == "Error"), "an edit in v2 after the switch was not seen");
        SetSeverity(At("v1"), "CR2003", "error");
        Thread.Sleep(500);
        Assert.Equal("Warning", SeverityOf(provider.Current, "CR2003")); // v1 is not the pack any more
    }

    /// <summary>
    /// A Kubernetes ConfigMap volume, as the kubelet writes it: the data in a timestamped folder, <c>..data</c> a
    /// link to it, every top-level entry a link through <c>..data</c>; an update writes a new timestamped
    /// folder, points <c>..data_tmp</c> at it, renames <c>..data_tmp</c> over <c>..data</c>, then deletes the old folder.
    /// </summary>
    [Fact]
    public void A_kubernetes_configmap_volume_is_read_once_and_its_updates_are_seen()
    {
        var volume = At("volume");
        Directory.CreateDirectory(volume);
        TempRules.CopyPack(Path.Combine(volume, "..2026_12_01"));
        Directory.CreateSymbolicLink(Path.Combine(volume, "..data"), "..2026_12_01");
        foreach (var top in TempRules.PackFiles.Select(f => f.Split('/')[0]).Distinct())
        {
            if (top.EndsWith(".yaml", StringComparison.Ordinal) || top.EndsWith(".json", StringComparison.Ordinal))
            {
                File.CreateSymbolicLink(Path.Combine(volume, top), "..data/" + top);
            }
            else
            {
                Directory.CreateSymbolicLink(Path.Combine(volume, top), "..data/" + top);
            }
        }

        using var provider = Watch(volume);
        Assert.Equal(RulePack.LoadFrom(RulesDir).Identity.Sha256, provider.Current.Identity.Sha256); // each file once
        Assert.Equal(12, provider.Current.Rules.Count);

        void Update(string folder, string from, Action<string> edit)
        {
            var data = Path.Combine(volume, folder);
            TempRules.CopyPack(data);
            edit(data);
            Directory.CreateSymbolicLink(Path.Combine(volume, "..data_tmp"), folder);
            RenameOver(Path.Combine(volume, "..data_tmp"), Path.Combine(volume, "..data"));
            Directory.Delete(Path.Combine(volume, from), recursive: true);
        }

        Update("..2026_12_02", "..2026_12_01", d => SetSeverity(d, "CR2001", "error"));
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Error"), "the first update was not seen");

        Update("..2026_12_03", "..2026_12_02", d =>
        {
            SetSeverity(d, "CR2001", "error");
            SetSeverity(d, "CR2002", "error");
        });
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2002") == "Error"), "the second update was not seen");

        // An edit made in place (kubectl cp, a debugging session) is seen too.
        SetSeverity(Path.Combine(volume, "..2026_12_03"), "CR2003", "error");
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2003") == "Error"), "an edit in the data folder was not seen");
        Assert.Equal(12, provider.Current.Rules.Count);
    }

    /// <summary>
    /// A link switched above the watched path raises no event in any folder watched: only the poll of the files'
    /// names, sizes and times sees it. Without the poll the switch goes unseen, which shows what the poll is for.
    /// </summary>
    [Fact]
    public void The_poll_sees_a_change_no_watcher_reports()
    {
        TempRules.CopyPack(At("v1", "rules"));
        TempRules.CopyPack(At("v2", "rules"));
        SetSeverity(At("v2", "rules"), "CR2001", "error");
        Directory.CreateSymbolicLink(At("current"), "v1");
        using var polled = Watch(At("current", "rules"), poll: TimeSpan.FromMilliseconds(200));
        using var unpolled = Watch(At("current", "rules"), poll: Timeout.InfiniteTimeSpan);

        Directory.CreateSymbolicLink(At("current.tmp"), "v2");
        RenameOver(At("current.tmp"), At("current"));
        Assert.True(Eventually(() => SeverityOf(polled.Current, "CR2001") == "Error"), "the poll did not see the switch");
        Assert.Equal("Warning", SeverityOf(unpolled.Current, "CR2001"));

        // The poll also set up watching of the new folder: an edit there is seen at once, not at the next poll only.
        SetSeverity(At("v2", "rules"), "CR2002", "error");
        Assert.True(Eventually(() => SeverityOf(polled.Current, "CR2002") == "Error"));
    }

    /// <summary>
    /// The pack copied back one file every 150 ms, into a folder just emptied: in ordinal order the lock comes
    /// last, in reverse order first. Every pack ever in force must be a whole one, and the copy must end with the
    /// new pack in force and no error; the incomplete states are refused with a reason.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_pack_copied_in_one_file_at_a_time_is_published_only_when_complete(bool lockFirst)
    {
        var rules = At("rules");
        var source = At("source");
        TempRules.CopyPack(rules);
        TempRules.CopyPack(source);
        SetSeverity(source, "CR2001", "error");
        var whole = new HashSet<string>(StringComparer.Ordinal) { RulePack.LoadFrom(rules).Identity.Sha256, RulePack.LoadFrom(source).Identity.Sha256 };

        using var provider = Watch(rules);
        var published = new ConcurrentQueue<RulePack>();
        var reasons = new ConcurrentQueue<string>();
        provider.PackChanged += (_, e) => published.Enqueue(e.Current);
        provider.ReloadFailed += (_, e) => reasons.Enqueue(e.Error.Message);
        using var stop = new CancellationTokenSource();
        var sampled = new ConcurrentQueue<RulePack>();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                sampled.Enqueue(provider.Current);
                Thread.Sleep(5);
            }
        });
        sampler.Start();

        foreach (var entry in Directory.EnumerateFileSystemEntries(rules))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }

        var order = lockFirst ? TempRules.PackFiles.Reverse() : TempRules.PackFiles;
        foreach (var relative in order)
        {
            var target = Path.Combine(rules, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, relative), target);
            Thread.Sleep(150);
        }

        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Error"), "the whole pack was not loaded after the copy");
        stop.Cancel();
        sampler.Join();

        var packs = published.Concat(sampled).Distinct().ToList();
        Assert.All(packs, p => Assert.Equal(12, p.Rules.Count));
        Assert.All(packs, p => Assert.Contains(p.Identity.Sha256, whole));
        Assert.Single(published);
        Assert.Null(provider.LastError);
        Assert.Contains(reasons, r => r.Contains("the pack is incomplete", StringComparison.Ordinal) || r.Contains("the lock file is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lock_naming_missing_rules_keeps_the_pack_in_force_and_says_which()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        using var provider = new ReloadingRulePackProvider(rules, watchForChanges: false);
        var good = provider.Current;
        RulePackReloadFailedEventArgs? failure = null;
        provider.ReloadFailed += (_, e) => failure = e;

        Directory.Delete(Path.Combine(rules, "CR2003"), recursive: true);
        Directory.Delete(Path.Combine(rules, "CR1003"), recursive: true);
        Assert.Equal(10, RulePack.LoadFrom(rules).Rules.Count); // a valid pack by itself, but not the whole one
        Assert.False(provider.TryReload());
        Assert.Same(good, provider.Current);
        Assert.NotNull(failure);
        Assert.Same(good, failure.Current);
        Assert.Same(failure.Error, provider.LastError);
        var problem = Assert.Single(failure.Error.Problems);
        Assert.Equal(ReleaseTracking.LockFile, problem.File);
        Assert.Contains("the lock names CR1003, CR2003, not in the rule files: the pack is incomplete", problem.Message, StringComparison.Ordinal);

        TempRules.CopyFile("CR2003/CR2003.yaml", rules);
        TempRules.CopyFile("CR1003/CR1003.yaml", rules);
        Assert.True(provider.TryReload());
        Assert.Null(provider.LastError);

        // A lock that goes missing while the pack in force had one: taken as a pack still being copied.
        File.Delete(Path.Combine(rules, TempRules.Lock));
        SetSeverity(rules, "CR2001", "error");
        Assert.False(provider.TryReload());
        Assert.Contains("the lock file is missing, but the pack in force had one", provider.LastError!.Message, StringComparison.Ordinal);
        Assert.Equal("Warning", SeverityOf(provider.Current, "CR2001"));
    }

    /// <summary>
    /// Four threads evaluate without pause while a writer, for three seconds, rewrites CR2001 in place and by
    /// rename (three valid variants), and deletes rule folders and copies them back. Every report must come from
    /// a whole pack: 12 rules, and a hash among the valid variants'. An edit after the stress is picked up.
    /// </summary>
    [Fact]
    public void Under_a_stress_of_rewrites_and_copies_every_report_comes_from_a_whole_pack()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        var cr2001 = Path.Combine(rules, TempRules.Cr2001);
        var original = File.ReadAllText(cr2001);
        var variants = new[] { "warning", "error", "info", "hidden" }
            .Select(s => original.Replace("\nseverity: warning\n", "\nseverity: " + s + "\n", StringComparison.Ordinal))
            .ToArray();
        var hashOf = new List<string>();
        foreach (var text in variants)
        {
            using var copy = new TempRules();
            copy.Write(TempRules.Cr2001, text);
            hashOf.Add(RulePack.LoadFrom(copy.Path).Identity.Sha256);
        }

        var valid = hashOf.ToHashSet(StringComparer.Ordinal);

        Assert.Equal(4, valid.Count);
        var final = variants[^1];
        variants = variants[..^1]; // the last one is the edit made after the stress
        using var provider = Watch(rules, poll: TimeSpan.FromMilliseconds(100));
        using var readers = new ReaderThreads(4, errors =>
        {
            var pack = provider.Current;
            var report = pack.Evaluate(HttpEvidence);
            if (pack.Rules.Count != 12 || !valid.Contains(report.Pack.Sha256))
            {
                errors.Enqueue($"a report came from a pack of {pack.Rules.Count} rules, sha256 {report.Pack.Sha256}");
            }
        });

        var random = new Random(14);
        var clock = Stopwatch.StartNew();
        var swaps = 0;
        var failures = new ConcurrentQueue<string>();
        provider.PackChanged += (_, _) => Interlocked.Increment(ref swaps);
        provider.ReloadFailed += (_, e) => failures.Enqueue(e.Error.Message);
        var pauses = 0;
        for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(3) || pauses < 2; i++)
        {
            switch (i % 4)
            {
                case 0:
                    File.WriteAllText(cr2001, variants[i % variants.Length]); // in place: truncate, then write
                    break;
                case 1:
                    var temporary = cr2001 + ".tmp";
                    File.WriteAllText(temporary, variants[i % variants.Length]);
                    File.Move(temporary, cr2001, overwrite: true);
                    break;
                case 2:
                    var id = random.Next(2) == 0 ? "CR2003" : "CR1003";
                    Directory.Delete(Path.Combine(rules, id), recursive: true);
                    Thread.Sleep(random.Next(0, 100));
                    TempRules.CopyFile($"{id}/{id}.yaml", rules);
                    break;
                default:
                    File.Delete(cr2001);
                    Thread.Sleep(random.Next(0, 100));
                    File.WriteAllText(cr2001, variants[i % variants.Length]);
                    break;
            }

            if (i % 8 == 7)
            {
                // Now and then the writer waits (bounded) for the reload of the whole pack it left, a new variant
                // each time, so that the readers see swaps and not only refused reloads.
                var expected = hashOf[i % variants.Length];
                Assert.True(Eventually(() => provider.Current.Identity.Sha256 == expected), "a whole pack left by the writer was not loaded");
                pauses++;
            }
            else
            {
                Thread.Sleep(random.Next(5, 120)); // mostly shorter than the quiet period
            }
        }

        // After the stress, an edit is still picked up.
        File.WriteAllText(cr2001, final);
        Assert.True(Eventually(() => SeverityOf(provider.Current, "CR2001") == "Hidden"), "an edit after the stress was not picked up");
        readers.Stop();

        Assert.Empty(readers.Errors);
        Assert.True(readers.Reads > 100, $"only {readers.Reads} reports");
        Assert.True(swaps >= pauses + 1, $"only {swaps} swaps; " + string.Join(" | ", failures.Take(5)));
    }

    [Fact]
    public void Dispose_waits_for_a_reload_under_way()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        var provider = new ReloadingRulePackProvider(rules, watchForChanges: false);
        using var inHandler = new ManualResetEventSlim();
        var handlerDone = false;
        provider.PackChanged += (_, _) =>
        {
            inHandler.Set();
            Thread.Sleep(300);
            Volatile.Write(ref handlerDone, true);
        };

        SetSeverity(rules, "CR2001", "error");
        var reloaded = false;
        var reload = new Thread(() => reloaded = provider.TryReload());
        reload.Start();
        Assert.True(inHandler.Wait(Bound));
        provider.Dispose();
        Assert.True(Volatile.Read(ref handlerDone), "Dispose returned while the reload was still under way");
        Assert.True(reload.Join(Bound) && reloaded);
        Assert.Throws<ObjectDisposedException>(() => provider.TryReload());
    }

    [Fact]
    public void A_throwing_PackChanged_handler_leaves_the_swap_in_place_and_is_reported()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        using var provider = new ReloadingRulePackProvider(rules, watchForChanges: false);
        var later = 0;
        RulePackReloadFailedEventArgs? failure = null;
        provider.PackChanged += (_, _) => throw new InvalidOperationException("subscriber bug");
        provider.PackChanged += (_, _) => later++;
        provider.ReloadFailed += (_, e) => failure = e;

        SetSeverity(rules, "CR2001", "error");
        Assert.True(provider.TryReload());
        Assert.Equal("Error", SeverityOf(provider.Current, "CR2001")); // the swap stands
        Assert.Equal(1, later); // the handlers after the one that threw still ran
        Assert.NotNull(failure);
        Assert.Same(provider.Current, failure.Current);
        Assert.Contains("a PackChanged handler threw InvalidOperationException: subscriber bug", failure.Error.Message, StringComparison.Ordinal);
        Assert.Same(failure.Error, provider.LastError);
    }

    [Fact]
    public void A_link_loop_in_the_rules_folder_does_not_hang_the_constructor()
    {
        var rules = At("rules");
        TempRules.CopyPack(rules);
        Directory.CreateSymbolicLink(Path.Combine(rules, "l1"), ".");
        string? outcome = null;
        var construct = new Thread(() =>
        {
            try
            {
                new ReloadingRulePackProvider(rules, debounce: Fast).Dispose();
                outcome = "loaded";
            }
            catch (RulePackException e)
            {
                outcome = e.Message; // a walk that refuses the loop is fine too
            }
        })
        { IsBackground = true };
        construct.Start();

        Assert.True(construct.Join(Bound), "the constructor did not return within 10 s");
        Assert.NotNull(outcome);
    }
}
