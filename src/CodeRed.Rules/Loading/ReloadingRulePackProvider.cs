using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
namespace CodeRed.Rules;

/// <summary>
/// A rule pack read from a directory or file that is read again when its files change. A change starts a
/// short quiet period (the debounce, 200 ms by default) that further changes extend, up to a few times that
/// period; then the files are loaded into a complete new <see cref="RulePack"/>, and only a pack that loaded
/// without error, is complete and did not change while it was read replaces <see cref="Current"/>, in one
/// atomic swap. An invalid or incomplete pack keeps the last good one and raises <see cref="ReloadFailed"/>
/// with every problem. Evaluations that read <see cref="Current"/> once never see a half-loaded pack, and one
/// under way keeps the pack it started with.
/// </summary>
/// <remarks>
/// <para>
/// Complete means: when the pack directory holds <c>rules.lock.json</c>, every rule it names is in the rule
/// files; and once a pack with a lock is in force, a pack without one is taken as still being copied. A pack
/// copied in one file at a time is therefore published only when its last file is there.
/// </para>
/// <para>
/// The path is watched as a name, not as the folder it named at first: the folder deleted and created again,
/// another folder renamed over it, or a symbolic link switched to another target (<c>current -&gt; v2</c>) is
/// seen, and the new folder is watched from then on. A Kubernetes ConfigMap volume is a folder whose files are
/// links through <c>..data</c>, itself a link to a timestamped folder that the kubelet switches atomically; the
/// pack is read from the target of <c>..data</c> when there is one, so the links are never read twice. Besides
/// the file-system events, a cheap poll (every 2 s by default) compares the files' names, sizes and times with
/// those of the last load, for changes no event reports (a link switched higher up the path, a lost event, a
/// file system without notifications), and watching is set up again after a watcher error.
/// </para>
/// <para>
/// Write rule files atomically where you can (write a temporary file, then rename it over the old one).
/// Events are raised on a thread-pool thread for watched changes, and on the caller's thread for
/// <see cref="TryReload"/>; reloads never overlap, so events arrive in order. An exception thrown by a
/// <see cref="PackChanged"/> handler does not undo the swap: it is reported through <see cref="ReloadFailed"/>
/// and <see cref="LastError"/>. An exception thrown by a <see cref="ReloadFailed"/> handler is ignored.
/// </para>
/// </remarks>
public sealed class ReloadingRulePackProvider : IRulePackProvider, IDisposable
{
    /// <summary>The quiet period used when none is given: 200 ms.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(200);

    /// <summary>The period of the fallback poll used when none is given: 2 s.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>A burst of changes postpones a reload by at most this many debounce periods.</summary>
    private const int MaxPostponements = 5;

    /// <summary>Files that keep changing while they are read are read again this many times before the reload gives up.</summary>
    private const int MaxReadAttempts = 3;

    private readonly object _reloadLock = new();
    private readonly Timer? _timer;
    private readonly Timer? _poll;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _pollInterval;
    private PackWatch? _watch;
    private RulePack _current = null!;
    private RulePackException? _lastError;
    private bool _inForceHadLock;
    private string _fingerprint = "";
    private int _rewatch;
    private long _pendingSince;
    private int _disposed;

    /// <summary>
    /// Loads the pack at <paramref name="path"/> (a directory or one file, as <see cref="RulePack.LoadFrom"/>)
    /// and, when <paramref name="watchForChanges"/> is true, watches it, with a fallback poll every
    /// <paramref name="pollInterval"/> (<see cref="DefaultPollInterval"/> when null; <see cref="Timeout.InfiniteTimeSpan"/>
    /// for none). A provider always starts with a good pack.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="debounce"/> is negative, or <paramref name="pollInterval"/> is not positive (and not infinite).</exception>
    /// <exception cref="RulePackException">The pack does not load, or is incomplete.</exception>
    public ReloadingRulePackProvider(string path, bool watchForChanges = true, TimeSpan? debounce = null, TimeSpan? pollInterval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(_debounce, TimeSpan.Zero, nameof(debounce));
        _pollInterval = pollInterval ?? DefaultPollInterval;
        if (_pollInterval != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_pollInterval, TimeSpan.Zero, nameof(pollInterval));
        }

        Path = System.IO.Path.GetFullPath(path);
        IsWatching = watchForChanges;

        lock (_reloadLock)
        {
            try
            {
                if (watchForChanges)
                {
                    // Watch before the first load, so that no change made while it runs is missed.
                    _timer = new Timer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _watch = PackWatch.Start(Path, OnWatchEvent, OnWatchError);
                }

                var (pack, hasLock) = Read(null);
                _current = pack;
                _inForceHadLock = hasLock;
                if (watchForChanges && _pollInterval != Timeout.InfiniteTimeSpan)
                {
                    _poll = new Timer(_ => OnPoll(), null, _pollInterval, Timeout.InfiniteTimeSpan);
                }
            }
            catch (Exception e)
            {
                if (e is RulePackException)
                {
                    EngineMetrics.LoadFailed();
                }

                Dispose();
                throw;
            }
        }
    }

    /// <summary>The full path of the pack's directory or file, as given (links in it are followed at each reload).</summary>
    public string Path { get; }

    /// <summary>True when changes to the files trigger a reload.</summary>
    public bool IsWatching { get; }

    /// <inheritdoc />
    public RulePack Current => Volatile.Read(ref _current);

    /// <summary>
    /// The problems of the latest reload, or null when it succeeded (or none failed yet); also set when a
    /// <see cref="PackChanged"/> handler threw.
    /// </summary>
    public RulePackException? LastError => Volatile.Read(ref _lastError);

    /// <inheritdoc />
    public event EventHandler<RulePackChangedEventArgs>? PackChanged;

    /// <summary>Raised when a reload found the files invalid or incomplete (the last good pack stays in force), or a <see cref="PackChanged"/> handler threw.</summary>
    public event EventHandler<RulePackReloadFailedEventArgs>? ReloadFailed;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            Interlocked.Exchange(ref _pendingSince, 0);
            if (_watch is not null && (Interlocked.Exchange(ref _rewatch, 0) != 0 || _watch.IsStale()))
            {
                // Watch the folder the path names now, before reading it, so that no later change is missed.
                _watch.Dispose();
                Volatile.Write(ref _watch, PackWatch.Start(Path, OnWatchEvent, OnWatchError));
            }

            var previous = _current;
            RulePack next;
            bool hasLock;
            try
            {
                (next, hasLock) = Read(previous);
            }
            catch (RulePackException e)
            {
                Volatile.Write(ref _lastError, e);
                RaiseReloadFailed(e, previous);
                return false;
            }

            Volatile.Write(ref _lastError, null);
            if (ReferenceEquals(next, previous))
            {
                return true;
            }

            // The new pack is complete before anyone can see it: one reference write publishes it.
            _inForceHadLock = hasLock;
            Volatile.Write(ref _current, next);
            EngineMetrics.Reloaded(next.Identity);
            RaisePackChanged(new RulePackChangedEventArgs(previous, next));
            return true;
        }
    }

    /// <summary>
    /// Stops watching, after waiting for a reload under way to end (a <see cref="PackChanged"/> handler may call
    /// it). <see cref="Current"/> stays readable.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer?.Dispose();
        _poll?.Dispose();
        lock (_reloadLock)
        {
            _watch?.Dispose();
            _watch = null;
        }
    }

    /// <summary>
    /// Reads and loads the files, again while they change under the read; returns <paramref name="inForce"/>
    /// itself when the content is that of the pack in force. The fingerprint of what was read is kept for the
    /// poll, also when the files are refused: a bad pack is reported once, not at every poll.
    /// </summary>
    private (RulePack Pack, bool HasLock) Read(RulePack? inForce)
    {
        for (var attempt = 1; ; attempt++)
        {
            var source = PackWatch.ContentPath(Path) ?? Path;
            var before = PackWatch.Fingerprint(source);
            Volatile.Write(ref _fingerprint, before);
            var files = ReadFiles(source);
            RulePack pack;
            if (inForce is not null && string.Equals(PackLoader.Hash(files), inForce.Identity.Sha256, StringComparison.Ordinal))
            {
                // The content of the pack in force: it loaded and was complete before, it is the same now.
                pack = inForce;
            }
            else
            {
                pack = RulePack.Load(files, source);
            }

            var hasLock = CheckComplete(pack, source);
            var after = PackWatch.Fingerprint(source);
            if (string.Equals(before, after, StringComparison.Ordinal))
            {
                return (pack, hasLock);
            }

            if (attempt == MaxReadAttempts)
            {
                Schedule(); // try again once the writer is done
                throw Refuse(source, "the files changed while they were read; the reload is tried again after the next quiet period");
            }
        }
    }

    /// <summary>Refuses a pack whose lock names rules it lacks, or a pack without a lock in place of one that had one.</summary>
    private bool CheckComplete(RulePack pack, string source)
    {
        if (!Directory.Exists(source))
        {
            return false; // a single-file pack has no lock
        }

        IReadOnlyList<PackProblem> problems;
        bool hasLock;
        try
        {
            problems = ReleaseTracking.CheckComplete(pack, source, out hasLock);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse(ReleaseTracking.LockFile, "cannot read the lock file: " + e.Message);
        }

        if (problems.Count > 0)
        {
            throw new RulePackException(problems);
        }

        if (!hasLock && _inForceHadLock && !ReferenceEquals(pack, _current))
        {
            throw Refuse(ReleaseTracking.LockFile,
                "the lock file is missing, but the pack in force had one: the pack is taken as incomplete (still being copied?); put the lock back (codered rules lock) to load it");
        }

        return hasLock;
    }

    private static IReadOnlyList<PackFile> ReadFiles(string path)
    {
        try
        {
            return PackFiles.FromPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A directory removed or renamed while it was read, for instance.
            throw Refuse(path, "cannot read the rule pack: " + e.Message);
        }
    }

    private static RulePackException Refuse(string file, string message) =>
        new([new PackProblem(file, 0, 0, ProblemSeverity.Error, message)]);

    /// <summary>Each handler in turn; one that throws neither stops the others nor undoes the swap.</summary>
    private void RaisePackChanged(RulePackChangedEventArgs args)
    {
        var handlers = PackChanged;
        if (handlers is null)
        {
            return;
        }

        var problems = new List<PackProblem>();
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<RulePackChangedEventArgs>>())
        {
            try
            {
                handler(this, args);
            }
#pragma warning disable CA1031 // A subscriber's bug must not undo the swap; it is reported below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                problems.Add(new PackProblem(Path, 0, 0, ProblemSeverity.Error,
                    $"a PackChanged handler threw {e.GetType().Name}: {e.Message}; the new pack {args.Current.Identity.Version} (sha256 {args.Current.Identity.Sha256}) is in force"));
            }
        }

        if (problems.Count > 0)
        {
            var error = new RulePackException(problems);
            Volatile.Write(ref _lastError, error);
            RaiseReloadFailed(error, args.Current);
        }
    }

    private void RaiseReloadFailed(RulePackException error, RulePack current)
    {
        EngineMetrics.ReloadFailed(current.Identity);
        try
        {
            ReloadFailed?.Invoke(this, new RulePackReloadFailedEventArgs(error, current));
        }
#pragma warning disable CA1031 // Nothing is left to report a failing failure handler to; the pack in force stays.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    private void Rewatch()
    {
        lock (_reloadLock)
        {
            if (Volatile.Read(ref _disposed) == 0 && _watch is not null)
            {
                _watch.Dispose();
                Volatile.Write(ref _watch, PackWatch.Start(Path, OnWatchEvent, OnWatchError));
            }
        }
    }

    private void OnWatchEvent(bool rewatch)
    {
        if (rewatch)
        {
            Interlocked.Exchange(ref _rewatch, 1);
        }

        Schedule();
    }

    /// <summary>Events were lost, or the watched folder went away: watch afresh and read everything again.</summary>
    private void OnWatchError() => OnWatchEvent(rewatch: true);

    /// <summary>The fallback: the files differ from those of the last load, or the path leads elsewhere now.</summary>
    private void OnPoll()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            var source = PackWatch.ContentPath(Path) ?? Path;
            if (!string.Equals(PackWatch.Fingerprint(source), Volatile.Read(ref _fingerprint), StringComparison.Ordinal))
            {
                OnWatchEvent(rewatch: true);
            }
            else if (Volatile.Read(ref _watch)?.IsStale() == true)
            {
                Rewatch(); // nothing changed, but watching broke: set it up again without a reload
            }
        }
#pragma warning disable CA1031 // A failed poll is tried again at the next one; the reload reports real problems.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        finally
        {
            try
            {
                _poll?.Change(_pollInterval, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile.
            }
        }
    }

    /// <summary>Starts or extends the quiet period; a long burst of changes cannot postpone the reload forever.</summary>
    private void Schedule()
    {
        if (Volatile.Read(ref _disposed) != 0 || _timer is null)
        {
            return;
        }

        var now = Environment.TickCount64;
        var since = Interlocked.CompareExchange(ref _pendingSince, now, 0);
        var waited = since == 0 ? 0 : now - since;
        var delay = waited >= _debounce.TotalMilliseconds * MaxPostponements ? TimeSpan.Zero : _debounce;
        try
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: nothing to reload.
        }
    }

    private void OnQuiet()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            TryReload();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the timer fired.
        }
#pragma warning disable CA1031 // Nothing may end the process from a timer thread; problems are reported through ReloadFailed.
        catch (Exception)
        {
            Schedule(); // watching could not be set up again (the folder went away meanwhile): try later
        }
#pragma warning restore CA1031
    }
}
