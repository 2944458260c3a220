using CodeRed.Rules.Loading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// The registered <see cref="IRulePackProvider"/>: the embedded pack, or the pack at
/// <see cref="CodeRedRulesOptions.RulesPath"/>, reloaded on change when <see cref="CodeRedRulesOptions.ReloadOnChange"/>
/// is set. A changed <see cref="CodeRedRulesOptions.RulesPath"/> or <see cref="CodeRedRulesOptions.ReloadOnChange"/>
/// opens the new source; if it does not load, the pack in force stays. Every load, reload and failed reload
/// is logged; a failed one with each problem's file, line and column.
/// </summary>
internal sealed class CodeRedRulePackProvider : IRulePackProvider, IDisposable
{
    private const string Embedded = "the embedded default pack";

    /// <summary>Where the pack in force comes from.</summary>
    private sealed record Source(string? Path, bool Watch, IRulePackProvider Provider)
    {
        public string Name => Path ?? Embedded;
    }

    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IDisposable? _subscription;
    private Source _source;
    private bool _disposed;

    public CodeRedRulePackProvider(IOptionsMonitor<CodeRedRulesOptions> options, ILogger<CodeRedRulePackProvider> logger)
    {
        _logger = logger;
        var (path, watch) = Settings(options.CurrentValue);
        _source = Open(path, watch); // a pack that does not load fails the first resolution, after logging why
        Loaded(_source);
        _subscription = options.OnChange((o, name) =>
        {
            if (name is null || name == Options.DefaultName)
            {
                OnOptionsChanged(o);
            }
        });
    }

    public RulePack Current => Volatile.Read(ref _source).Provider.Current;

    public event EventHandler<RulePackChangedEventArgs>? PackChanged;

    public bool TryReload()
    {
        // No lock here: a PackChanged handler may call TryReload from the reloading thread.
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            var source = Volatile.Read(ref _source);
            try
            {
                return source.Provider.TryReload();
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(source, Volatile.Read(ref _source)))
            {
                // The options opened another source meanwhile: reload that one.
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
            _subscription?.Dispose();
            Close(_source);
        }
    }

    private static (string? Path, bool Watch) Settings(CodeRedRulesOptions options) =>
        string.IsNullOrWhiteSpace(options.RulesPath) ? (null, false) : (System.IO.Path.GetFullPath(options.RulesPath), options.ReloadOnChange);

    private Source Open(string? path, bool watch)
    {
        if (path is null)
        {
            return new Source(null, false, FixedRulePackProvider.Default);
        }

        ReloadingRulePackProvider provider;
        try
        {
            provider = new ReloadingRulePackProvider(path, watch);
        }
        catch (RulePackException e)
        {
            Log.LoadFailed(_logger, path, ErrorCount(e));
            LogProblems(e);
            throw;
        }

        provider.PackChanged += OnReloaded;
        provider.ReloadFailed += OnReloadFailed;
        return new Source(path, watch, provider);
    }

    private void Close(Source source)
    {
        if (source.Provider is ReloadingRulePackProvider reloading)
        {
            reloading.PackChanged -= OnReloaded;
            reloading.ReloadFailed -= OnReloadFailed;
            reloading.Dispose();
        }
    }

    private void Loaded(Source source)
    {
        var identity = source.Provider.Current.Identity;
        Log.PackLoaded(_logger, identity.Id, identity.Version, identity.Sha256, source.Name);
    }

    private void OnOptionsChanged(CodeRedRulesOptions options)
    {
        (string? Path, bool Watch) wanted;
        try
        {
            wanted = Settings(options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or System.Security.SecurityException or PathTooLongException)
        {
            Log.LoadFailed(_logger, options.RulesPath ?? "", 1);
            return;
        }

        RulePackChangedEventArgs? changed = null;
        lock (_gate)
        {
            var old = _source;
            if (_disposed || (old.Path, old.Watch) == wanted)
            {
                return;
            }

            Source next;
            try
            {
                next = Open(wanted.Path, wanted.Watch);
            }
            catch (RulePackException)
            {
                return; // logged by Open; the pack in force stays
            }

            Volatile.Write(ref _source, next);
            Close(old);
            Loaded(next);
            if (!string.Equals(old.Provider.Current.Identity.Sha256, next.Provider.Current.Identity.Sha256, StringComparison.Ordinal))
            {
                changed = new RulePackChangedEventArgs(old.Provider.Current, next.Provider.Current);
            }
        }

        if (changed is not null)
        {
            PackChanged?.Invoke(this, changed);
        }
    }

    private void OnReloaded(object? sender, RulePackChangedEventArgs e)
    {
        if (!ReferenceEquals(sender, Volatile.Read(ref _source).Provider))
        {
            return; // a source already replaced
        }

        var identity = e.Current.Identity;
        Log.PackReloaded(_logger, ((ReloadingRulePackProvider)sender!).Path, identity.Id, identity.Version, identity.Sha256, e.Previous.Identity.Sha256);
        PackChanged?.Invoke(this, e);
    }

    private void OnReloadFailed(object? sender, RulePackReloadFailedEventArgs e)
    {
        var identity = e.Current.Identity;
        Log.ReloadFailed(_logger, ((ReloadingRulePackProvider)sender!).Path, ErrorCount(e.Error), identity.Id, identity.Version, identity.Sha256);
        LogProblems(e.Error);
    }

    private void LogProblems(RulePackException error)
    {
        foreach (var p in error.Problems)
        {
            Log.Problem(_logger, p.File, p.Line, p.Column, p.Severity == ProblemSeverity.Error ? "error" : "warning", p.Message);
        }
    }

    private static int ErrorCount(RulePackException e) => e.Problems.Count(p => p.Severity == ProblemSeverity.Error);
}
