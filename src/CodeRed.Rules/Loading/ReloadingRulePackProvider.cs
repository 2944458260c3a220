namespace CodeRed.Rules.Loading;

/// <summary>
/// A rule pack read from a directory or file that is read again when its files change. A change starts a
/// short quiet period (the debounce, 200 ms by default) that further changes extend, up to a few times that
/// period; then the files are loaded into a complete new <see cref="RulePack"/>, and only a pack that loaded
/// without error replaces <see cref="Current"/>, in one atomic swap. An invalid edit keeps the last good pack
/// and raises <see cref="ReloadFailed"/> with every problem. Evaluations that read <see cref="Current"/> once
/// never see a half-loaded pack, and one under way keeps the pack it started with.
/// </summary>
/// <remarks>
/// Write rule files atomically where you can (write a temporary file, then rename it over the old one): a
/// file caught half-written either fails to load, and the pack in force stays, or loads as it stands and is
/// replaced when the write ends. Events are raised on a thread-pool thread for watched changes, and on the
/// caller's thread for <see cref="TryReload"/>; reloads never overlap, so events arrive in order.
/// </remarks>
public sealed class ReloadingRulePackProvider : IRulePackProvider, IDisposable
{
    /// <summary>The quiet period used when none is given: 200 ms.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(200);

    /// <summary>A burst of changes postpones a reload by at most this many debounce periods.</summary>
    private const int MaxPostponements = 5;

    private readonly object _reloadLock = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private readonly TimeSpan _debounce;
    private RulePack _current = null!;
    private RulePackException? _lastError;
    private long _pendingSince;
    private int _disposed;

    /// <summary>
    /// Loads the pack at <paramref name="path"/> (a directory or one file, as <see cref="RulePack.LoadFrom"/>)
    /// and, when <paramref name="watchForChanges"/> is true, watches it. Throws <see cref="RulePackException"/>
    /// when the pack does not load: a provider always starts with a good pack.
    /// </summary>
    public ReloadingRulePackProvider(string path, bool watchForChanges = true, TimeSpan? debounce = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(_debounce, TimeSpan.Zero, nameof(debounce));
        Path = System.IO.Path.GetFullPath(path);
        IsWatching = watchForChanges;

        lock (_reloadLock)
        {
            try
            {
                if (watchForChanges && (File.Exists(Path) || Directory.Exists(Path)))
                {
                    // Watch before the first load, so that no change made while it runs is missed.
                    _timer = new Timer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _watcher = CreateWatcher(Path);
                }

                _current = Load(Path);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    /// <summary>The full path of the pack's directory or file.</summary>
    public string Path { get; }

    /// <summary>True when changes to the files trigger a reload.</summary>
    public bool IsWatching { get; }

    /// <inheritdoc />
    public RulePack Current => Volatile.Read(ref _current);

    /// <summary>The problems of the latest reload, or null when it succeeded (or none failed yet).</summary>
    public RulePackException? LastError => Volatile.Read(ref _lastError);

    /// <inheritdoc />
    public event EventHandler<RulePackChangedEventArgs>? PackChanged;

    /// <summary>Raised when a reload found the files invalid; the last good pack stays in force.</summary>
    public event EventHandler<RulePackReloadFailedEventArgs>? ReloadFailed;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The provider was disposed.</exception>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var previous = _current;
            RulePack next;
            try
            {
                var files = ReadFiles(Path);
                if (string.Equals(PackLoader.Hash(files), previous.Identity.Sha256, StringComparison.Ordinal))
                {
                    // The content of the pack in force: it loaded before, it loads the same now.
                    Volatile.Write(ref _lastError, null);
                    return true;
                }

                next = RulePack.Load(files, Path);
            }
            catch (RulePackException e)
            {
                Volatile.Write(ref _lastError, e);
                ReloadFailed?.Invoke(this, new RulePackReloadFailedEventArgs(e, previous));
                return false;
            }

            Volatile.Write(ref _lastError, null);

            // The new pack is complete before anyone can see it: one reference write publishes it.
            Volatile.Write(ref _current, next);
            PackChanged?.Invoke(this, new RulePackChangedEventArgs(previous, next));
            return true;
        }
    }

    /// <summary>Stops watching. <see cref="Current"/> stays readable.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private static RulePack Load(string path) => RulePack.Load(ReadFiles(path), path);

    private static IReadOnlyList<PackFile> ReadFiles(string path)
    {
        try
        {
            return PackFiles.FromPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A directory removed or renamed while it was read, for instance.
            throw new RulePackException([new PackProblem(path, 0, 0, ProblemSeverity.Error, "cannot read the rule pack: " + e.Message)]);
        }
    }

    private FileSystemWatcher CreateWatcher(string path)
    {
        var watcher = Directory.Exists(path)
            ? new FileSystemWatcher(path) { IncludeSubdirectories = true }
            : new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path));
        watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime;
        watcher.Changed += OnFileEvent;
        watcher.Created += OnFileEvent;
        watcher.Deleted += OnFileEvent;
        watcher.Renamed += OnFileEvent;
        watcher.Error += (_, _) => Schedule(); // events were lost: read everything again
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch
        {
            watcher.Dispose();
            throw;
        }

        return watcher;
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Schedule();

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
        Interlocked.Exchange(ref _pendingSince, 0);
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
#pragma warning disable CA1031 // A handler's exception must not end the process from a timer thread; handlers report their own.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}
