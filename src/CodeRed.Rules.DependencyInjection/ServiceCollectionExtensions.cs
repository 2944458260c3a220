using System.Diagnostics.CodeAnalysis;
using CodeRed.Rules;
using CodeRed.Rules.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the CodeRed.Rules engine.</summary>
public static class CodeRedRulesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRulePackProvider"/> and <see cref="ICodeRedEvaluator"/> as singletons, with
    /// <see cref="CodeRedRulesOptions"/> validated. Existing registrations of either service are kept
    /// (TryAdd): register your own first to replace one. With no options set, the embedded default pack is used.
    /// </summary>
    public static IServiceCollection AddCodeRedRules(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CodeRedRulesOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CodeRedRulesOptions>, CodeRedRulesOptionsValidator>());
        services.TryAddSingleton<IRulePackProvider>(sp => new CodeRedRulePackProvider(
            sp.GetRequiredService<IOptionsMonitor<CodeRedRulesOptions>>(),
            sp.GetService<ILogger<CodeRedRulePackProvider>>() ?? NullLogger<CodeRedRulePackProvider>.Instance));
        services.TryAddSingleton<ICodeRedEvaluator, CodeRedEvaluator>();
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
