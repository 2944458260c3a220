using System.Security.Cryptography;
using System.Text;
using CodeRed.Rules.Tooling;

namespace CodeRed.Rules.Loading;

/// <summary>
/// The file-system watchers of one <see cref="ReloadingRulePackProvider"/>, for the folder its path names now:
/// the path's name in its parent folder (deleted, created, renamed over, a link replaced), the path itself when
/// the content is elsewhere (the <c>..data</c> link of a Kubernetes volume is switched there), and the content,
/// with its subfolders. A watch is stale when the path leads elsewhere now or a watcher failed; the provider
/// then starts a new one. Also the content fingerprint that the provider's fallback poll compares.
/// </summary>
internal sealed class PackWatch : IDisposable
{
    /// <summary>The link a Kubernetes ConfigMap or Secret volume switches atomically to a new timestamped folder.</summary>
    public const string KubernetesDataLink = "..data";

    /// <summary>The fingerprint walk stops after this many folders; a real pack has a few dozen.</summary>
    private const int MaxFolders = 4096;

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly string _path;
    private readonly string? _content;
    private volatile bool _broken;

    private PackWatch(string path, string? content)
    {
        _path = path;
        _content = content;
    }

    /// <summary>
    /// Watches <paramref name="path"/> as it resolves now. Never throws: a watcher that cannot be set up (a
    /// folder missing) makes the watch stale, and it is set up again later. <paramref name="onEvent"/> gets true
    /// when the event may mean the path leads elsewhere now.
    /// </summary>
    public static PackWatch Start(string path, Action<bool> onEvent, Action onError)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        var content = ContentPath(path);
        var watch = new PackWatch(path, content);
        var parent = Path.GetDirectoryName(path);
        var name = Path.GetFileName(path);
        if (parent is not null && name.Length > 0)
        {
            watch.Add(parent, name, recursive: false, () => onEvent(true), onError);
        }

        if (content is not null && Directory.Exists(content))
        {
            if (!string.Equals(content, path, StringComparison.Ordinal) && Directory.Exists(path))
            {
                watch.Add(path, "*", recursive: false, () => onEvent(true), onError);
            }

            watch.Add(content, "*", recursive: true, () => onEvent(false), onError);
        }
        else if (content is not null && !string.Equals(content, path, StringComparison.Ordinal))
        {
            watch.Add(Path.GetDirectoryName(content)!, Path.GetFileName(content), recursive: false, () => onEvent(true), onError);
        }
        else if (content is null)
        {
            watch._broken = true; // nothing there yet: the parent's watcher and the poll see it come
        }

        return watch;
    }

    /// <summary>True when the path leads elsewhere than when the watch started, or a watcher failed.</summary>
    public bool IsStale() => _broken || !string.Equals(ContentPath(_path), _content, StringComparison.Ordinal);

    /// <summary>
    /// Where the pack's files are: the path with its last link followed; for a folder holding a Kubernetes
    /// <c>..data</c> link, that link's target, so that the links beside it are not read as a second copy.
    /// Null when nothing is there.
    /// </summary>
    public static string? ContentPath(string path)
    {
        try
        {
            path = Path.TrimEndingDirectorySeparator(path);
            if (File.Exists(path))
            {
                var file = new FileInfo(path);
                return file.LinkTarget is null ? file.FullName : file.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            }

            if (!Directory.Exists(path))
            {
                return null;
            }

            var folder = new DirectoryInfo(path);
            var real = folder.LinkTarget is null ? folder.FullName : folder.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? folder.FullName;
            var data = new DirectoryInfo(Path.Combine(real, KubernetesDataLink));
            return data.Exists && data.LinkTarget is not null ? data.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? real : real;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a link loop, or a folder removed meanwhile
        }
    }

    /// <summary>
    /// A hash of the names, sizes and modification times of the files a load reads (YAML outside samples
    /// folders, and the lock), through links, each folder once: cheap to compute, and it changes when the
    /// files do. "missing" when nothing is there.
    /// </summary>
    public static string Fingerprint(string? content)
    {
        if (content is null || !(File.Exists(content) || Directory.Exists(content)))
        {
            return "missing";
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            if (File.Exists(content))
            {
                Add(hash, Path.GetFileName(content), new FileInfo(content));
            }
            else
            {
                Walk(hash, content);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Append(hash, "unreadable: " + e.Message); // changing under the walk: compared as it is
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Walk(IncrementalHash hash, string root)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal) { root };
        var pending = new Stack<(string Full, string Relative)>();
        pending.Push((root, ""));
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Win32 };
        while (pending.Count > 0)
        {
            var (full, relative) = pending.Pop();
            var entries = new DirectoryInfo(full).EnumerateFileSystemInfos("*", options).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            foreach (var entry in entries)
            {
                var name = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (entry is DirectoryInfo folder)
                {
                    // Each real folder once: a link back up (ln -s . loop) is not walked again.
                    var real = folder.LinkTarget is null ? folder.FullName : folder.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                    if (real is not null && !string.Equals(folder.Name, "samples", StringComparison.OrdinalIgnoreCase) && visited.Count < MaxFolders && visited.Add(real))
                    {
                        pending.Push((real, name));
                    }
                }
                else if (entry is FileInfo file && IsPackFile(name))
                {
                    Add(hash, name, file);
                }
            }
        }

        Append(hash, "folders " + visited.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsPackFile(string relative) =>
        relative.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(relative, ReleaseTracking.LockFile, StringComparison.Ordinal);

    private static void Add(IncrementalHash hash, string name, FileInfo file)
    {
        // A link's own size and time say nothing of its target's.
        var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        if (target is null || !target.Exists)
        {
            Append(hash, name + " dangling");
            return;
        }

        Append(hash, FormattableString.Invariant($"{name} {target.Length} {target.LastWriteTimeUtc.Ticks}"));
    }

    private static void Append(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));

    private void Add(string folder, string filter, bool recursive, Action onEvent, Action onError)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(folder, filter) { IncludeSubdirectories = recursive };
            watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime;
            watcher.Changed += (_, _) => onEvent();
            watcher.Created += (_, _) => onEvent();
            watcher.Deleted += (_, _) => onEvent();
            watcher.Renamed += (_, _) => onEvent();
            watcher.Error += (_, _) =>
            {
                _broken = true; // events were lost: watch afresh and read everything again
                onError();
            };
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // The folder went away meanwhile, or the system's limit of watches is reached: the poll still sees changes.
            watcher?.Dispose();
            _broken = true;
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.EnableRaisingEvents = false;
            watcher.Dispose();
        }

        _watchers.Clear();
    }
}
