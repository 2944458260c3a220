using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// Reports the rule pack in force (id, version, sha256) and whether the last reload failed: healthy while the
/// files in force loaded, the registration's failure status (Degraded unless given) while the last reload
/// failed and an older pack stays in force.
/// </summary>
internal sealed class CodeRedRulesHealthCheck(IRulePackProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = provider.Current.Identity;
        var error = provider.LastError;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["packId"] = identity.Id,
            ["packVersion"] = identity.Version,
            ["packSha256"] = identity.Sha256,
        };
        var pack = $"rule pack {identity.Id} {identity.Version} (sha256 {identity.Sha256})";
        if (error is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy(pack + " in force", data));
        }

        var problems = error.Problems.Where(p => p.Severity == CodeRed.Rules.ProblemSeverity.Error).Select(p => p.ToString()).ToList();
        data["lastReloadError"] = string.Join(Environment.NewLine, problems);
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
            $"the last reload failed ({problems.Count} error(s), first: {problems.FirstOrDefault()}); {pack} stays in force", data: data));
    }
}
