using System.Collections.Concurrent;
using System.Diagnostics;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static CodeRed.Rules.DependencyInjection.Tests.Support;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>
/// Hot reload: an edit is seen within two seconds; an invalid edit keeps the last good pack and is logged with
/// file and line; evaluations under constant reloading never fail and never see a pack that is not a valid one.
/// </summary>
public class HotReloadTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(2);

    private static string SeverityError(string text) => text.Replace("severity: warning", "severity: error", StringComparison.Ordinal);

    private static string NewMessage(string text) => text.Replace("The router's HTTP server ran out of sessions", "The HTTP server ran out of sessions", StringComparison.Ordinal);

    private const string BrokenYaml = "kind: rule\nid: [CR2001\ntitle: broken\n";

    private static ServiceProvider Host(TempRules rules, ListLoggerProvider log) =>
        new ServiceCollection()
            .AddLogging(b => b.AddProvider(log))
            .AddCodeRedRules(o =>
            {
                o.RulesPath = rules.Path;
                o.ReloadOnChange = true;
            })
            .BuildServiceProvider();

    private static DiagnosticSeverity Cr2001(AnalysisReport report) => report.Diagnostics.Single(d => d.Id == "CR2001").Severity;

    [Fact]
    public void An_edit_is_seen_within_two_seconds_and_logged()
    {
        using var rules = new TempRules();
        var log = new ListLoggerProvider();
        using var sp = Host(rules, log);
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var changed = 0;
        sp.GetRequiredService<IRulePackProvider>().PackChanged += (_, _) => Interlocked.Increment(ref changed);
        var before = evaluator.Evaluate(HttpEvidence);
        Assert.Equal(DiagnosticSeverity.Warning, Cr2001(before));

        rules.Write(TempRules.Cr2001, SeverityError(rules.Read(TempRules.Cr2001)));
        var clock = Stopwatch.StartNew();
        Assert.True(WaitUntil(() => Cr2001(evaluator.Evaluate(HttpEvidence)) == DiagnosticSeverity.Error, Soon), "the edit was not seen within 2 s");
        clock.Stop();

        var after = evaluator.Evaluate(HttpEvidence);
        Assert.NotEqual(before.Pack.Sha256, after.Pack.Sha256);
        Assert.Equal(RulePack.LoadFrom(rules.Path).Identity, after.Pack);
        Assert.True(WaitUntil(() => log.Named("PackReloaded").Any(), Soon));
        var reloaded = log.Named("PackReloaded").Last();
        Assert.Equal(after.Pack.Sha256, reloaded.Values["PackSha256"]);
        Assert.Equal(before.Pack.Sha256, reloaded.Values["PreviousSha256"]);
        Assert.True(Volatile.Read(ref changed) >= 1);
        Assert.True(clock.Elapsed < Soon, $"seen after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void An_invalid_edit_keeps_the_last_good_pack_and_logs_file_and_line()
    {
        using var rules = new TempRules();
        var log = new ListLoggerProvider();
        using var sp = Host(rules, log);
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var good = evaluator.Evaluate(HttpEvidence).Pack;
        var original = rules.Read(TempRules.Cr2001);

        rules.Write(TempRules.Cr2001, BrokenYaml);
        // The failure is logged first and its problems after it, from the watcher's thread: wait for both.
        Assert.True(WaitUntil(() => log.Named("PackReloadFailed").Any() && log.Named("PackProblem").Any(p => (string)p.Values["ProblemSeverity"]! == "error"), Soon),
            "the failed reload and its problem were not logged within 2 s");

        var failed = log.Named("PackReloadFailed").First();
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal(good.Sha256, failed.Values["PackSha256"]);
        var problem = log.Named("PackProblem").First(p => (string)p.Values["ProblemSeverity"]! == "error");
        Assert.Equal(TempRules.Cr2001, problem.Values["File"]);
        Assert.True((int)problem.Values["Line"]! >= 2);
        Assert.Contains("CR2001/CR2001.yaml(", problem.Message, StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", problem.Message, StringComparison.Ordinal);

        // The pack in force is the last good one, and evaluations go on.
        var during = evaluator.Evaluate(HttpEvidence);
        Assert.Equal(good, during.Pack);
        Assert.Equal(DiagnosticSeverity.Warning, Cr2001(during));
        Assert.False(sp.GetRequiredService<IRulePackProvider>().TryReload());

        // Fixing the file brings the edit in.
        rules.Write(TempRules.Cr2001, SeverityError(original));
        Assert.True(WaitUntil(() => Cr2001(evaluator.Evaluate(HttpEvidence)) == DiagnosticSeverity.Error, Soon));
    }

    [Fact]
    public void TryReload_reloads_now_without_a_watcher()
    {
        using var rules = new TempRules();
        using var provider = new ReloadingRulePackProvider(rules.Path, watchForChanges: false);
        var changes = new List<RulePackChangedEventArgs>();
        var failures = new List<RulePackReloadFailedEventArgs>();
        provider.PackChanged += (_, e) => changes.Add(e);
        provider.ReloadFailed += (_, e) => failures.Add(e);
        var first = provider.Current;
        Assert.False(provider.IsWatching);

        Assert.True(provider.TryReload());
        Assert.Same(first, provider.Current); // same content: same pack, no event
        Assert.Empty(changes);

        var original = rules.Read(TempRules.Cr2001);
        rules.Write(TempRules.Cr2001, SeverityError(original));
        Assert.Same(first, provider.Current); // nothing watches: nothing changes until asked
        Assert.True(provider.TryReload());
        var second = provider.Current;
        Assert.NotSame(first, second);
        Assert.Equal(RulePack.LoadFrom(rules.Path).Identity, second.Identity);
        var change = Assert.Single(changes);
        Assert.Same(first, change.Previous);
        Assert.Same(second, change.Current);

        rules.Write(TempRules.Cr2001, BrokenYaml);
        Assert.False(provider.TryReload());
        Assert.Same(second, provider.Current);
        var failure = Assert.Single(failures);
        Assert.Same(second, failure.Current);
        Assert.Same(failure.Error, provider.LastError);
        Assert.Contains(failure.Error.Problems, p => p.File == TempRules.Cr2001 && p.Line >= 2 && p.Severity == ProblemSeverity.Error);

        rules.Write(TempRules.Cr2001, original);
        Assert.True(provider.TryReload());
        Assert.Null(provider.LastError);
        Assert.Equal(first.Identity, provider.Current.Identity);
    }

    [Fact]
    public void A_single_file_pack_is_watched_too()
    {
        using var rules = new TempRules();
        var single = Path.Combine(rules.Path, "single.yml");
        var files = Directory.EnumerateFiles(rules.Path, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        File.WriteAllText(single, string.Join("\n---\n", files.Select(File.ReadAllText)));
        using var provider = new ReloadingRulePackProvider(single);
        Assert.Equal(DiagnosticSeverity.Warning, Cr2001(provider.Current.Evaluate(HttpEvidence)));

        File.WriteAllText(single, SeverityError(File.ReadAllText(single)));
        Assert.True(WaitUntil(() => Cr2001(provider.Current.Evaluate(HttpEvidence)) == DiagnosticSeverity.Error, Soon));
    }

    [Fact]
    public void Dispose_stops_watching()
    {
        using var rules = new TempRules();
        var provider = new ReloadingRulePackProvider(rules.Path, debounce: TimeSpan.FromMilliseconds(50));
        var pack = provider.Current;
        provider.Dispose();
        provider.Dispose();

        rules.Write(TempRules.Cr2001, SeverityError(rules.Read(TempRules.Cr2001)));
        Thread.Sleep(400); // eight debounce periods: a live watcher would have reloaded
        Assert.Same(pack, provider.Current);
        Assert.Throws<ObjectDisposedException>(() => provider.TryReload());
    }

    [Fact]
    public void A_provider_starts_only_with_a_good_pack()
    {
        using var rules = new TempRules();
        rules.Write(TempRules.Cr2001, BrokenYaml);
        var e = Assert.Throws<RulePackException>(() => new ReloadingRulePackProvider(rules.Path));
        Assert.Contains(e.Problems, p => p.File == TempRules.Cr2001);
        Assert.Throws<RulePackException>(() => new ReloadingRulePackProvider(Path.Combine(rules.Path, "missing")));
    }

    /// <summary>
    /// Four threads evaluate without pause while this thread rewrites CR2001.yaml 60 times, cycling through two
    /// valid variants, broken YAML, the original, and a rule with an unknown key; the watcher reloads as it
    /// sees fit, and every sixth rewrite is also reloaded at once with TryReload. No evaluation may fail,
    /// every report must name one of the valid packs, and its CR2001 severity must be that pack's.
    /// </summary>
    [Fact]
    public void Evaluations_never_fail_and_only_ever_see_valid_packs_while_files_change()
    {
        using var rules = new TempRules();
        var original = rules.Read(TempRules.Cr2001);
        var variants = new (string Text, bool Valid)[]
        {
            (SeverityError(original), true),
            (BrokenYaml, false),
            (NewMessage(original), true),
            (original + "\ntitel: typo\n", false),
            (original, true),
        };

        // Each valid variant's hash, computed up front, with the CR2001 severity its pack gives.
        var expected = new Dictionary<string, DiagnosticSeverity>(StringComparer.Ordinal);
        var hashOf = new string?[variants.Length];
        for (var v = 0; v < variants.Length; v++)
        {
            if (variants[v].Valid)
            {
                using var copy = new TempRules();
                copy.Write(TempRules.Cr2001, variants[v].Text);
                var pack = RulePack.LoadFrom(copy.Path);
                hashOf[v] = pack.Identity.Sha256;
                expected[pack.Identity.Sha256] = Cr2001(pack.Evaluate(HttpEvidence));
            }
        }

        Assert.Equal(3, expected.Count);

        var log = new ListLoggerProvider();
        using var sp = Host(rules, log);
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var provider = sp.GetRequiredService<IRulePackProvider>();

        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var readers = new ReaderThreads(4, errors =>
        {
            var report = evaluator.Evaluate(HttpEvidence);
            seen.AddOrUpdate(report.Pack.Sha256, 1, (_, n) => n + 1);
            if (!expected.TryGetValue(report.Pack.Sha256, out var severity))
            {
                errors.Enqueue("a report named an unknown pack " + report.Pack.Sha256);
            }
            else if (Cr2001(report) != severity)
            {
                errors.Enqueue($"pack {report.Pack.Sha256} gave CR2001 {Cr2001(report)}, not {severity}");
            }
        });

        // 60 rewrites, 10 to 40 ms apart; every sixth is reloaded at once (all five variants take their
        // turn, as 6 and 5 share no factor), the others whenever the watcher's quiet period ends.
        var random = new Random(2001);
        var swaps = 0;
        var forced = 0;
        provider.PackChanged += (_, _) => Interlocked.Increment(ref swaps);
        for (var i = 0; i < 60; i++)
        {
            var (text, valid) = variants[i % variants.Length];
            rules.Replace(TempRules.Cr2001, text);
            if (i % 6 == 0)
            {
                Assert.Equal(valid, provider.TryReload());
                Assert.Equal(valid ? hashOf[i % variants.Length] : provider.Current.Identity.Sha256, provider.Current.Identity.Sha256);
                Assert.Contains(provider.Current.Identity.Sha256, expected.Keys);
                forced++;
            }

            Thread.Sleep(random.Next(10, 40));
        }

        rules.Replace(TempRules.Cr2001, SeverityError(original));
        Assert.True(provider.TryReload());
        Thread.Sleep(300); // let the watcher's last reload run beside the readers
        readers.Stop();

        Assert.Empty(readers.Errors);
        Assert.True(readers.Reads > 100, $"only {readers.Reads} evaluations");
        Assert.Subset(expected.Keys.ToHashSet(), seen.Keys.ToHashSet());
        Assert.True(seen.Count >= 2, "the readers never saw a swap");
        Assert.Equal(10, forced);
        Assert.True(swaps >= 3, $"only {swaps} swaps");
        Assert.Equal(DiagnosticSeverity.Error, Cr2001(evaluator.Evaluate(HttpEvidence)));
        Assert.True(log.Named("PackReloadFailed").Count() >= 4); // at least each forced reload of an invalid one
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
    }
}
