using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace CodeRed.Rules.IO;

/// <summary>A regular file found by <see cref="FileTree.Walk"/>.</summary>
/// <param name="DisplayPath">
/// The path to show and to name the file by: the root as given, then the relative path. Bytes of a name that are
/// not valid UTF-8 are shown as <c>\xff</c>; the file is still opened by its real bytes.
/// </param>
/// <param name="RelativePath">The path below the root, with '/' separators, shown the same way.</param>
/// <param name="open">Opens the file by its real name.</param>
/// <param name="Length">The size in bytes when the walk saw it.</param>
internal sealed class FileTreeEntry(string DisplayPath, string RelativePath, long Length, Func<Stream> open)
{
    public long Length { get; } = Length;

    public string DisplayPath { get; } = DisplayPath;

    public string RelativePath { get; } = RelativePath;

    /// <summary>Opens the file for reading; never blocks on a FIFO swapped in since the walk saw a regular file.</summary>
    /// <exception cref="IOException">The file cannot be opened, or is no longer a regular file.</exception>
    public Stream Open() => open();
}

/// <summary>Why something found while walking was not visited.</summary>
internal enum FileTreeProblemKind
{
    /// <summary>A FIFO, device or socket: reading it could block for ever or never end.</summary>
    NotRegular,

    /// <summary>A link back to a folder that encloses it.</summary>
    Loop,

    /// <summary>A folder or link that cannot be read; what is below it is missing.</summary>
    Unreadable,
}

/// <summary>Something a walk skipped, with the reason in words.</summary>
internal sealed record FileTreeProblem(string DisplayPath, FileTreeProblemKind Kind, string Reason)
{
    public override string ToString() => $"{DisplayPath}: {Reason}";
}

/// <summary>What a walk takes: which names to skip, which files to keep, which folders to enter.</summary>
internal sealed class FileTreeOptions
{
    /// <summary>Skip names that start with '.', as ripgrep and the shell's '*' do.</summary>
    public bool SkipHidden { get; init; }

    /// <summary>Keep a file by its name (decoded for display); non-regular files that fail it are not even reported.</summary>
    public Func<string, bool> IncludeFile { get; init; } = _ => true;

    /// <summary>Enter a folder by its name (decoded for display).</summary>
    public Func<string, bool> Descend { get; init; } = _ => true;

    /// <summary>Enter a folder by its path (the walk's display path, usable to look inside it), after <see cref="Descend"/> and the loop check.</summary>
    public Func<string, bool> DescendPath { get; init; } = _ => true;
}

/// <summary>
/// Walks a folder tree safely: every regular file once, in ordinal order of names, folder by folder.
/// <list type="bullet">
/// <item>Links are followed, and each folder and file is identified by its (device, inode): a real file reached by
/// two names is visited once, and a link back to an enclosing folder is a <see cref="FileTreeProblemKind.Loop"/>,
/// reported and not followed. (Not following links at all would also stop loops, but would miss files a
/// deployment links in on purpose, such as a Kubernetes ConfigMap volume.)</item>
/// <item>FIFOs, devices and sockets (also behind a link, as <c>zero.log -&gt; /dev/zero</c>) are never opened:
/// reported as <see cref="FileTreeProblemKind.NotRegular"/>.</item>
/// <item>A folder that cannot be read is reported as <see cref="FileTreeProblemKind.Unreadable"/> and the walk goes on.</item>
/// <item>Names are kept as bytes, so a name that is not valid UTF-8 can still be opened.</item>
/// </list>
/// On Linux this uses the C library (<c>opendir</c>, <c>readdir</c>, <c>statx</c>, <c>open</c>). Elsewhere it
/// falls back to .NET's enumeration, does not follow links to folders (so no loop can form), and cannot tell a
/// FIFO from a file.
/// </summary>
internal static partial class FileTree
{
    /// <summary>Files and problems in walk order. <paramref name="root"/> must be a folder.</summary>
    public static IEnumerable<(FileTreeEntry? Entry, FileTreeProblem? Problem)> Walk(string root, FileTreeOptions? options = null)
    {
        options ??= new FileTreeOptions();
        return OperatingSystem.IsLinux() ? new LinuxWalk(root, options).Run() : PortableWalk(root, options);
    }

    /// <summary>
    /// Whether the open descriptor is a regular file, a FIFO or a socket: something piped or redirected in, as
    /// ripgrep decides whether to read standard input. A terminal or <c>/dev/null</c> is not; null where it cannot tell.
    /// </summary>
    public static bool? IsFileOrPipe(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return Native.StatFd(fd) is { } stat ? stat.IsRegular || stat.IsFifo || stat.IsSocket : null;
    }

    /// <summary>Whether the open descriptor is a pipe or a socket (false where it cannot tell).</summary>
    public static bool IsPipe(int fd) => OperatingSystem.IsLinux() && Native.StatFd(fd) is { } stat && (stat.IsFifo || stat.IsSocket);

    /// <summary>Whether <paramref name="path"/> names a FIFO, device or socket (such as <c>/dev/stdout</c>), which cannot be replaced by a rename.</summary>
    public static bool IsSpecial(string path) =>
        OperatingSystem.IsLinux() && Native.Stat(Encoding.UTF8.GetBytes(path), follow: true) is { IsRegular: false, IsDirectory: false };

    /// <summary>Opens a file by its name bytes: non-blocking (a FIFO swapped in cannot hang), then checked to be a regular file.</summary>
    private static unsafe Stream OpenRegular(byte[] path, string display, (ulong, ulong) identity)
    {
        int fd;
        fixed (byte* p = path)
        {
            fd = Native.Open(p, Native.O_RDONLY | Native.O_CLOEXEC | Native.O_NONBLOCK | Native.O_NOCTTY);
        }

        if (fd < 0)
        {
            throw new IOException($"cannot open '{display}': {Native.LastError()}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Native.StatFd(fd) is not { } stat || !stat.IsRegular || stat.Identity != identity)
        {
            handle.Dispose();
            throw new IOException($"'{display}' changed while it was walked: it is no longer the regular file found");
        }

        return new FileStream(handle, FileAccess.Read, bufferSize: 1);
    }

    /// <summary>The walk on Linux, by name bytes and (device, inode).</summary>
    private sealed class LinuxWalk(string root, FileTreeOptions options)
    {
        private readonly HashSet<(ulong, ulong)> _files = [];
        private readonly HashSet<(ulong, ulong)> _folders = [];

        public IEnumerable<(FileTreeEntry?, FileTreeProblem?)> Run()
        {
            var rootBytes = Encoding.UTF8.GetBytes(root);
            if (Native.Stat(rootBytes, follow: true) is not { IsDirectory: true } stat)
            {
                yield return (null, new FileTreeProblem(root, FileTreeProblemKind.Unreadable, "not a readable folder"));
                yield break;
            }

            var ancestors = new List<((ulong, ulong) Identity, string Display)> { (stat.Identity, root) };
            _folders.Add(stat.Identity);
            foreach (var item in Folder(rootBytes, root, "", ancestors))
            {
                yield return item;
            }
        }

        private IEnumerable<(FileTreeEntry?, FileTreeProblem?)> Folder(byte[] path, string display, string relative, List<((ulong, ulong) Identity, string Display)> ancestors)
        {
            List<byte[]> names;
            string? error = null;
            try
            {
                names = Native.ReadFolder(path);
            }
            catch (IOException e)
            {
                names = [];
                error = e.Message;
            }

            if (error is not null)
            {
                yield return (null, new FileTreeProblem(display, FileTreeProblemKind.Unreadable, error));
            }

            names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
            foreach (var name in names)
            {
                if (options.SkipHidden && name[0] == (byte)'.')
                {
                    continue;
                }

                var shown = DisplayName(name);
                byte[] child = [.. path, .. (path[^1] == (byte)'/' ? [] : "/"u8.ToArray()), .. name];
                var childDisplay = display.EndsWith('/') ? display + shown : display + "/" + shown;
                var childRelative = relative.Length == 0 ? shown : relative + "/" + shown;
                if (Native.Stat(child, follow: true) is not { } stat)
                {
                    var reason = Native.LastError();
                    if (options.IncludeFile(shown))
                    {
                        var link = Native.Stat(child, follow: false) is { IsLink: true };
                        yield return (null, new FileTreeProblem(childDisplay, FileTreeProblemKind.Unreadable, link ? $"a link that leads nowhere readable ({reason})" : reason));
                    }

                    continue;
                }

                if (stat.IsDirectory)
                {
                    if (!options.Descend(shown))
                    {
                        continue;
                    }

                    var loop = ancestors.FindIndex(a => a.Identity == stat.Identity);
                    if (loop >= 0)
                    {
                        yield return (null, new FileTreeProblem(childDisplay, FileTreeProblemKind.Loop, $"a link back to '{ancestors[loop].Display}', which encloses it (a loop)"));
                        continue;
                    }

                    if (!_folders.Add(stat.Identity))
                    {
                        continue; // the same folder by another name: already walked
                    }

                    // After the loop check: a link back to the root also "holds a pack.yaml", and is still a loop.
                    if (!options.DescendPath(childDisplay))
                    {
                        continue;
                    }

                    ancestors.Add((stat.Identity, childDisplay));
                    foreach (var item in Folder(child, childDisplay, childRelative, ancestors))
                    {
                        yield return item;
                    }

                    ancestors.RemoveAt(ancestors.Count - 1);
                }
                else if (!options.IncludeFile(shown))
                {
                    continue;
                }
                else if (!stat.IsRegular)
                {
                    yield return (null, new FileTreeProblem(childDisplay, FileTreeProblemKind.NotRegular, $"{stat.KindName}, not a regular file"));
                }
                else if (_files.Add(stat.Identity))
                {
                    var identity = stat.Identity;
                    yield return (new FileTreeEntry(childDisplay, childRelative, (long)stat.Size, () => OpenRegular(child, childDisplay, identity)), null);
                }
            }
        }
    }

    /// <summary>Elsewhere: .NET's enumeration, links to folders not followed.</summary>
    private static IEnumerable<(FileTreeEntry?, FileTreeProblem?)> PortableWalk(string root, FileTreeOptions options)
    {
        var pending = new Stack<(string Full, string Display, string Relative)>();
        pending.Push((root, root, ""));
        while (pending.Count > 0)
        {
            var (full, display, relative) = pending.Pop();
            List<FileSystemInfo> children;
            string? error = null;
            try
            {
                children = [.. new DirectoryInfo(full).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                children = [];
                error = e.Message;
            }

            if (error is not null)
            {
                yield return (null, new FileTreeProblem(display, FileTreeProblemKind.Unreadable, error));
            }

            children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var folders = new List<(string, string, string)>();
            foreach (var child in children)
            {
                if (options.SkipHidden && child.Name.StartsWith('.'))
                {
                    continue;
                }

                var childDisplay = Path.Join(display, child.Name);
                var childRelative = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
                if (child is DirectoryInfo)
                {
                    if (!options.Descend(child.Name))
                    {
                        continue;
                    }

                    if (child.LinkTarget is not null)
                    {
                        yield return (null, new FileTreeProblem(childDisplay, FileTreeProblemKind.Loop, "a link to a folder (links to folders are not followed on this system)"));
                        continue;
                    }

                    if (!options.DescendPath(child.FullName))
                    {
                        continue;
                    }

                    folders.Add((child.FullName, childDisplay, childRelative));
                }
                else if (options.IncludeFile(child.Name))
                {
                    var path = child.FullName;
                    yield return (new FileTreeEntry(childDisplay, childRelative, ((FileInfo)child).Length, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan)), null);
                }
            }

            for (var i = folders.Count - 1; i >= 0; i--)
            {
                pending.Push(folders[i]);
            }
        }
    }

    /// <summary>A name decoded as UTF-8, each byte that is not part of valid UTF-8 shown as <c>\xNN</c>.</summary>
    internal static string DisplayName(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        while (name.Length > 0)
        {
            var status = System.Text.Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                consumed = Math.Max(consumed, 1);
                foreach (var b in name[..consumed])
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
            }

            name = name[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The C library calls the Linux walk needs.</summary>
    private static unsafe partial class Native
    {
        public const int O_RDONLY = 0, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
        private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
        private const uint StatxBasicStats = 0x7ff;

        /// <summary>Where <c>d_name</c> starts in glibc's and musl's <c>struct dirent</c> on 64-bit Linux.</summary>
        private const int DirentNameOffset = 19;

        [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
        private static partial nint OpenDir(byte* name);

        [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
        private static partial nint ReadDir(nint dir);

        [LibraryImport("libc", EntryPoint = "closedir")]
        private static partial int CloseDir(nint dir);

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static partial int StatX(int dirfd, byte* path, int flags, uint mask, byte* buffer);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
        public static partial int Open(byte* path, int flags);

        public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

        public static List<byte[]> ReadFolder(byte[] path)
        {
            var zpath = (byte[])[.. path, 0];
            nint dir;
            fixed (byte* p = zpath)
            {
                dir = OpenDir(p);
            }

            if (dir == 0)
            {
                throw new IOException($"cannot read the folder: {LastError()}");
            }

            try
            {
                var names = new List<byte[]>();
                nint entry;
                while ((entry = ReadDir(dir)) != 0)
                {
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + DirentNameOffset);
                    if (name is [(byte)'.'] or [(byte)'.', (byte)'.'])
                    {
                        continue;
                    }

                    names.Add(name.ToArray());
                }

                return names;
            }
            finally
            {
                _ = CloseDir(dir);
            }
        }

        public static FileStat? Stat(byte[] path, bool follow)
        {
            var zpath = (byte[])[.. path, 0];
            var buffer = stackalloc byte[256];
            fixed (byte* p = zpath)
            {
                return StatX(AtFdCwd, p, follow ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) == 0 ? FileStat.From(buffer) : null;
            }
        }

        public static FileStat? StatFd(int fd)
        {
            var buffer = stackalloc byte[256];
            byte empty = 0;
            return StatX(fd, &empty, AtEmptyPath, StatxBasicStats, buffer) == 0 ? FileStat.From(buffer) : null;
        }
    }

    /// <summary>The fields of <c>struct statx</c> the walk uses.</summary>
    private readonly record struct FileStat(ushort Mode, ulong Inode, ulong Device, ulong Size)
    {
        public (ulong, ulong) Identity => (Device, Inode);

        private int Type => Mode & 0xF000;

        public bool IsDirectory => Type == 0x4000;

        public bool IsRegular => Type == 0x8000;

        public bool IsLink => Type == 0xA000;

        public bool IsFifo => Type == 0x1000;

        public bool IsSocket => Type == 0xC000;

        public string KindName => Type switch
        {
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };

        public static unsafe FileStat From(byte* statx) => new(
            *(ushort*)(statx + 28),
            *(ulong*)(statx + 32),
            ((ulong)*(uint*)(statx + 136) << 32) | *(uint*)(statx + 140),
            *(ulong*)(statx + 40));
    }
}
