using CodeRed.Rules;
using CodeRed.Rules.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the CodeRed.Rules health check.</summary>
public static class CodeRedRulesHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check named <paramref name="name"/> that reports the rule pack in force (data
    /// <c>packId</c>, <c>packVersion</c>, <c>packSha256</c>) and, after a failed reload, <paramref name="failureStatus"/>
    /// (Degraded unless given) with the problems in <c>lastReloadError</c>: the last good pack is still in force.
    /// Register the engine itself with <c>AddCodeRedRules</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    public static IHealthChecksBuilder AddCodeRedRules(this IHealthChecksBuilder builder, string name = "codered-rules", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        return builder.Add(new HealthCheckRegistration(name, sp => new CodeRedRulesHealthCheck(sp.GetRequiredService<IRulePackProvider>()), failureStatus ?? HealthStatus.Degraded, tags));
    }
}
