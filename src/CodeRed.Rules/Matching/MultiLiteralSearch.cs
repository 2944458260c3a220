using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// One pass over bytes for many ASCII literals at once (each case-sensitive or ASCII case-insensitive), after Teddy
/// (Hyperscan; the aho-corasick crate ripgrep uses). Each literal is fingerprinted by its rarest window of up to 4
/// bytes (by <see cref="ByteFrequency"/>: "startup," by "tup,", not by the "sta" of every "status" and "state"); the
/// literals are sorted by window and cut into 8 buckets where that adds least to the expected hits (DealBuckets); for
/// each of the window's first up to 3 bytes, two 16-entry tables give the buckets whose literals may hold a byte with
/// that low and that high nibble. A vector shuffle looks
/// both up for 32 (AVX2) or 16 (SSSE3, Arm64) positions at once; the AND over the fingerprint bytes leaves the
/// positions where some bucket's window may be. Those are verified exactly: the window's bytes (case-folded) index an
/// open-addressing table of the few literals with that window, each compared in full where it would start.
/// <para>
/// Building sorts the literals once and merges buckets with a heap (n log n). The scan costs about the same for 5
/// literals or 10,000: more literals make the fingerprint less selective, which the verification's table absorbs. Without vector hardware the same
/// fingerprint is tested a byte at a time.
/// </para>
/// </summary>
internal sealed class MultiLiteralSearch
{
    private const int Buckets = 8;

    private readonly byte[][] _literals;
    private readonly bool[] _ignoreCase;
    private readonly int _shortestKey; // the shortest window (a literal's window is 4 bytes, or all of a shorter one)
    private readonly int _fingerprint;
    private readonly int _maxWindow; // the largest window offset: how far past a literal's start its window may lie
    private readonly Vector128<byte>[] _low;
    private readonly Vector128<byte>[] _high;
    private readonly Vector256<byte>[] _tables256; // low and high nibble tables per fingerprint byte, all set past it
    // Per window byte (4): the buckets whose literals may have that byte there (its other case too when they ignore
    // case; any byte past a shorter window).
    private readonly byte[][] _exact;
    private readonly byte[] _keyLengthsOf; // per set of buckets (a mask): bit L set when one of them has an L-byte window

    // Verification: window key -> slot (open addressing, linear probing) -> the literals with that window.
    private readonly ulong[] _slotKey;
    private readonly int[] _slotFirst; // index of the slot's first entry, -1 for an empty slot
    private readonly int[] _slotCount;
    private readonly int[] _entryId; // entries grouped by slot: literal and its window offset
    private readonly int[] _entryWindow;
    private readonly int _slotShift;
    private readonly bool _use256;
    private readonly bool _use128;

    /// <param name="literals">ASCII literals, none empty.</param>
    /// <param name="ignoreCase">Per literal: compare ASCII letters without case.</param>
    /// <param name="vectorBits">The widest vectors to use (256, 128 or 0): tests reach every path on one machine.</param>
    public MultiLiteralSearch(IReadOnlyList<byte[]> literals, IReadOnlyList<bool> ignoreCase, int vectorBits = 256)
    {
        _use256 = vectorBits >= 256 && Avx2.IsSupported;
        _use128 = !_use256 && vectorBits >= 128 && (Ssse3.IsSupported || AdvSimd.Arm64.IsSupported);
        if (literals.Count == 0 || literals.Any(l => l.Length == 0 || !Ascii.IsValid(l)))
        {
            throw new ArgumentException("literals must be non-empty ASCII", nameof(literals));
        }

        _literals = [.. literals];
        _ignoreCase = [.. ignoreCase];
        var minLength = _literals.Min(l => l.Length);
        _shortestKey = Math.Min(4, minLength);
        _fingerprint = Math.Min(3, minLength);

        // Each literal's window: the run of 4 of its bytes (all of a shorter one) least likely in log text, by its
        // fingerprint bytes. Per literal, not the shortest literal's length for all: with 'E1 ' in a pack, 3-byte windows
        // let 'startup,' be found by its 'up,' (rare in the byte table, on every interface line of the generator's log).
        var window = new int[_literals.Length];
        var keyLength = new int[_literals.Length];
        for (var id = 0; id < _literals.Length; id++)
        {
            keyLength[id] = Math.Min(4, _literals[id].Length);
            window[id] = RarestWindow(_literals[id], keyLength[id], _fingerprint, _ignoreCase[id]);
        }

        _maxWindow = window.Max();

        // Sorting by window puts literals with the same fingerprint bytes side by side, so that runs of the order make
        // buckets whose tables stay sparse (Teddy's trick); the sort is the only superlinear step. Each window is folded
        // once, not on every comparison (10,000 literals: 280,000 arrays less for the GC).
        var folded = Enumerable.Range(0, _literals.Length).Select(id => Folded(_literals[id].AsSpan(window[id]))).ToArray();
        var order = Enumerable.Range(0, _literals.Length).ToArray();
        Array.Sort(order, (a, b) => folded[a].AsSpan().SequenceCompareTo(folded[b]));
        var bucketOf = DealBuckets(order, window);
        var low = new byte[_fingerprint, 16];
        var high = new byte[_fingerprint, 16];
        _exact = new byte[4][];
        for (var k = 0; k < 4; k++)
        {
            _exact[k] = new byte[256];
        }

        var bucketKeyLengths = new byte[Buckets];

        var keys = new ulong[_literals.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            var id = order[rank];
            var literal = _literals[id];
            var bit = (byte)(1 << bucketOf[rank]);
            for (var k = 0; k < _fingerprint; k++)
            {
                var fingerprintByte = literal[window[id] + k];
                foreach (var b in (ReadOnlySpan<byte>)[fingerprintByte, OtherCase(fingerprintByte, _ignoreCase[id])])
                {
                    low[k, b & 0xF] |= bit;
                    high[k, b >> 4] |= bit;
                }
            }

            // The exact tables test the whole window, not only the bytes the vectors test: "Cont" and "cont" fail
            // "Conn" here, before any key is looked up. Past a shorter window, every byte.
            for (var k = 0; k < 4; k++)
            {
                if (k >= keyLength[id])
                {
                    for (var b = 0; b < 256; b++)
                    {
                        _exact[k][b] |= bit;
                    }

                    continue;
                }

                var windowByte = literal[window[id] + k];
                _exact[k][windowByte] |= bit;
                _exact[k][OtherCase(windowByte, _ignoreCase[id])] |= bit;
            }

            bucketKeyLengths[bucketOf[rank]] |= (byte)(1 << keyLength[id]);

            keys[id] = Key(literal.AsSpan(window[id]), keyLength[id]);
        }

        // Per set of buckets that passed, the window lengths to look up: the set without its lowest bucket's, and that one's.
        _keyLengthsOf = new byte[256];
        for (var mask = 1; mask < 256; mask++)
        {
            _keyLengthsOf[mask] = (byte)(_keyLengthsOf[mask & (mask - 1)] | bucketKeyLengths[BitOperations.TrailingZeroCount(mask)]);
        }

        // The verification table: at least twice as many slots as keys, entries of one key side by side (sorted by
        // key, so the order of the literals within a key is their input order).
        var distinct = keys.Distinct().Count();
        var bits = Math.Max(4, BitOperations.Log2((uint)distinct) + 2);
        _slotShift = 64 - bits;
        _slotKey = new ulong[1 << bits];
        _slotFirst = new int[1 << bits];
        _slotCount = new int[1 << bits];
        Array.Fill(_slotFirst, -1);
        var byKey = Enumerable.Range(0, _literals.Length).OrderBy(id => keys[id]).ThenBy(id => id).ToArray();
        _entryId = byKey;
        _entryWindow = byKey.Select(id => window[id]).ToArray();
        for (var e = 0; e < byKey.Length; e++)
        {
            var key = keys[byKey[e]];
            var slot = SlotOf(key);
            while (_slotFirst[slot] >= 0 && _slotKey[slot] != key)
            {
                slot = (slot + 1) & (_slotKey.Length - 1);
            }

            if (_slotFirst[slot] < 0)
            {
                (_slotKey[slot], _slotFirst[slot]) = (key, e);
            }

            _slotCount[slot]++;
        }

        _low = new Vector128<byte>[_fingerprint];
        _high = new Vector128<byte>[_fingerprint];
        for (var k = 0; k < _fingerprint; k++)
        {
            var lowRow = new byte[16];
            var highRow = new byte[16];
            for (var n = 0; n < 16; n++)
            {
                lowRow[n] = low[k, n];
                highRow[n] = high[k, n];
            }

            _low[k] = Vector128.Create(lowRow);
            _high[k] = Vector128.Create(highRow);
        }

        _tables256 = new Vector256<byte>[6];
        for (var k = 0; k < 3; k++)
        {
            (_tables256[2 * k], _tables256[2 * k + 1]) = k < _fingerprint
                ? (Vector256.Create(_low[k], _low[k]), Vector256.Create(_high[k], _high[k]))
                : (Vector256<byte>.AllBitsSet, Vector256<byte>.AllBitsSet);
        }
    }

    public int Count => _literals.Length;

    /// <summary>
    /// The bucket of each literal in window <paramref name="order"/>: runs of the order, merged until there are 8, always
    /// the two neighbours whose merging adds least to the expected fingerprint hits (a run's chance of a hit at a
    /// position of log text: the product, over the fingerprint bytes, of the frequencies of the bytes its literals may
    /// have there). Equal shares instead let 10,000 'E17 '-like literals fill every bucket, and the few other literals
    /// of a pack shared theirs with windows of digits and spaces: twice the hits on the generator's log, none of them a
    /// literal. Runs start as the literals whose windows begin with the same two bytes (at most 65,536 of them), and
    /// merging takes a heap: n log n.
    /// </summary>
    private int[] DealBuckets(int[] order, int[] window)
    {
        var words = _fingerprint * 4; // per fingerprint byte, a 256-bit set of the bytes the run's literals have there
        var bits = new List<ulong[]>();
        var runOf = new int[order.Length];
        var leading = Math.Min(2, _fingerprint);
        for (var rank = 0; rank < order.Length; rank++)
        {
            var id = order[rank];
            if (rank == 0 || !Ascii.EqualsIgnoreCase(Lead(order[rank - 1]), Lead(id)))
            {
                bits.Add(new ulong[words]);
            }

            runOf[rank] = bits.Count - 1;
            var set = bits[^1];
            for (var k = 0; k < _fingerprint; k++)
            {
                var b = _literals[id][window[id] + k];
                foreach (var v in (ReadOnlySpan<byte>)[b, OtherCase(b, _ignoreCase[id])])
                {
                    set[k * 4 + (v >> 6)] |= 1ul << (v & 63);
                }
            }
        }

        var runs = bits.Count;
        var rate = bits.Select(Rate).ToArray();
        var (next, previous, version, root) = (new int[runs], new int[runs], new int[runs], new int[runs]);
        for (var r = 0; r < runs; r++)
        {
            (next[r], previous[r], root[r]) = (r + 1 < runs ? r + 1 : -1, r - 1, r);
        }

        var heap = new PriorityQueue<(int Left, int Right, int LeftVersion, int RightVersion), double>();
        for (var r = 0; r + 1 < runs; r++)
        {
            Offer(r, r + 1);
        }

        for (var remaining = runs; remaining > Buckets && heap.TryDequeue(out var pair, out _);)
        {
            if (root[pair.Left] != pair.Left || root[pair.Right] != pair.Right || next[pair.Left] != pair.Right
                || version[pair.Left] != pair.LeftVersion || version[pair.Right] != pair.RightVersion)
            {
                continue; // one of the two has been merged since
            }

            var (l, r) = (pair.Left, pair.Right);
            for (var w = 0; w < words; w++)
            {
                bits[l][w] |= bits[r][w];
            }

            (rate[l], root[r], next[l]) = (Rate(bits[l]), l, next[r]);
            version[l]++;
            if (next[l] >= 0)
            {
                previous[next[l]] = l;
                Offer(l, next[l]);
            }

            if (previous[l] >= 0)
            {
                Offer(previous[l], l);
            }

            remaining--;
        }

        // Number the runs left in order; a merged run's literals take the bucket of the run it went into.
        var bucketOfRun = new int[runs];
        for (int r = 0, bucket = 0; r < runs; r++)
        {
            bucketOfRun[r] = root[r] == r ? bucket++ : bucketOfRun[Root(r)];
        }

        return runOf.Select(r => bucketOfRun[r]).ToArray();

        ReadOnlySpan<byte> Lead(int id) => _literals[id].AsSpan(window[id], leading);

        int Root(int r)
        {
            while (root[r] != r)
            {
                r = root[r];
            }

            return r;
        }

        void Offer(int l, int r)
        {
            var merged = new ulong[words];
            for (var w = 0; w < words; w++)
            {
                merged[w] = bits[l][w] | bits[r][w];
            }

            heap.Enqueue((l, r, version[l], version[r]), Rate(merged) - rate[l] - rate[r]);
        }

        double Rate(ulong[] set)
        {
            var product = 1.0;
            for (var k = 0; k < _fingerprint; k++)
            {
                var sum = 0.0;
                for (var w = 0; w < 4; w++)
                {
                    for (var rest = set[k * 4 + w]; rest != 0; rest &= rest - 1)
                    {
                        sum += ByteFrequency.Of((byte)(w * 64 + BitOperations.TrailingZeroCount(rest)), ignoreCase: false) / 1e6;
                    }
                }

                product *= sum;
            }

            return product;
        }
    }

    /// <summary>
    /// Where the literal's rarest run of <paramref name="length"/> bytes starts (the first such, on a tie), judged by
    /// its first <paramref name="fingerprint"/> bytes, which are what the vector search tests (the rest break ties, as
    /// they only reach the verification): CRASH by "CRA", not by the "RAS" of a BGL log's every line.
    /// </summary>
    internal static int RarestWindow(ReadOnlySpan<byte> literal, int length, int fingerprint, bool ignoreCase)
    {
        var best = 0;
        var bestScore = double.MaxValue;
        for (var w = 0; w + length <= literal.Length; w++)
        {
            var score = 0.0;
            for (var k = 0; k < length; k++)
            {
                score += Math.Log2(ByteFrequency.Of(literal[w + k], ignoreCase)) * (k < fingerprint ? 1 : 1.0 / 16);
            }

            if (score < bestScore)
            {
                (best, bestScore) = (w, score);
            }
        }

        return best;
    }

    /// <summary>
    /// The first position at or after <paramref name="from"/> where some literal starts, or -1; <paramref name="found"/>
    /// is cleared and receives the index of every literal that starts there.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Find(ReadOnlySpan<byte> text, int from, List<int> found)
    {
        var i = from;
        ref var start = ref MemoryMarshal.GetReference(text);
        if (_use256)
        {
            // Three loads however long the fingerprint (a shorter one's missing tables admit every byte), so the last
            // vector ends 2 bytes before the text does.
            for (var last = text.Length - 2 - Vector256<byte>.Count; i <= last; i += Vector256<byte>.Count)
            {
                i = NextBlock256(ref start, i, last, out var bits);
                if (bits == 0)
                {
                    break; // i is past last: the rest is the scalar loop's
                }

                for (; bits != 0; bits &= bits - 1)
                {
                    var at = i + BitOperations.TrailingZeroCount(bits);
                    if (ExactFingerprint(text, at) is var buckets and not 0 && FirstAt(text, from, at, buckets, found) is var first and >= 0)
                    {
                        return Resolve(text, from, first, found, i, bits & (bits - 1), i + Vector256<byte>.Count);
                    }
                }
            }
        }
        else if (_use128)
        {
            var last = text.Length - (_fingerprint - 1) - Vector128<byte>.Count;
            for (; i <= last; i += Vector128<byte>.Count)
            {
                var m = Lookup128(Vector128.LoadUnsafe(ref start, (nuint)i), _low[0], _high[0]);
                if (_fingerprint > 1)
                {
                    m &= Lookup128(Vector128.LoadUnsafe(ref start, (nuint)(i + 1)), _low[1], _high[1]);
                    if (_fingerprint > 2)
                    {
                        m &= Lookup128(Vector128.LoadUnsafe(ref start, (nuint)(i + 2)), _low[2], _high[2]);
                    }
                }

                var bits = ~Vector128.Equals(m, Vector128<byte>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                while (bits != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(bits);
                    if (ExactFingerprint(text, at) is var buckets and not 0 && FirstAt(text, from, at, buckets, found) is var first and >= 0)
                    {
                        return Resolve(text, from, first, found, i, bits & (bits - 1), i + Vector128<byte>.Count);
                    }

                    bits &= bits - 1;
                }
            }
        }

        // The rest (or everything, without vectors): the exact per-byte bucket tables, one position at a time.
        for (var end = text.Length - _shortestKey; i <= end; i++)
        {
            if (ExactFingerprint(text, i) is var buckets and not 0 && FirstAt(text, from, i, buckets, found) is var first and >= 0)
            {
                return Resolve(text, from, first, found, i, 0, i + 1);
            }
        }

        found.Clear();
        return -1;
    }

    /// <summary>
    /// From <paramref name="i"/> on, the first 32-byte block with a fingerprint hit (its hits in <paramref name="bits"/>),
    /// or a position past <paramref name="last"/> with none. A loop of its own, without a call in it: in Find's loop the
    /// calls that verify a hit made the compiler keep the six tables on the stack and reload them for every block.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int NextBlock256(ref byte start, int i, int last, out uint bits)
    {
        var (l0, h0, l1, h1, l2, h2) = (_tables256[0], _tables256[1], _tables256[2], _tables256[3], _tables256[4], _tables256[5]);
        var nibble = Vector256.Create((byte)0x0F);
        // A fingerprint shorter than 3 bytes looks its last byte up again in the tables that admit everything, so that
        // a byte it does not test cannot refuse a position (below).
        var (second, third) = ((nuint)Math.Min(1, _fingerprint - 1), (nuint)(_fingerprint - 1));
        for (; i <= last; i += Vector256<byte>.Count)
        {
            // The low nibble indexes the table unmasked: a byte of 0x80 or more (never a literal's: they are ASCII)
            // makes the shuffle give 0, and below that the shuffle reads only the low four bits.
            var a = Vector256.LoadUnsafe(ref start, (nuint)i);
            var b = Vector256.LoadUnsafe(ref start, (nuint)i + second);
            var c = Vector256.LoadUnsafe(ref start, (nuint)i + third);
            // Three independent terms, not one chain of six ANDs; one test per block, the bits only for a hit.
            var m0 = Avx2.Shuffle(l0, a) & Avx2.Shuffle(h0, Vector256.ShiftRightLogical(a.AsUInt16(), 4).AsByte() & nibble);
            var m1 = Avx2.Shuffle(l1, b) & Avx2.Shuffle(h1, Vector256.ShiftRightLogical(b.AsUInt16(), 4).AsByte() & nibble);
            var m2 = Avx2.Shuffle(l2, c) & Avx2.Shuffle(h2, Vector256.ShiftRightLogical(c.AsUInt16(), 4).AsByte() & nibble);
            var m = m0 & m1 & m2;
            if (m != Vector256<byte>.Zero)
            {
                bits = ~Vector256.Equals(m, Vector256<byte>.Zero).ExtractMostSignificantBits();
                return i;
            }
        }

        bits = 0;
        return i;
    }

    /// <summary>
    /// The earliest start of the literals whose window lies at <paramref name="at"/> and that occur there, starting at or
    /// after <paramref name="from"/> (into <paramref name="found"/>), or -1. <paramref name="buckets"/>: those
    /// <see cref="ExactFingerprint"/> passed at <paramref name="at"/>.
    /// </summary>
    // Optimized from the first call, as Find is: it runs on every fingerprint hit, and a JIT process would run it
    // unoptimized (tier 0) until the tiered compiler promotes it, which in a one-shot scan came late or never.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int FirstAt(ReadOnlySpan<byte> text, int from, int at, byte buckets, List<int> found)
    {
        found.Clear();
        var best = int.MaxValue;
        Collect(text, from, at, buckets, found, ref best);
        return best == int.MaxValue ? -1 : best;
    }

    /// <summary>
    /// The first hit, once the literals with their window at a fingerprint hit were verified (the earliest starts at
    /// <paramref name="best"/>, they are in <paramref name="found"/>): a literal whose window lies a little later may
    /// start earlier (windows sit at different offsets), so every later window up to the largest offset past the best
    /// start is looked at: in the vector block, only the positions whose fingerprint bits are set (<paramref
    /// name="blockBits"/>, relative to <paramref name="blockStart"/>); from <paramref name="blockEnd"/>, one at a time.
    /// <paramref name="found"/> ends with every literal starting at the best start.
    /// </summary>
    private int Resolve(ReadOnlySpan<byte> text, int from, int best, List<int> found, int blockStart, uint blockBits, int blockEnd)
    {
        if (_maxWindow == 0)
        {
            return best; // every window is its literal's start: none later starts earlier
        }

        for (; blockBits != 0; blockBits &= blockBits - 1)
        {
            var q = blockStart + BitOperations.TrailingZeroCount(blockBits);
            if (q > (long)best + _maxWindow)
            {
                return best;
            }

            if (ExactFingerprint(text, q) is var buckets and not 0)
            {
                Collect(text, from, q, buckets, found, ref best);
            }
        }

        for (var q = blockEnd; q + _shortestKey <= text.Length && q <= (long)best + _maxWindow; q++)
        {
            if (ExactFingerprint(text, q) is var buckets and not 0)
            {
                Collect(text, from, q, buckets, found, ref best);
            }
        }

        return best;
    }

    /// <summary>
    /// The buckets (a bit each) whose literals' window bytes may be those at <paramref name="at"/>, or 0: the nibble
    /// tables also admit combinations of a bucket's literals' nibbles and test only the window's first bytes, which
    /// this refuses before any key is looked up. Bytes of different literals of one bucket still combine (with "Conn"
    /// and "cOff" in one bucket, "conf" passes); the key lookup refuses those. Near the end of the text, only the bytes
    /// there are tested.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte ExactFingerprint(ReadOnlySpan<byte> text, int at)
    {
        var m = _exact[0][text[at]];
        for (var k = 1; k < 4 && m != 0 && at + k < text.Length; k++)
        {
            m &= _exact[k][text[at + k]];
        }

        return m;
    }

    /// <summary>
    /// The literals with their window at <paramref name="q"/> that start no later than the best start so far, among
    /// those of the given <paramref name="buckets"/>: only the window lengths those have are looked up.
    /// </summary>
    private void Collect(ReadOnlySpan<byte> text, int from, int q, byte buckets, List<int> found, ref int best)
    {
        var lengths = _keyLengthsOf[buckets];
        for (var length = 4; length >= _shortestKey; length--)
        {
            if ((lengths & (1 << length)) != 0 && q + length <= text.Length && Lookup(Key(text.Slice(q), length)) is >= 0 and var slot)
            {
                Collect(text, from, q, slot, found, ref best);
            }
        }
    }

    private void Collect(ReadOnlySpan<byte> text, int from, int q, int slot, List<int> found, ref int best)
    {
        for (int e = _slotFirst[slot], end = e + _slotCount[slot]; e < end; e++)
        {
            var start = q - _entryWindow[e];
            if (start <= best && Occurs(text, _entryId[e], start, from))
            {
                if (start < best)
                {
                    best = start;
                    found.Clear();
                }

                found.Add(_entryId[e]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Occurs(ReadOnlySpan<byte> text, int id, int start, int from)
    {
        var literal = _literals[id];
        if (start < from || start + literal.Length > text.Length)
        {
            return false;
        }

        var here = text.Slice(start, literal.Length);
        return _ignoreCase[id] ? Ascii.EqualsIgnoreCase(here, literal) : here.SequenceEqual(literal);
    }

    /// <summary>The table slot holding <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Lookup(ulong key)
    {
        var mask = _slotKey.Length - 1;
        for (var slot = SlotOf(key); _slotFirst[slot] >= 0; slot = (slot + 1) & mask)
        {
            if (_slotKey[slot] == key)
            {
                return slot;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(ulong key) => (int)((key * 0x9E3779B97F4A7C15ul) >> _slotShift);

    /// <summary>The first <paramref name="length"/> bytes, ASCII case folded, tagged with their length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(ReadOnlySpan<byte> bytes, int length)
    {
        if (length == 4)
        {
            // Four bytes at once, ASCII upper case folded without a branch: bit 7 of (b + 0x25) ^ (b + 0x3F) is set
            // exactly for 'A' to 'Z' (bytes of 0x80 and up excluded), and moved to bit 5 it lowers the letter.
            var x = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            var seven = x & 0x7F7F7F7Fu;
            return (x | ((((seven + 0x25252525u) ^ (seven + 0x3F3F3F3Fu)) & ~x & 0x80808080u) >> 2)) | (4ul << 32);
        }

        var key = (ulong)length << 32;
        for (var k = 0; k < length; k++)
        {
            key |= (ulong)FoldCase(bytes[k]) << (8 * k);
        }

        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte FoldCase(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    private static byte[] Folded(ReadOnlySpan<byte> literal)
    {
        var folded = new byte[literal.Length];
        for (var i = 0; i < literal.Length; i++)
        {
            folded[i] = FoldCase(literal[i]);
        }

        return folded;
    }

    /// <summary>The letter's other case when case is ignored; otherwise the byte itself.</summary>
    private static byte OtherCase(byte b, bool ignoreCase) => ignoreCase && char.IsAsciiLetter((char)b) ? (byte)(b ^ 0x20) : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Lookup128(Vector128<byte> v, Vector128<byte> low, Vector128<byte> high)
    {
        var nibble = Vector128.Create((byte)0x0F);
        var lo = v & nibble;
        var hi = Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble;
        return Ssse3.IsSupported
            ? Ssse3.Shuffle(low, lo) & Ssse3.Shuffle(high, hi)
            : AdvSimd.Arm64.VectorTableLookup(low, lo) & AdvSimd.Arm64.VectorTableLookup(high, hi);
    }
}
