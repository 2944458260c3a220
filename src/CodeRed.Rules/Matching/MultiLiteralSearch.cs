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
/// (Hyperscan; the aho-corasick crate ripgrep uses): the literals are sorted and dealt into 8 buckets; for each of the
/// first up to 3 bytes of a literal, two 16-entry tables give the buckets whose literals may hold a byte with that low
/// and that high nibble. A vector shuffle looks both up for 32 (AVX2) or 16 (SSSE3, Arm64) positions at once; the AND
/// over the fingerprint bytes leaves the positions where some bucket may start. Those are verified exactly: a hash of
/// the first bytes (case-folded) names the few literals that can start there, each compared in full.
/// <para>
/// Building sorts the literals once (n log n). The scan costs about the same for 5 literals or 10,000: more literals
/// make the fingerprint less selective, which the verification's hash lookup absorbs. Without vector hardware the same
/// fingerprint is tested a byte at a time.
/// </para>
/// </summary>
internal sealed class MultiLiteralSearch
{
    private const int Buckets = 8;

    private readonly byte[][] _literals;
    private readonly bool[] _ignoreCase;
    private readonly int _keyLength;
    private readonly Dictionary<uint, int[]> _byKey;
    private readonly int _fingerprint;
    private readonly Vector128<byte>[] _low;
    private readonly Vector128<byte>[] _high;
    private readonly byte[][] _exact; // per fingerprint byte: the buckets whose literals have exactly that byte there
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
        _keyLength = Math.Min(4, minLength);
        _fingerprint = Math.Min(3, minLength);

        // Sorting first puts literals with the same first bytes into the same bucket, which keeps each bucket's
        // nibble tables sparse (Teddy's trick); the sort is the only superlinear step.
        // Each literal is folded once, not on every comparison (10,000 literals: 280,000 arrays less for the GC).
        var folded = _literals.Select(Folded).ToArray();
        var order = Enumerable.Range(0, _literals.Length).ToArray();
        Array.Sort(order, (a, b) => folded[a].AsSpan().SequenceCompareTo(folded[b]));
        var low = new byte[_fingerprint, 16];
        var high = new byte[_fingerprint, 16];
        _exact = new byte[_fingerprint][];
        for (var k = 0; k < _fingerprint; k++)
        {
            _exact[k] = new byte[256];
        }

        var byKey = new Dictionary<uint, List<int>>();
        for (var rank = 0; rank < order.Length; rank++)
        {
            var id = order[rank];
            var literal = _literals[id];
            var bit = (byte)(1 << (int)((long)rank * Buckets / order.Length));
            for (var k = 0; k < _fingerprint; k++)
            {
                foreach (var b in Variants(literal[k], _ignoreCase[id]))
                {
                    low[k, b & 0xF] |= bit;
                    high[k, b >> 4] |= bit;
                    _exact[k][b] |= bit;
                }
            }

            var key = Key(literal);
            if (!byKey.TryGetValue(key, out var ids))
            {
                byKey[key] = ids = [];
            }

            ids.Add(id);
        }

        _byKey = byKey.ToDictionary(p => p.Key, p => p.Value.ToArray());
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
    }

    public int Count => _literals.Length;

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
            var last = text.Length - (_fingerprint - 1) - Vector256<byte>.Count;
            if (i <= last)
            {
                var l0 = Vector256.Create(_low[0], _low[0]);
                var h0 = Vector256.Create(_high[0], _high[0]);
                var l1 = _fingerprint > 1 ? Vector256.Create(_low[1], _low[1]) : default;
                var h1 = _fingerprint > 1 ? Vector256.Create(_high[1], _high[1]) : default;
                var l2 = _fingerprint > 2 ? Vector256.Create(_low[2], _low[2]) : default;
                var h2 = _fingerprint > 2 ? Vector256.Create(_high[2], _high[2]) : default;
                for (; i <= last; i += Vector256<byte>.Count)
                {
                    var m = Lookup256(Vector256.LoadUnsafe(ref start, (nuint)i), l0, h0);
                    if (_fingerprint > 1)
                    {
                        m &= Lookup256(Vector256.LoadUnsafe(ref start, (nuint)(i + 1)), l1, h1);
                        if (_fingerprint > 2)
                        {
                            m &= Lookup256(Vector256.LoadUnsafe(ref start, (nuint)(i + 2)), l2, h2);
                        }
                    }

                    var bits = ~Vector256.Equals(m, Vector256<byte>.Zero).ExtractMostSignificantBits();
                    while (bits != 0)
                    {
                        var at = i + BitOperations.TrailingZeroCount(bits);
                        if (Verify(text, at, found))
                        {
                            return at;
                        }

                        bits &= bits - 1;
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
                    if (Verify(text, at, found))
                    {
                        return at;
                    }

                    bits &= bits - 1;
                }
            }
        }

        // The rest (or everything, without vectors): the exact per-byte bucket tables, one position at a time.
        var e0 = _exact[0];
        for (var end = text.Length - _keyLength; i <= end; i++)
        {
            int m = e0[text[i]];
            for (var k = 1; k < _fingerprint && m != 0; k++)
            {
                m &= _exact[k][text[i + k]];
            }

            if (m != 0 && Verify(text, i, found))
            {
                return i;
            }
        }

        found.Clear();
        return -1;
    }

    /// <summary>Every literal starting at <paramref name="at"/> into <paramref name="found"/>; true when there is one.</summary>
    // Optimized from the first call, as Find is: it runs on every hit, and a JIT process would run it unoptimized (tier 0)
    // until the tiered compiler promotes it, which in a one-shot scan came late or never (docs/performance.md).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool Verify(ReadOnlySpan<byte> text, int at, List<int> found)
    {
        found.Clear();
        if (at + _keyLength > text.Length || !_byKey.TryGetValue(Key(text.Slice(at, _keyLength)), out var ids))
        {
            return false;
        }

        foreach (var id in ids)
        {
            var literal = _literals[id];
            if (at + literal.Length <= text.Length)
            {
                var here = text.Slice(at, literal.Length);
                if (_ignoreCase[id] ? Ascii.EqualsIgnoreCase(here, literal) : here.SequenceEqual(literal))
                {
                    found.Add(id);
                }
            }
        }

        return found.Count > 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Key(ReadOnlySpan<byte> bytes)
    {
        uint key = 0;
        for (var k = 0; k < _keyLength; k++)
        {
            key = key << 8 | (uint)FoldCase(bytes[k]);
        }

        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte FoldCase(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    private static byte[] Folded(byte[] literal)
    {
        var folded = new byte[literal.Length];
        for (var i = 0; i < literal.Length; i++)
        {
            folded[i] = FoldCase(literal[i]);
        }

        return folded;
    }

    private static IEnumerable<byte> Variants(byte b, bool ignoreCase)
    {
        yield return b;
        if (ignoreCase && char.IsAsciiLetter((char)b))
        {
            yield return (byte)(b ^ 0x20);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Lookup256(Vector256<byte> v, Vector256<byte> low, Vector256<byte> high)
    {
        var nibble = Vector256.Create((byte)0x0F);
        var hi = Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble;
        return Avx2.Shuffle(low, v & nibble) & Avx2.Shuffle(high, hi);
    }

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
