using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static CodeRed.Rules.DependencyInjection.Tests.Support;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>AddCodeRedRules: the three overloads, TryAdd, configuration binding, options applied, logging.</summary>
public class RegistrationTests
{
    private static ServiceProvider Build(Action<IServiceCollection> register, ListLoggerProvider? log = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(log ?? new ListLoggerProvider()).SetMinimumLevel(LogLevel.Trace));
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void Without_options_the_embedded_pack_is_used_and_its_load_is_logged()
    {
        var log = new ListLoggerProvider();
        using var sp = Build(s => s.AddCodeRedRules(), log);

        var provider = sp.GetRequiredService<IRulePackProvider>();
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        Assert.Same(RulePack.Default, provider.Current);
        Assert.Same(provider.Current, evaluator.Pack);
        Assert.True(provider.TryReload());

        var report = evaluator.Evaluate(CaptureEvidence);
        Assert.Equal(RulePack.Default.Identity, report.Pack);
        Assert.Equal(["CR1002", "CR2001", "CR2002", "CR2003", "CR2004", "CR2005"], report.Diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(DiagnosticSeverity.Error, report.MaxSeverity);

        var loaded = Assert.Single(log.Named("PackLoaded"));
        Assert.Equal(LogLevel.Information, loaded.Level);
        Assert.Equal(RulePack.Default.Identity.Id, loaded.Values["PackId"]);
        Assert.Equal(RulePack.Default.Identity.Version, loaded.Values["PackVersion"]);
        Assert.Equal(RulePack.Default.Identity.Sha256, loaded.Values["PackSha256"]);
    }

    [Fact]
    public void Services_are_singletons_and_resolve_without_logging_registered()
    {
        var services = new ServiceCollection().AddCodeRedRules();
        using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Assert.Same(sp.GetRequiredService<ICodeRedEvaluator>(), sp.GetRequiredService<ICodeRedEvaluator>());
        Assert.Same(sp.GetRequiredService<IRulePackProvider>(), sp.GetRequiredService<IRulePackProvider>());
        Assert.Equal("act-now", sp.GetRequiredService<ICodeRedEvaluator>().Evaluate(CaptureEvidence).Verdict.Word);
    }

    [Fact]
    public void Action_overload_applies_path_severity_overrides_and_language()
    {
        using var rules = new TempRules();
        using var sp = Build(s => s.AddCodeRedRules(o =>
        {
            o.RulesPath = rules.Path;
            o.SeverityOverrides["CR2001"] = "error";
            o.SeverityOverrides["category:LogSignature"] = "hidden";
            o.SeverityOverrides["cr2005"] = "none";
            o.Language = "ja";
        }));

        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var report = evaluator.Evaluate(CaptureEvidence);
        Assert.Equal(RulePack.LoadFrom(rules.Path).Identity, report.Pack);
        Assert.Equal("ja", evaluator.Options.Culture?.Name);

        var byId = report.Diagnostics.ToDictionary(d => d.Id, d => d.Severity);
        Assert.Equal(DiagnosticSeverity.Error, byId["CR2001"]);     // rule beats category
        Assert.Equal(DiagnosticSeverity.Hidden, byId["CR2002"]);    // category
        Assert.Equal(DiagnosticSeverity.Warning, byId["CR1002"]);   // another category keeps its default
        Assert.False(byId.ContainsKey("CR2005"));                   // none turns the rule off, whatever its case
        Assert.Contains("HTTP サーバのセッションが不足し", report.Diagnostics.Single(d => d.Id == "CR2001").Message);
    }

    [Fact]
    public void All_sets_every_rule_and_english_is_the_other_language()
    {
        using var sp = Build(s => s.AddCodeRedRules(o =>
        {
            o.SeverityOverrides["all"] = "info";
            o.Language = "EN";
        }));

        var report = sp.GetRequiredService<ICodeRedEvaluator>().Evaluate(CaptureEvidence);
        Assert.All(report.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.StartsWith("The router's HTTP server ran out of sessions", report.Diagnostics.Single(d => d.Id == "CR2001").Message);
    }

    [Fact]
    public void Configuration_overload_binds_the_section_including_category_keys()
    {
        using var rules = new TempRules();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CodeRed:RulesPath"] = rules.Path,
            ["CodeRed:ReloadOnChange"] = "false",
            ["CodeRed:SeverityOverrides:CR2005"] = "none",
            ["CodeRed:SeverityOverrides:category:LogSignature"] = "error",
            ["CodeRed:SeverityOverrides:all"] = "hidden",
            ["CodeRed:Language"] = "ja",
        }).Build();
        using var sp = Build(s => s.AddCodeRedRules(configuration.GetSection(CodeRedRulesOptions.SectionName)));

        var options = sp.GetRequiredService<IOptionsMonitor<CodeRedRulesOptions>>().CurrentValue;
        Assert.Equal(rules.Path, options.RulesPath);
        Assert.False(options.ReloadOnChange);
        Assert.Equal("ja", options.Language);
        Assert.Equal(
            new Dictionary<string, string> { ["CR2005"] = "none", ["category:LogSignature"] = "error", ["all"] = "hidden" }.OrderBy(p => p.Key),
            options.SeverityOverrides.OrderBy(p => p.Key));

        var report = sp.GetRequiredService<ICodeRedEvaluator>().Evaluate(CaptureEvidence);
        var byId = report.Diagnostics.ToDictionary(d => d.Id, d => d.Severity);
        Assert.False(byId.ContainsKey("CR2005"));
        Assert.Equal(DiagnosticSeverity.Error, byId["CR2001"]);
        Assert.Equal(DiagnosticSeverity.Hidden, byId["CR1002"]);
        Assert.Equal(RulePack.LoadFrom(rules.Path).Identity.Sha256, report.Pack.Sha256);
    }

    [Fact]
    public void Configuration_changes_apply_to_later_evaluations_and_a_new_rules_path_is_opened()
    {
        using var first = new TempRules();
        using var second = new TempRules();
        second.Write(TempRules.Cr2001, second.Read(TempRules.Cr2001).Replace("severity: warning", "severity: error", StringComparison.Ordinal));
        var source = new Dictionary<string, string?> { ["CodeRed:RulesPath"] = first.Path, ["CodeRed:Language"] = "en" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(source).Build();
        var log = new ListLoggerProvider();
        using var sp = Build(s => s.AddCodeRedRules(configuration.GetSection("CodeRed")), log);
        var evaluator = sp.GetRequiredService<ICodeRedEvaluator>();
        var provider = sp.GetRequiredService<IRulePackProvider>();
        var changes = new List<RulePackChangedEventArgs>();
        provider.PackChanged += (_, e) => changes.Add(e);

        var before = evaluator.Evaluate(HttpEvidence);
        Assert.Equal(DiagnosticSeverity.Warning, before.Diagnostics.Single(d => d.Id == "CR2001").Severity);
        Assert.StartsWith("The router's", before.Diagnostics.Single(d => d.Id == "CR2001").Message);

        configuration["CodeRed:Language"] = "ja";
        configuration["CodeRed:RulesPath"] = second.Path;
        configuration.Reload();

        var after = evaluator.Evaluate(HttpEvidence);
        Assert.Equal(DiagnosticSeverity.Error, after.Diagnostics.Single(d => d.Id == "CR2001").Severity);
        Assert.StartsWith("HTTP サーバ", after.Diagnostics.Single(d => d.Id == "CR2001").Message);
        Assert.Equal(RulePack.LoadFrom(second.Path).Identity, after.Pack);
        var change = Assert.Single(changes);
        Assert.Equal(before.Pack, change.Previous.Identity);
        Assert.Equal(after.Pack, change.Current.Identity);
        Assert.Equal(2, log.Named("PackLoaded").Count());

        // A path that does not load keeps the pack in force, and says why.
        configuration["CodeRed:RulesPath"] = Path.Combine(second.Path, "missing");
        configuration.Reload();
        Assert.Equal(after.Pack, evaluator.Evaluate(HttpEvidence).Pack);
        Assert.Single(log.Named("PackLoadFailed"));
        Assert.Contains(log.Named("PackProblem"), e => e.Message.Contains("no such file or directory", StringComparison.Ordinal));
    }

    [Fact]
    public void TryAdd_keeps_the_users_own_registrations()
    {
        using var rules = new TempRules();
        var custom = new FixedRulePackProvider(RulePack.LoadFrom(rules.Path));
        using var sp = Build(s =>
        {
            s.AddSingleton<IRulePackProvider>(custom);
            s.AddCodeRedRules(o => o.SeverityOverrides["CR2001"] = "error");
            s.AddCodeRedRules(); // twice does no harm
        });

        Assert.Same(custom, sp.GetRequiredService<IRulePackProvider>());
        Assert.Single(sp.GetServices<IRulePackProvider>());
        Assert.Single(sp.GetServices<ICodeRedEvaluator>());
        Assert.Single(sp.GetServices<IHostedService>().OfType<CodeRedRulesStartupCheck>());
        var report = sp.GetRequiredService<ICodeRedEvaluator>().Evaluate(HttpEvidence);
        Assert.Equal(custom.Current.Identity, report.Pack);
        Assert.Equal(DiagnosticSeverity.Error, report.Diagnostics.Single(d => d.Id == "CR2001").Severity);

        var evaluator = new StubEvaluator();
        using var sp2 = Build(s => s.AddSingleton<ICodeRedEvaluator>(evaluator).AddCodeRedRules());
        Assert.Same(evaluator, sp2.GetRequiredService<ICodeRedEvaluator>());
    }

    private sealed class StubEvaluator : ICodeRedEvaluator
    {
        public RulePack Pack => RulePack.Default;

        public EvaluationOptions Options => EvaluationOptions.Default;

        public AnalysisReport Evaluate(DeviceEvidence evidence) => RulePack.Default.Evaluate(evidence);
    }

    [Theory]
    [InlineData("Language", "fr", "Language 'fr' is not a language the pack codered.alliedtelesis.ar carries (en, ja)")]
    [InlineData("Language", "no-such-language-x", "names no language")]
    [InlineData("SeverityOverrides:CR9999", "none", "no rule 'CR9999' in pack codered.alliedtelesis.ar (its rules: CR1001,")]
    [InlineData("SeverityOverrides:category:LogSignatur", "none", "no category 'LogSignatur' in pack codered.alliedtelesis.ar (its categories: Exposure, LogSignature)")]
    [InlineData("SeverityOverrides:CR2001", "loud", "'loud' is not a severity")]
    [InlineData("SeverityOverrides:foo:bar", "error", "expected a rule ID")]
    public void Invalid_options_are_rejected_with_a_clear_message(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CodeRed:" + key] = value }).Build();
        using var sp = Build(s => s.AddCodeRedRules(configuration.GetSection("CodeRed")));
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<ICodeRedEvaluator>().Evaluate(HttpEvidence));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_pack_at_startup_fails_resolution_and_logs_every_problem()
    {
        using var rules = new TempRules();
        rules.Write(TempRules.Cr2001, "kind: rule\nid: [CR2001\ntitle: x\n");
        var log = new ListLoggerProvider();
        using var sp = Build(s => s.AddCodeRedRules(o => o.RulesPath = rules.Path), log);

        var e = Assert.Throws<RulePackException>(() => sp.GetRequiredService<IRulePackProvider>());
        Assert.Contains("CR2001/CR2001.yaml(", e.Message, StringComparison.Ordinal);
        var failed = Assert.Single(log.Named("PackLoadFailed"));
        Assert.Equal(LogLevel.Error, failed.Level);
        var problem = Assert.Single(log.Named("PackProblem"));
        Assert.Equal(TempRules.Cr2001, problem.Values["File"]);
        Assert.True((int)problem.Values["Line"]! >= 2);
    }
}

/// <summary>SeverityConfiguration.FromSettings, in the core: the --severity syntax for hosts with or without DI.</summary>
public class SeveritySettingsTests
{
    [Fact]
    public void Settings_map_to_rule_category_and_all()
    {
        var config = SeverityConfiguration.FromSettings(new Dictionary<string, string>
        {
            ["CR2001"] = "error",
            ["category:LogSignature"] = "none",
            ["ALL"] = "suggestion",
        });
        Assert.Equal(DiagnosticSeverity.Error, config.Rules["cr2001"]);
        Assert.Null(config.Categories["logsignature"]);
        Assert.Equal(new SeveritySetting(DiagnosticSeverity.Info), config.AllRules);
    }

    [Fact]
    public void Every_bad_setting_is_named()
    {
        var e = Assert.Throws<FormatException>(() => SeverityConfiguration.FromSettings(new Dictionary<string, string>
        {
            ["CR2001"] = "loud",
            ["category:"] = "error",
            ["two words"] = "info",
        }));
        Assert.Contains("'CR2001': 'loud' is not a severity", e.Message, StringComparison.Ordinal);
        Assert.Contains("'category:': the category name is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("'two words': expected a rule ID", e.Message, StringComparison.Ordinal);
    }
}
