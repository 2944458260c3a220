namespace CodeRed.Cli;

/// <summary>
/// The Azure Pipelines build a run is part of, read from the pipeline's environment variables. GitHub Advanced
/// Security for Azure DevOps ingests a SARIF run only with this identity in <c>automationDetails</c> (its validator
/// rules GHAzDO1019 and GHAzDO1020), so <c>--format sarif</c> writes it when codered runs in a pipeline.
/// </summary>
internal static class AzurePipeline
{
    public const string IdPrefix = "azuredevops/pipeline/build/";

    /// <summary>The SARIF options for a pipeline run, or the defaults outside a pipeline (or with part of its identity missing).</summary>
    public static (string AutomationIdPrefix, IReadOnlyDictionary<string, string>? Properties) Detect(Func<string, string?> env)
    {
        var defaults = ("codered/analyze/", (IReadOnlyDictionary<string, string>?)null);
        if (!string.Equals(env("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return defaults;
        }

        var definitionId = env("SYSTEM_DEFINITIONID");
        var definitionName = env("BUILD_DEFINITIONNAME");
        var phaseId = Value(env("SYSTEM_PHASEID")) ?? env("SYSTEM_JOBID");
        var phaseName = Value(env("SYSTEM_PHASENAME")) ?? env("SYSTEM_JOBNAME");
        if (!int.TryParse(definitionId, out var id) || id <= 0 || string.IsNullOrWhiteSpace(definitionName)
            || !Guid.TryParse(phaseId, out var phase) || phase == Guid.Empty || string.IsNullOrWhiteSpace(phaseName))
        {
            return defaults;
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IdPrefix + "buildDefinitionId"] = definitionId!,
            [IdPrefix + "buildDefinitionName"] = definitionName!,
            [IdPrefix + "phaseId"] = phaseId!,
            [IdPrefix + "phaseName"] = phaseName!,
        };

        // The id GHAzDO parses: organization/project/definition/phase/branch/build, then the device.
        var organization = Uri.TryCreate(env("SYSTEM_COLLECTIONURI"), UriKind.Absolute, out var collection)
            ? collection.Segments.Select(s => s.Trim('/')).LastOrDefault(s => s.Length > 0) ?? collection.Host
            : "";
        var prefix = string.Join('/', IdPrefix.TrimEnd('/'), organization, env("SYSTEM_TEAMPROJECTID") ?? "", definitionId, phaseId,
            env("BUILD_SOURCEBRANCH") ?? "", env("BUILD_BUILDID") ?? "") + "/";
        return (prefix, properties);

        static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
    }
}
