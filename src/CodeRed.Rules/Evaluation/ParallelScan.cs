using System.Buffers;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// A large file on disk, read on the byte path, with its candidate search spread over several cores and its lines
/// still judged in one sequential pass. The file is cut at line starts into chunks; workers search each chunk for the
/// lines the evaluator's candidate finder points at (and the lines longer than the line buffer), recording where each
/// starts and how many line ends come before it in the chunk, and carrying the candidate lines' bytes (up to a
/// budget per chunk). One thread then feeds the evaluator in file order: the candidate lines, and every line while the
/// evaluator needs every line (an open record or section), read from the file again. Overlong lines and chunks with too many candidates go through the ordinary
/// <see cref="LineFeeder{T}"/>, so every line reaches the rules exactly as a single pass hands it over: the same
/// text, number and offset, in the same order. Memory is bounded: per worker one read buffer and, per chunk in
/// flight, at most <see cref="MaxEntries"/> positions.
/// </summary>
internal static class ParallelScan
{
    /// <summary>Files smaller than this are read in one pass: splitting costs more than it saves.</summary>
    public const long MinimumBytes = 32L << 20;

    private const long ChunkBytes = 8L << 20;
    private const int WorkerBlock = 2 << 20;
    private const int MaxEntries = 1 << 15;

    /// <summary>Bytes of candidate lines a chunk carries to the consumer; past them, the consumer reads its lines from the file.</summary>
    private const int MaxLineBytes = 1 << 20;
    private const int SmallRead = 4 << 10;
    private const int LargeRead = 256 << 10;
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    /// <summary>Lines at least this long are handed to the line feeder, which may cut them in segments (its buffer).</summary>
    private const int LongLine = SourceFeed.BufferSize - 1;

    private static int s_workersInUse;

    /// <summary>For tests: forces the parallel path on small files, with the given split points and workers.</summary>
    internal static readonly AsyncLocal<ParallelScanHook?> Hook = new();

    /// <summary>
    /// Scans the rest of <paramref name="stream"/> in parallel when it is a large seekable file: the lines up to its
    /// last line end reach <paramref name="onLine"/> (and the lines the feeder hands over), the feeder is left at the
    /// next line with nothing pending, and the stream is positioned after the bytes scanned, whose count (beyond the
    /// stream's position on entry) is returned. Null when the stream is not eligible: nothing was read or changed.
    /// </summary>
    public static long? TryScan(Stream stream, LineFeeder<byte> feeder, Func<ICandidateFinder<byte>> newFinder, Func<bool> needsEveryLine, LineHandler<byte> onLine, int degree)
    {
        var hook = Hook.Value;
        // A wrapper over a file (the CLI's, which watches for truncation) hands its file over: it reads through it.
        var file = stream as FileStream ?? (stream as IFileBackedStream)?.File;
        if (file is not { CanSeek: true } || feeder.PendingOffset != 0 || (hook is null && degree < 2))
        {
            return null;
        }

        var position = file.Position;
        var length = file.Length;
        if (length - position < (hook?.MinimumBytes ?? MinimumBytes))
        {
            return null;
        }

        var workers = hook?.Workers ?? Acquire(degree);
        if (workers < 1)
        {
            return null;
        }

        try
        {
            var handle = file.SafeFileHandle;
            // The bytes still pending in the feeder (at most the few the encoding was decided on) are read again.
            var start = position - feeder.Pending.Length;
            if (LastLineStart(handle, start, length) is not { } end || end <= start)
            {
                return null;
            }

            var scan = new Scan(handle, start, end, feeder, newFinder, needsEveryLine, onLine, workers, hook);
            var nextLine = scan.Run(feeder.Lines + 1);
            feeder.Restore(nextLine, 0, []);
            file.Position = end;
            return end - position;
        }
        finally
        {
            if (hook is null)
            {
                Interlocked.Add(ref s_workersInUse, -workers);
            }
        }
    }

    /// <summary>Takes up to <paramref name="degree"/> workers from one budget for the process, so that evaluations running side by side do not multiply threads.</summary>
    private static int Acquire(int degree)
    {
        while (true)
        {
            var inUse = Volatile.Read(ref s_workersInUse);
            var take = Math.Min(degree, Environment.ProcessorCount - inUse);
            if (take < 2)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref s_workersInUse, inUse + take, inUse) == inUse)
            {
                return take;
            }
        }
    }

    /// <summary>The start of the line after the last line end that no later byte can change (a CR at the very end may be half a CRLF), or null.</summary>
    private static long? LastLineStart(SafeFileHandle handle, long start, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var end = length;
            var limit = Math.Max(start, length - (256L << 20));
            var skipFinalCr = true;
            while (end > limit)
            {
                var from = Math.Max(limit, end - buffer.Length);
                var span = buffer.AsSpan(0, ReadExactly(handle, buffer.AsSpan(0, (int)(end - from)), from));
                var last = span.LastIndexOfAny(Cr, Lf);
                while (last >= 0 && skipFinalCr && from + last == length - 1 && span[last] == Cr)
                {
                    skipFinalCr = false;
                    last = span[..last].LastIndexOfAny(Cr, Lf);
                }

                if (last >= 0)
                {
                    return from + last + 1;
                }

                skipFinalCr = false;
                end = from;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read <= 0)
            {
                throw new IOException("The file became shorter while it was read.");
            }

            total += read;
        }

        return total;
    }

    /// <summary>What a worker found in one chunk: candidate and overlong line starts with the line ends before each.</summary>
    private sealed class ChunkResult
    {
        public long Start;
        public long End;
        public long[] Offsets = new long[256];
        public long[] Lines = new long[256];

        /// <summary>Where the line after entry i starts, when <see cref="Data"/> holds the line's bytes (else 0).</summary>
        public long[] Next = new long[256];

        /// <summary>Where entry i's bytes start in <see cref="Data"/>, or -1: the consumer reads the line from the file.</summary>
        public int[] DataStart = new int[256];

        public int[] DataLength = new int[256];
        public byte[] Data = [];
        public int DataUsed;
        public int Count;

        /// <summary>Line ends in the chunk (when not dense).</summary>
        public long LineCount;

        /// <summary>Where positions stopped being recorded (too many): from here the line feeder reads the chunk; -1 if never.</summary>
        public long DenseFrom = -1;

        public ExceptionDispatchInfo? Error;

        public void Add(long offset, long line)
        {
            if (Count == Offsets.Length)
            {
                Array.Resize(ref Offsets, Count * 2);
                Array.Resize(ref Lines, Count * 2);
                Array.Resize(ref Next, Count * 2);
                Array.Resize(ref DataStart, Count * 2);
                Array.Resize(ref DataLength, Count * 2);
            }

            Offsets[Count] = offset;
            Lines[Count] = line;
            DataStart[Count] = -1;
            Count++;
        }

        /// <summary>Gives the last entry its line's bytes (without the line end) and where the next line starts, while the byte budget lasts.</summary>
        public void Carry(ReadOnlySpan<byte> line, long next, int budget)
        {
            if (DataUsed + line.Length > budget)
            {
                return;
            }

            if (DataUsed + line.Length > Data.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Min(budget, Math.Max(2 * Data.Length, DataUsed + line.Length)));
                Data.AsSpan(0, DataUsed).CopyTo(grown);
                ReturnData();
                Data = grown;
            }

            line.CopyTo(Data.AsSpan(DataUsed));
            DataStart[Count - 1] = DataUsed;
            DataLength[Count - 1] = line.Length;
            Next[Count - 1] = next;
            DataUsed += line.Length;
        }

        public void ReturnData()
        {
            if (Data.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Data);
                Data = [];
            }
        }

        /// <summary>Ready for another chunk, keeping the arrays grown so far (a GiB is 128 chunks).</summary>
        public ChunkResult Reuse(long start, long end)
        {
            ReturnData();
            (Start, End, DataUsed, Count, LineCount, DenseFrom, Error) = (start, end, 0, 0, 0, -1, null);
            return this;
        }
    }

    private sealed class Scan
    {
        private readonly Stack<ChunkResult> _spare = new();
        private readonly SafeFileHandle _handle;
        private readonly long _start;
        private readonly long _end;
        private readonly LineFeeder<byte> _feeder;
        private readonly Func<ICandidateFinder<byte>> _newFinder;
        private readonly Func<bool> _needsEveryLine;
        private readonly LineHandler<byte> _onLine;
        private readonly int _workers;
        private readonly ParallelScanHook? _hook;
        private readonly int _maxEntries;
        private readonly int _maxLineBytes;
        private readonly object _gate = new();
        private long[] _bounds = [];
        private ChunkResult?[] _results = [];
        private int _nextChunk = -1;

        // The consumer's window on the file.
        private byte[] _window = [];
        private long _windowStart;
        private int _windowLength;

        public Scan(SafeFileHandle handle, long start, long end, LineFeeder<byte> feeder, Func<ICandidateFinder<byte>> newFinder, Func<bool> needsEveryLine, LineHandler<byte> onLine, int workers, ParallelScanHook? hook)
        {
            _handle = handle;
            _start = start;
            _end = end;
            _feeder = feeder;
            _newFinder = newFinder;
            _needsEveryLine = needsEveryLine;
            _onLine = onLine;
            _workers = workers;
            _hook = hook;
            _maxEntries = hook?.MaxEntries ?? MaxEntries;
            _maxLineBytes = hook?.MaxLineBytes ?? MaxLineBytes;
        }

        /// <summary>Feeds every line from the start to the end; returns the number the next line gets.</summary>
        public long Run(long firstLine)
        {
            _bounds = Boundaries();
            _hook?.Boundaries.AddRange(_bounds);
            var chunks = _bounds.Length - 1;
            _results = new ChunkResult?[chunks];
            using var slots = new SemaphoreSlim(Math.Min(chunks, 4 * _workers));
            using var cancel = new CancellationTokenSource();
            var threads = new Thread[Math.Min(_workers, chunks)];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(() => Work(slots, cancel.Token)) { IsBackground = true, Name = "codered scan" };
                threads[i].Start();
            }

            _window = ArrayPool<byte>.Shared.Rent(SourceFeed.BufferSize + LargeRead);
            try
            {
                var line = firstLine;
                for (var k = 0; k < chunks; k++)
                {
                    ChunkResult result;
                    lock (_gate)
                    {
                        while (_results[k] is null)
                        {
                            Monitor.Wait(_gate);
                        }

                        result = _results[k]!;
                        _results[k] = null;
                    }

                    try
                    {
                        result.Error?.Throw();
                        line = Consume(result, line);
                    }
                    finally
                    {
                        result.ReturnData();
                        lock (_spare)
                        {
                            _spare.Push(result);
                        }
                    }

                    slots.Release();
                }

                return line;
            }
            finally
            {
                cancel.Cancel();
                foreach (var thread in threads)
                {
                    thread.Join();
                }

                ArrayPool<byte>.Shared.Return(_window);
            }
        }

        /// <summary>Chunk boundaries, each moved forward to a line start: the same cut whatever the split points.</summary>
        private long[] Boundaries()
        {
            var nominal = _hook?.SplitPoints is { } points
                ? points.Where(p => p > _start && p < _end).Order()
                : Enumerable.Range(1, (int)Math.Max(0, (_end - _start - 1) / ChunkBytes)).Select(i => _start + i * ChunkBytes);
            var bounds = new List<long> { _start };
            var buffer = new byte[1 << 12];
            foreach (var point in nominal)
            {
                var aligned = AlignToLineStart(point, buffer);
                if (aligned > bounds[^1] && aligned < _end)
                {
                    bounds.Add(aligned);
                }
            }

            bounds.Add(_end);
            return [.. bounds];
        }

        /// <summary>The first line start at or after <paramref name="point"/> (a point between CR and LF is not one).</summary>
        private long AlignToLineStart(long point, byte[] buffer)
        {
            var from = point - 1;
            while (from < _end)
            {
                var span = buffer.AsSpan(0, ReadExactly(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, _end - from)), from));
                var first = span.IndexOfAny(Cr, Lf);
                if (first < 0)
                {
                    from += span.Length;
                    continue;
                }

                var at = from + first;
                if (span[first] == Lf || at + 1 >= _end)
                {
                    return at + 1;
                }

                // A CR: a line end of its own unless an LF follows.
                if (first + 1 < span.Length)
                {
                    return span[first + 1] == Lf ? at + 2 : at + 1;
                }

                Span<byte> next = stackalloc byte[1];
                ReadExactly(_handle, next, at + 1);
                return next[0] == Lf ? at + 2 : at + 1;
            }

            return _end;
        }

        private void Work(SemaphoreSlim slots, CancellationToken cancel)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(WorkerBlock);
            ICandidateFinder<byte>? finder = null;
            try
            {
                while (true)
                {
                    // A permit first, then the next chunk: the chunks in flight are always the next ones the consumer needs.
                    slots.Wait(cancel);
                    var k = Interlocked.Increment(ref _nextChunk);
                    if (k >= _results.Length)
                    {
                        return;
                    }

                    ChunkResult? spare;
                    lock (_spare)
                    {
                        _spare.TryPop(out spare);
                    }

                    var result = spare?.Reuse(_bounds[k], _bounds[k + 1]) ?? new ChunkResult { Start = _bounds[k], End = _bounds[k + 1] };
                    try
                    {
                        finder ??= _newFinder();
                        ScanChunk(result, buffer, finder);
                        if (_hook is { } hook)
                        {
                            Interlocked.Increment(ref hook.ChunksScanned);
                        }
                    }
                    catch (Exception e)
                    {
                        result.Error = ExceptionDispatchInfo.Capture(e);
                    }

                    lock (_gate)
                    {
                        _results[k] = result;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Candidate lines as <see cref="LineFeeder{T}"/> finds them (the first line at or after a position holding a candidate), and overlong lines.</summary>
        private void ScanChunk(ChunkResult result, byte[] buffer, ICandidateFinder<byte> finder)
        {
            var pos = result.Start;
            long line = 0;
            var longs = new List<(int Start, int End)>();
            while (pos < result.End)
            {
                var n = ReadExactly(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, result.End - pos)), pos);
                var block = buffer.AsSpan(0, n);
                int complete;
                if (pos + n == result.End)
                {
                    complete = n; // the chunk ends at a line start
                }
                else
                {
                    var searchEnd = block[^1] == Cr ? n - 1 : n;
                    complete = block[..searchEnd].LastIndexOfAny(Cr, Lf) + 1;
                    if (complete == 0)
                    {
                        // No line end in the whole block: an overlong line. The feeder reads it; skip to its end.
                        if (!Add(result, pos, line))
                        {
                            return;
                        }

                        pos = LineEnd(pos + searchEnd, result.End);
                        line++;
                        continue;
                    }
                }

                var text = block[..complete];
                FindLongLines(text, longs);
                finder.Reset();
                var p = 0;
                var nextLong = 0;
                while (p < complete)
                {
                    var candidate = finder.Find(text, p);
                    var limit = nextLong < longs.Count ? longs[nextLong].Start : complete;
                    if (candidate < 0 || candidate >= limit)
                    {
                        line += LineFeeder<byte>.CountLineBreaks(text[p..limit]);
                        if (nextLong == longs.Count)
                        {
                            break;
                        }

                        if (!Add(result, pos + limit, line))
                        {
                            return;
                        }

                        p = AfterBreak(text, longs[nextLong].End);
                        line++;
                        nextLong++;
                        continue;
                    }

                    var lineStart = p + text[p..candidate].LastIndexOfAny(Cr, Lf) + 1;
                    line += LineFeeder<byte>.CountLineBreaks(text[p..lineStart]);
                    if (!Add(result, pos + lineStart, line))
                    {
                        return;
                    }

                    var lineEnd = text[candidate..].IndexOfAny(Cr, Lf);
                    if (lineEnd < 0)
                    {
                        // The file's last line, without a line end: nothing follows it in this chunk.
                        p = complete;
                        break;
                    }

                    p = AfterBreak(text, candidate + lineEnd);
                    if (candidate + lineEnd - lineStart < LongLine)
                    {
                        // The consumer takes the line from here instead of reading the file again.
                        result.Carry(text[lineStart..(candidate + lineEnd)], pos + p, _maxLineBytes);
                    }

                    line++;
                }

                pos += complete;
            }

            result.LineCount = line;
        }

        /// <summary>Records a line start; false when the chunk has too many, and from there the line feeder takes over.</summary>
        private bool Add(ChunkResult result, long offset, long line)
        {
            if (result.Count >= _maxEntries)
            {
                result.DenseFrom = offset;
                result.LineCount = line;
                return false;
            }

            result.Add(offset, line);
            return true;
        }

        /// <summary>
        /// Lines in the complete lines of a block that the feeder may cut into segments: probes every half buffer find
        /// each, since such a line holds at least one probe.
        /// </summary>
        private static void FindLongLines(ReadOnlySpan<byte> text, List<(int Start, int End)> longs)
        {
            longs.Clear();
            for (var probe = 0; probe < text.Length; probe += LongLine / 2)
            {
                if (text[probe] is Cr or Lf)
                {
                    continue;
                }

                var start = text[..probe].LastIndexOfAny(Cr, Lf) + 1;
                var end = probe + text[probe..].IndexOfAny(Cr, Lf);
                if (end - start >= LongLine && (longs.Count == 0 || longs[^1].Start != start))
                {
                    longs.Add((start, end));
                }
            }
        }

        /// <summary>Where the next line starts after the line end at <paramref name="index"/> (the block holds whole lines).</summary>
        private static int AfterBreak(ReadOnlySpan<byte> text, int index) =>
            index + (text[index] == Cr && index + 1 < text.Length && text[index + 1] == Lf ? 2 : 1);

        /// <summary>The start of the line after the first line end at or after <paramref name="from"/>, read from the file.</summary>
        private long LineEnd(long from, long limit)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                while (from < limit)
                {
                    var span = buffer.AsSpan(0, ReadExactly(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, limit - from)), from));
                    var index = span.IndexOfAny(Cr, Lf);
                    if (index < 0)
                    {
                        from += span.Length;
                        continue;
                    }

                    var at = from + index;
                    if (span[index] == Lf || at + 1 >= limit)
                    {
                        return at + 1;
                    }

                    if (index + 1 < span.Length)
                    {
                        return span[index + 1] == Lf ? at + 2 : at + 1;
                    }

                    Span<byte> next = stackalloc byte[1];
                    ReadExactly(_handle, next, at + 1);
                    return next[0] == Lf ? at + 2 : at + 1;
                }

                return limit;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Feeds one chunk's lines in order; returns the number of the line after it.</summary>
        private long Consume(ChunkResult result, long line)
        {
            var pos = result.Start;
            var chunkFirstLine = line;
            var stop = result.DenseFrom >= 0 ? result.DenseFrom : result.End;
            var entry = 0;
            while (pos < stop)
            {
                if (!_needsEveryLine())
                {
                    while (entry < result.Count && result.Offsets[entry] < pos)
                    {
                        entry++;
                    }

                    if (entry == result.Count)
                    {
                        line = chunkFirstLine + result.LineCount;
                        pos = stop;
                        break;
                    }

                    pos = result.Offsets[entry];
                    line = chunkFirstLine + result.Lines[entry];
                    if (result.DataStart[entry] is var data and >= 0)
                    {
                        // The worker carried the line's bytes: no read of the file for it.
                        _onLine(result.Data.AsSpan(data, result.DataLength[entry]), line, 0);
                        pos = result.Next[entry];
                        line++;
                        continue;
                    }
                }

                (pos, line) = FeedLine(pos, line, stop);
            }

            if (result.DenseFrom >= 0)
            {
                line = FeedThroughFeeder(result.DenseFrom, result.End, line);
            }

            return line;
        }

        /// <summary>Hands one line to the rules (an overlong one through the feeder); returns where the next starts and its number.</summary>
        private (long Pos, long Line) FeedLine(long pos, long line, long limit)
        {
            var lastWindowEnd = _windowStart + _windowLength;
            if (pos < _windowStart || pos >= lastWindowEnd)
            {
                // Reading on from the last window (an open record or section) doubles the read, up to LargeRead; a jump
                // to a far line (most records close within a few lines) reads little.
                Fill(pos, pos == lastWindowEnd ? Math.Min(LargeRead, 2 * Math.Max(SmallRead, _windowLength)) : SmallRead);
            }

            while (true)
            {
                var offset = (int)(pos - _windowStart);
                var available = _window.AsSpan(offset, _windowLength - offset);
                var index = available.IndexOfAny(Cr, Lf);
                var windowEnd = _windowStart + _windowLength;
                if (index >= LongLine || index < 0 && available.Length >= LongLine)
                {
                    var next = LineEnd(pos, limit);
                    return (next, FeedThroughFeeder(pos, next, line));
                }

                if (index >= 0 && (available[index] == Lf || index + 1 < available.Length || windowEnd == _end))
                {
                    _onLine(available[..index], line, 0);
                    var length = index + (available[index] == Cr && index + 1 < available.Length && available[index + 1] == Lf ? 2 : 1);
                    return (pos + length, line + 1);
                }

                // The line (or what follows its CR) is not all in the window yet.
                Fill(pos, Math.Min(_window.Length, Math.Max(2 * available.Length, Math.Min(LargeRead, 2 * _windowLength))));
            }
        }

        private void Fill(long pos, int size)
        {
            _windowStart = pos;
            _windowLength = ReadExactly(_handle, _window.AsSpan(0, (int)Math.Min(Math.Min(size, _window.Length), _end - pos)), pos);
        }

        /// <summary>Whole lines through the ordinary feeder, from a line start to a line start; returns the next line number.</summary>
        private long FeedThroughFeeder(long from, long to, long line)
        {
            _feeder.Restore(line, 0, []);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                while (from < to)
                {
                    var n = ReadExactly(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - from)), from);
                    _feeder.Write(buffer.AsSpan(0, n));
                    from += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // The range ends at a line start: a CR the feeder holds back is a line end of its own.
            return _feeder.Complete() + 1;
        }
    }
}

/// <summary>
/// A stream that reads straight through a <see cref="FileStream"/> (no buffer of its own, and its position is the
/// file's): <see cref="ParallelScan"/> may read the file directly and leave the file positioned after what it read.
/// </summary>
internal interface IFileBackedStream
{
    FileStream? File { get; }
}

/// <summary>For tests: makes <see cref="ParallelScan"/> split small files at given points and says what it did.</summary>
internal sealed class ParallelScanHook
{
    /// <summary>The smallest file scanned in parallel (0: any).</summary>
    public long MinimumBytes { get; init; }

    /// <summary>Where to cut (moved forward to line starts); null for the usual chunk size.</summary>
    public IReadOnlyList<long>? SplitPoints { get; init; }

    /// <summary>Worker threads (the process budget is not consulted).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Positions a chunk records before the line feeder reads the rest of it.</summary>
    public int MaxEntries { get; init; } = 1 << 15;

    /// <summary>Bytes of candidate lines a chunk carries to the consumer (past them its lines are read from the file).</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    /// <summary>The chunk boundaries of every scan, in order.</summary>
    public List<long> Boundaries { get; } = [];

    /// <summary>Chunks searched by workers.</summary>
    public int ChunksScanned;
}
