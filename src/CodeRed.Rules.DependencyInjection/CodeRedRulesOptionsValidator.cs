using CodeRed.Rules.Evaluation;
using Microsoft.Extensions.Options;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// Rejects options that cannot be read: a language that names no culture, or a severity setting that does not parse.
/// Whether they fit the pack in force (its rules, categories and languages) is checked by <see cref="CodeRedEvaluator"/>.
/// </summary>
internal sealed class CodeRedRulesOptionsValidator : IValidateOptions<CodeRedRulesOptions>
{
    public ValidateOptionsResult Validate(string? name, CodeRedRulesOptions options)
    {
        var failures = new List<string>();
        if (!CodeRedRulesOptions.TryGetCulture(options.Language, out _))
        {
            failures.Add($"CodeRedRulesOptions.Language '{options.Language}' names no language.");
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
