using System.Diagnostics.CodeAnalysis;
using CodeRed.Rules;
using CodeRed.Rules.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the CodeRed.Rules engine.</summary>
public static class CodeRedRulesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRulePackProvider"/> and <see cref="ICodeRedEvaluator"/> as singletons, with
    /// <see cref="CodeRedRulesOptions"/> validated (in a host, when it starts). Existing registrations of either
    /// service are kept (TryAdd): register your own first to replace one. With no options set, the embedded
    /// default pack is used. A relative <see cref="CodeRedRulesOptions.RulesPath"/> is taken from
    /// <see cref="IHostEnvironment.ContentRootPath"/> when an <see cref="IHostEnvironment"/> is registered (as in
    /// every Generic Host), else from the current directory. A configuration change that makes the options
    /// invalid is logged and the last valid options stay in force.
    /// </summary>
    public static IServiceCollection AddCodeRedRules(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CodeRedRulesOptions>();
        services.TryAddSingleton(sp => new LastValidOptions(
            sp.GetRequiredService<IOptionsFactory<CodeRedRulesOptions>>(),
            sp.GetServices<IOptionsChangeTokenSource<CodeRedRulesOptions>>(),
            sp.GetService<ILogger<LastValidOptions>>() ?? NullLogger<LastValidOptions>.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CodeRedRulesStartupCheck>());
        services.TryAddSingleton<IRulePackProvider>(sp => new CodeRedRulePackProvider(
            sp.GetRequiredService<LastValidOptions>(),
            sp.GetService<IHostEnvironment>()?.ContentRootPath,
            sp.GetService<ILogger<CodeRedRulePackProvider>>() ?? NullLogger<CodeRedRulePackProvider>.Instance));
        services.TryAddSingleton<ICodeRedEvaluator>(sp => new CodeRedEvaluator(
            sp.GetRequiredService<IRulePackProvider>(),
            sp.GetRequiredService<LastValidOptions>(),
            sp.GetService<ILogger<CodeRedEvaluator>>() ?? NullLogger<CodeRedEvaluator>.Instance,
            sp.GetService<IHostEnvironment>()?.ContentRootPath));
        return services;
    }

    /// <summary>Registers the engine (see <see cref="AddCodeRedRules(IServiceCollection)"/>) and configures its options in code.</summary>
    public static IServiceCollection AddCodeRedRules(this IServiceCollection services, Action<CodeRedRulesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddCodeRedRules();
    }

    /// <summary>
    /// Registers the engine (see <see cref="AddCodeRedRules(IServiceCollection)"/>) with its options bound to
    /// <paramref name="configuration"/>, conventionally <c>configuration.GetSection("CodeRed")</c>; changes to
    /// the configuration apply to later evaluations. Severity keys such as <c>category:LogSignature</c> may be
    /// written as they are: the configuration's path separator in them is put back.
    /// </summary>
    [RequiresUnreferencedCode("Binds CodeRedRulesOptions from configuration by reflection.")]
    [RequiresDynamicCode("Binds CodeRedRulesOptions from configuration by reflection.")]
    public static IServiceCollection AddCodeRedRules(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<CodeRedRulesOptions>(configuration);
        services.Configure<CodeRedRulesOptions>(options => RestoreNestedSeverityKeys(options, configuration));
        return services.AddCodeRedRules();
    }

    /// <summary>
    /// In configuration, <c>SeverityOverrides:category:LogSignature = none</c> is a section <c>category</c>
    /// with a child <c>LogSignature</c>, which binding to a dictionary of strings does not keep. Put such keys
    /// back as <c>category:LogSignature</c>.
    /// </summary>
    private static void RestoreNestedSeverityKeys(CodeRedRulesOptions options, IConfiguration configuration)
    {
        options.SeverityOverrides ??= new(StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(nameof(CodeRedRulesOptions.SeverityOverrides)).GetChildren())
        {
            if (child.Value is not null)
            {
                continue;
            }

            options.SeverityOverrides.Remove(child.Key);
            foreach (var nested in child.GetChildren())
            {
                if (nested.Value is not null)
                {
                    options.SeverityOverrides[child.Key + ":" + nested.Key] = nested.Value;
                }
            }
        }
    }
}
