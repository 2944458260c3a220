using CodeRed.Rules.Loading;
using Microsoft.Extensions.Logging;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>
/// The registered <see cref="IRulePackProvider"/>: the embedded pack, or the pack at
/// <see cref="CodeRedRulesOptions.RulesPath"/> (a relative path taken from the host's content root when an
/// <c>IHostEnvironment</c> is registered), reloaded on change when <see cref="CodeRedRulesOptions.ReloadOnChange"/>
/// is set. A changed <see cref="CodeRedRulesOptions.RulesPath"/> or <see cref="CodeRedRulesOptions.ReloadOnChange"/>
/// opens the new source; if it does not load, the pack in force stays and <see cref="LastError"/> says why. Every
/// load, reload and failed reload is logged; a failed one with each problem's file, line and column.
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
    private readonly LastValidOptions _options;
    private readonly string? _contentRoot;
    private Source _source;
    private RulePackException? _ownError;
    private bool _disposed;

    /// <param name="options">The options in force.</param>
    /// <param name="contentRoot">The folder relative paths are taken from; null for the current directory.</param>
    /// <param name="logger">Where loads and reloads are logged.</param>
    public CodeRedRulePackProvider(LastValidOptions options, string? contentRoot, ILogger<CodeRedRulePackProvider> logger)
    {
        _logger = logger;
        _options = options;
        _contentRoot = contentRoot;
        var (path, watch) = Settings(options.Current);
        _source = Open(path, watch); // a pack that does not load fails the first resolution, after logging why
        Loaded(_source);
        options.Changed += OnOptionsChanged;
    }

    public RulePack Current => Volatile.Read(ref _source).Provider.Current;

    public event EventHandler<RulePackChangedEventArgs>? PackChanged;

    public event EventHandler<RulePackReloadFailedEventArgs>? ReloadFailed;

    /// <summary>The reason a new <see cref="CodeRedRulesOptions.RulesPath"/> was not opened, else the last reload's problems.</summary>
    public RulePackException? LastError => Volatile.Read(ref _ownError) ?? Volatile.Read(ref _source).Provider.LastError;

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
            _options.Changed -= OnOptionsChanged;
            Close(_source);
        }
    }

    private (string? Path, bool Watch) Settings(CodeRedRulesOptions options) =>
        string.IsNullOrWhiteSpace(options.RulesPath)
            ? (null, false)
            : (System.IO.Path.GetFullPath(options.RulesPath, _contentRoot ?? Directory.GetCurrentDirectory()), options.ReloadOnChange);

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
            Failed(new RulePackException([new PackProblem(options.RulesPath ?? "", 0, 0, ProblemSeverity.Error, "not a usable path: " + e.Message)]));
            return;
        }

        RulePackChangedEventArgs? changed = null;
        lock (_gate)
        {
            var old = _source;
            if (_disposed)
            {
                return;
            }

            if ((old.Path, old.Watch) == wanted)
            {
                Volatile.Write(ref _ownError, null); // back to the source in force
                return;
            }

            Source next;
            try
            {
                next = Open(wanted.Path, wanted.Watch);
            }
            catch (RulePackException e)
            {
                Failed(e); // logged by Open; the pack in force stays
                return;
            }

            Volatile.Write(ref _ownError, null);
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
            try
            {
                PackChanged?.Invoke(this, changed);
            }
#pragma warning disable CA1031 // Never thrown into the configuration's reload: the new pack stands, the failure is logged and reported.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var identity = changed.Current.Identity;
                Log.PackChangedHandlerFailed(_logger, e, identity.Id, identity.Version, identity.Sha256);
                Failed(new RulePackException([new PackProblem(changed.Current.Identity.Id, 0, 0, ProblemSeverity.Error,
                    $"a PackChanged handler threw {e.GetType().Name}: {e.Message}; the new pack is in force")]));
            }
        }
    }

    /// <summary>A failure of this provider's own (a new RulesPath that does not load): kept for <see cref="LastError"/>, and raised.</summary>
    private void Failed(RulePackException error)
    {
        Volatile.Write(ref _ownError, error);
        try
        {
            ReloadFailed?.Invoke(this, new RulePackReloadFailedEventArgs(error, Current));
        }
#pragma warning disable CA1031 // Nothing is left to report a failing failure handler to.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
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
        if (!ReferenceEquals(sender, Volatile.Read(ref _source).Provider))
        {
            return; // a source already replaced
        }

        var identity = e.Current.Identity;
        Log.ReloadFailed(_logger, ((ReloadingRulePackProvider)sender!).Path, ErrorCount(e.Error), identity.Id, identity.Version, identity.Sha256);
        LogProblems(e.Error);
        ReloadFailed?.Invoke(this, e);
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
