using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// The options in force: the last valid <see cref="CodeRedRulesOptions"/>. A configuration reload that makes
/// them invalid (<c>"Language": "fr"</c>) is logged and the last valid options stay, as the pack provider keeps
/// the last good pack; only options invalid from the start throw (<see cref="OptionsValidationException"/>).
/// </summary>
/// <remarks>
/// Options are built with <see cref="IOptionsFactory{TOptions}"/> (every configure step and every validator the
/// host registered) and checked by <see cref="CodeRedRulesOptionsValidator"/> here, not registered as an
/// <c>IValidateOptions</c>: an <c>IOptionsMonitor</c> that validates throws out of <c>IConfigurationRoot.Reload</c>
/// and from every later read until the file is fixed, which is what this class is for.
/// </remarks>
internal sealed class LastValidOptions : IDisposable
{
    private readonly IOptionsFactory<CodeRedRulesOptions> _factory;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly object _gate = new();
    private CodeRedRulesOptions? _valid;

    public LastValidOptions(IOptionsFactory<CodeRedRulesOptions> factory, IEnumerable<IOptionsChangeTokenSource<CodeRedRulesOptions>> sources, ILogger logger)
    {
        _factory = factory;
        _logger = logger;
        foreach (var source in sources.Where(s => s.Name is null || s.Name == Options.DefaultName))
        {
            _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, OnConfigurationChanged));
        }
    }

    /// <summary>Raised with the new options after a configuration change that produced valid ones.</summary>
    public event Action<CodeRedRulesOptions>? Changed;

    /// <summary>The options in force.</summary>
    /// <exception cref="OptionsValidationException">The options were never valid.</exception>
    public CodeRedRulesOptions Current
    {
        get
        {
            var valid = Volatile.Read(ref _valid);
            if (valid is not null)
            {
                return valid;
            }

            lock (_gate)
            {
                // The first read, or every read while the options have never been valid: build them, or throw why not.
                _valid ??= Create();
                return _valid;
            }
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    private CodeRedRulesOptions Create()
    {
        var options = _factory.Create(Options.DefaultName);
        var result = new CodeRedRulesOptionsValidator().Validate(Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(CodeRedRulesOptions), result.Failures)
            : options;
    }

    private void OnConfigurationChanged()
    {
        CodeRedRulesOptions next;
        lock (_gate)
        {
            try
            {
                next = Create();
            }
            catch (OptionsValidationException e)
            {
                // Never thrown into the configuration's reload: logged, and the last valid options stay.
                Log.OptionsRejected(_logger, string.Join(" ", e.Failures), _valid is null ? "none yet" : "the last valid ones");
                return;
            }

            Volatile.Write(ref _valid, next);
        }

        try
        {
            Changed?.Invoke(next);
        }
#pragma warning disable CA1031 // Never thrown into the configuration's reload; the options are in force, the subscriber's failure is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.OptionsChangeFailed(_logger, e);
        }
    }
}
