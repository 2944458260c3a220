using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static CodeRed.Rules.DependencyInjection.Tests.Support;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>
/// Issue 9, item 8: dependency injection as a host expects. A relative RulesPath is taken from the host's
/// content root; a configuration reload with invalid options keeps the last valid ones and is logged; the
/// provider exposes the last reload failure; a health check reports the pack in force and a failed reload;
/// metrics go through System.Diagnostics.Metrics.
/// </summary>
public sealed class HostContractTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly string _contentRoot = Path.Combine(Path.GetTempPath(), "codered-host-" + Guid.NewGuid().ToString("N"));

    public HostContractTests() => Directory.CreateDirectory(_contentRoot);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static DiagnosticSeverity Cr2001(AnalysisReport report) => report.Diagnostics.Single(d => d.Id == "CR2001").Severity;

    /// <summary>A Generic Host whose content root is not the current directory, with appsettings.json there (reloaded on change).</summary>
    private IHost StartHost(string settingsJson, ListLoggerProvider log, Action<IServiceCollection>? more = null)
    {
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), settingsJson);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _contentRoot, Args = [] });
        builder.Logging.ClearProviders().AddProvider(log);
        builder.Services.AddCodeRedRules(builder.Configuration.GetSection(CodeRedRulesOptions.SectionName));
        more?.Invoke(builder.Services);
        var host = builder.Build();
        host.Start();
        return host;
    }

    [Fact]
    public void A_relative_RulesPath_is_taken_from_the_hosts_content_root()
    {
        Assert.NotEqual(Path.GetFullPath(_contentRoot), Path.GetFullPath(Directory.GetCurrentDirectory()));
        var rules = Path.Combine(_contentRoot, "my-rules");
        TempRules.CopyPack(rules);
        File.WriteAllText(Path.Combine(rules, TempRules.Cr2001), File.ReadAllText(Path.Combine(rules, TempRules.Cr2001)).Replace("severity: warning", "severity: error", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.GetFullPath("my-rules"))); // not beside the process

        var log = new ListLoggerProvider();
        using var host = StartHost("""{ "CodeRed": { "RulesPath": "my-rules" } }""", log);
        var evaluator = host.Services.GetRequiredService<ICodeRedEvaluator>();
        Assert.Equal(RulePack.LoadFrom(rules).Identity, evaluator.Pack.Identity);
        Assert.Equal(DiagnosticSeverity.Error, Cr2001(evaluator.Evaluate(HttpEvidence)));
        Assert.Equal(rules, Assert.Single(log.Named("PackLoaded")).Values["Source"]);
    }

    /// <summary>Invalid options from the start still stop the host from starting, with the options named.</summary>
    [Fact]
    public void Invalid_options_at_start_fail_the_host_start()
    {
        var log = new ListLoggerProvider();
        var e = Assert.ThrowsAny<Exception>(() => StartHost("""{ "CodeRed": { "Language": "fr" } }""", log).Dispose());
        Assert.Contains("Language 'fr' is not a language the pack codered.alliedtelesis.ar carries (en, ja)", e.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Issue 9 item 7: a rule ID the pack lacks is refused in a host as the library and the CLI refuse it.</summary>
    [Fact]
    public void A_severity_override_for_a_rule_the_pack_lacks_fails_the_host_start_naming_the_known_ones()
    {
        var log = new ListLoggerProvider();
        var e = Assert.ThrowsAny<Exception>(() => StartHost("""{ "CodeRed": { "SeverityOverrides": { "CR9999": "none" } } }""", log).Dispose());
        Assert.Contains("no rule 'CR9999' in pack codered.alliedtelesis.ar (its rules: CR1001, CR1002", e.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A pack reload that drops a rule the overrides name: the options no longer fit, which is logged, and
    /// evaluations go on with the pack's defaults rather than throwing.
    /// </summary>
    [Fact]
    public void A_pack_reload_that_drops_an_overridden_rule_is_logged_and_evaluations_go_on()
    {
        var rules = Path.Combine(_contentRoot, "rules");
        TempRules.CopyPack(rules);
        var log = new ListLoggerProvider();
        using var host = StartHost("""{ "CodeRed": { "RulesPath": "rules", "SeverityOverrides": { "CR2005": "error" } } }""", log);
        var evaluator = host.Services.GetRequiredService<ICodeRedEvaluator>();
        var provider = host.Services.GetRequiredService<IRulePackProvider>();
        Assert.Equal(DiagnosticSeverity.Warning, Cr2001(evaluator.Evaluate(HttpEvidence)));

        Directory.Delete(Path.Combine(rules, "CR2005"), recursive: true);
        // The lock lists the rules a whole pack has: take CR2005 out of it too, as 'codered rules lock' would.
        var lockFile = Path.Combine(rules, TempRules.Lock);
        var lockJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(lockFile))!;
        Assert.True(lockJson["rules"]!.AsObject().Remove("CR2005"));
        File.WriteAllText(lockFile, lockJson.ToJsonString());

        Assert.True(provider.TryReload(), provider.LastError?.ToString());
        Assert.Null(provider.Current.FindRule("CR2005"));
        var report = evaluator.Evaluate(HttpEvidence);
        Assert.Equal(DiagnosticSeverity.Warning, Cr2001(report));
        Assert.Contains(log.Named("OptionsRejected"), e => ((string)e.Values["Failures"]!).Contains("no rule 'CR2005'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_configuration_reload_with_invalid_options_keeps_the_last_valid_ones_and_logs_why()
    {
        var log = new ListLoggerProvider();
        var settings = Path.Combine(_contentRoot, "appsettings.json");
        using var host = StartHost("""{ "CodeRed": { "Language": "ja", "SeverityOverrides": { "CR2001": "error" } } }""", log);
        var evaluator = host.Services.GetRequiredService<ICodeRedEvaluator>();
        var before = evaluator.Evaluate(HttpEvidence);
        Assert.StartsWith("HTTP サーバ", before.Diagnostics.Single(d => d.Id == "CR2001").Message, StringComparison.Ordinal);

        File.WriteAllText(settings, """{ "CodeRed": { "Language": "fr", "SeverityOverrides": { "CR2001": "info" } } }""");
        Assert.True(WaitUntil(() => log.Named("OptionsRejected").Any(), Bound), "the invalid options were not logged");
        var rejected = log.Named("OptionsRejected").First();
        Assert.Equal(LogLevel.Warning, rejected.Level);
        Assert.Contains("Language 'fr' is not a language the pack codered.alliedtelesis.ar carries (en, ja)", rejected.Message, StringComparison.Ordinal);

        // Evaluations go on with the last valid options, all of them (not the valid half of the new ones).
        var during = evaluator.Evaluate(HttpEvidence);
        Assert.StartsWith("HTTP サーバ", during.Diagnostics.Single(d => d.Id == "CR2001").Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Error, Cr2001(during));

        File.WriteAllText(settings, """{ "CodeRed": { "Language": "en", "SeverityOverrides": { "CR2001": "info" } } }""");
        Assert.True(WaitUntil(() => Cr2001(evaluator.Evaluate(HttpEvidence)) == DiagnosticSeverity.Info, Bound), "the fixed options were not applied");
        Assert.StartsWith("The router's", evaluator.Evaluate(HttpEvidence).Diagnostics.Single(d => d.Id == "CR2001").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_in_memory_configuration_reload_with_invalid_options_does_not_throw()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CodeRed:Language"] = "en" }).Build();
        var log = new ListLoggerProvider();
        using var sp = new ServiceCollection().AddLogging(b => b.AddProvider(log)).AddCodeRedRules(configuration.GetSection("CodeRed")).BuildServiceProvider();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        evaluator.Evaluate(HttpEvidence);

        configuration["CodeRed:Language"] = "fr";
        configuration.Reload(); // an options monitor that validates throws out of here
        Assert.Single(log.Named("OptionsRejected"));
        Assert.StartsWith("The router's", evaluator.Evaluate(HttpEvidence).Diagnostics.Single(d => d.Id == "CR2001").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_provider_exposes_the_last_reload_failure_and_the_health_check_reports_it()
    {
        var rules = Path.Combine(_contentRoot, "rules");
        TempRules.CopyPack(rules);
        var log = new ListLoggerProvider();
        using var host = StartHost("""{ "CodeRed": { "RulesPath": "rules" } }""", log, s => s.AddHealthChecks().AddCodeRedRules());
        var provider = host.Services.GetRequiredService<IRulePackProvider>();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var failures = new ConcurrentQueue<RulePackReloadFailedEventArgs>();
        provider.ReloadFailed += (_, e) => failures.Enqueue(e);
        var good = provider.Current.Identity;

        var healthy = (await health.CheckHealthAsync()).Entries["codered-rules"];
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(good.Id, healthy.Data["packId"]);
        Assert.Equal(good.Version, healthy.Data["packVersion"]);
        Assert.Equal(good.Sha256, healthy.Data["packSha256"]);
        Assert.Null(provider.LastError);

        var file = Path.Combine(rules, TempRules.Cr2001);
        var original = File.ReadAllText(file);
        File.WriteAllText(file, "kind: rule\nid: [CR2001\n");
        Assert.False(provider.TryReload());
        var failure = Assert.Single(failures);
        Assert.Same(failure.Error, provider.LastError);
        Assert.Equal(good, failure.Current.Identity);

        var degraded = (await health.CheckHealthAsync()).Entries["codered-rules"];
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(good.Sha256, degraded.Data["packSha256"]); // the pack in force is still the good one
        Assert.Contains("CR2001/CR2001.yaml(", (string)degraded.Data["lastReloadError"], StringComparison.Ordinal);
        Assert.Contains("the last reload failed", degraded.Description, StringComparison.Ordinal);

        File.WriteAllText(file, original);
        Assert.True(provider.TryReload());
        Assert.Null(provider.LastError);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["codered-rules"].Status);
    }

    [Fact]
    public void A_new_RulesPath_that_does_not_load_is_the_last_failure_until_a_good_one()
    {
        var rules = Path.Combine(_contentRoot, "rules");
        TempRules.CopyPack(rules);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CodeRed:RulesPath"] = rules }).Build();
        using var sp = new ServiceCollection().AddLogging().AddCodeRedRules(configuration.GetSection("CodeRed")).BuildServiceProvider();
        var provider = sp.GetRequiredService<IRulePackProvider>();
        RulePackReloadFailedEventArgs? failure = null;
        provider.ReloadFailed += (_, e) => failure = e;

        configuration["CodeRed:RulesPath"] = Path.Combine(_contentRoot, "missing");
        configuration.Reload();
        Assert.NotNull(failure);
        Assert.Same(failure.Error, provider.LastError);
        Assert.Contains("no such file or directory", failure.Error.Message, StringComparison.Ordinal);

        configuration["CodeRed:RulesPath"] = rules;
        configuration.Reload();
        Assert.Null(provider.LastError);
    }

    /// <summary>Meter CodeRed.Rules, as OpenTelemetry's AddMeter("CodeRed.Rules") or dotnet-counters would collect it.</summary>
    [Fact]
    public void Evaluations_lines_bytes_diagnostics_and_reload_failures_are_measured()
    {
        var rules = Path.Combine(_contentRoot, "rules");
        TempRules.CopyPack(rules);
        var measured = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CodeRed.Rules")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measured.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measured.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();

        using var sp = new ServiceCollection().AddCodeRedRules(o => o.RulesPath = rules).BuildServiceProvider();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var report = evaluator.Evaluate(CaptureEvidence);
        var pack = report.Pack.Id;

        double Sum(string name) => measured.Where(m => m.Instrument == name && Equals(m.Tags["codered.pack.id"], pack)).Sum(m => m.Value);
        Assert.Equal(1, Sum("codered.evaluations"));
        Assert.Equal(report.Verdict.Word, measured.Single(m => m.Instrument == "codered.evaluations").Tags["codered.verdict"]);
        Assert.Single(measured, m => m.Instrument == "codered.evaluation.duration");
        Assert.Equal(report.SourcesRead.Sum(s => s.Lines), Sum("codered.lines_read"));
        Assert.Equal(new FileInfo(CapturePath).Length, Sum("codered.bytes_read"));
        var byRule = measured.Where(m => m.Instrument == "codered.diagnostics")
            .GroupBy(m => (string)m.Tags["codered.rule.id"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(report.Diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => (double)g.Count()), byRule);
        Assert.All(measured.Where(m => m.Instrument == "codered.diagnostics"), m => Assert.NotNull(m.Tags["codered.severity"]));

        File.WriteAllText(Path.Combine(rules, TempRules.Cr2001), "kind: rule\nid: [CR2001\n");
        Assert.False(sp.GetRequiredService<IRulePackProvider>().TryReload());
        Assert.Equal(1, Sum("codered.pack.reload_failures"));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
