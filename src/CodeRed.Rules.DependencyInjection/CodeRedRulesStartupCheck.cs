using Microsoft.Extensions.Hosting;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// In a host, checks the options when it starts, as <c>ValidateOnStart</c> would: a host with invalid
/// <see cref="CodeRedRulesOptions"/> (options that do not parse, or do not fit the pack: a rule ID or category it
/// lacks, a language it does not carry) fails to start with <c>OptionsValidationException</c> naming them.
/// </summary>
internal sealed class CodeRedRulesStartupCheck(ICodeRedEvaluator evaluator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = evaluator.Options;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
