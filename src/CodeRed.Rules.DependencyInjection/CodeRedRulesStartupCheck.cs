using Microsoft.Extensions.Hosting;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// In a host, checks the options when it starts, as <c>ValidateOnStart</c> would: a host with invalid
/// <see cref="CodeRedRulesOptions"/> fails to start with <c>OptionsValidationException</c> naming them.
/// </summary>
internal sealed class CodeRedRulesStartupCheck(LastValidOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = options.Current;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
