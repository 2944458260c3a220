using CodeRed.Rules.Evaluation;
using Microsoft.Extensions.Options;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>Rejects options the engine cannot use: an unknown language, or a severity setting it does not understand.</summary>
internal sealed class CodeRedRulesOptionsValidator : IValidateOptions<CodeRedRulesOptions>
{
    public ValidateOptionsResult Validate(string? name, CodeRedRulesOptions options)
    {
        var failures = new List<string>();
        if (!CodeRedRulesOptions.TryGetCulture(options.Language, out _))
        {
            failures.Add($"CodeRedRulesOptions.Language must be en or ja, not '{options.Language}'.");
        }

        try
        {
            SeverityConfiguration.FromSettings(options.SeverityOverrides ?? []);
        }
        catch (FormatException e)
        {
            failures.Add("CodeRedRulesOptions.SeverityOverrides: " + e.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
