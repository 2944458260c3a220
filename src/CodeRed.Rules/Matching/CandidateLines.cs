using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// Finds the next candidate line of a block of whole lines: a hit of the prefilter's literal search whose line passes
/// the check of some pattern that named the literal. A literal that failed on a line is not checked again on it.
/// One instance per scan (it holds that cache).
/// </summary>
internal sealed class CandidateLines(Prefilter prefilter)
{
    private readonly List<int> _found = [];
    private readonly int[] _failedOnLine = new int[prefilter.Literals.Count]; // line start + 1 where the literal's checks failed

    /// <summary>A new block: positions cached so far are stale.</summary>
    public void Reset() => Array.Clear(_failedOnLine);

    /// <summary>Index of a hit inside the first candidate line at or after <paramref name="from"/> (a line start), or -1.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Find(ReadOnlySpan<byte> block, int from)
    {
        var pos = from;
        while (pos < block.Length)
        {
            var hit = prefilter.Search.Find(block, pos, _found);
            if (hit < 0)
            {
                return -1;
            }

            var lineStart = from + block[from..hit].LastIndexOfAny((byte)'\r', (byte)'\n') + 1;
            var line = ReadOnlySpan<byte>.Empty;
            foreach (var id in _found)
            {
                if (_failedOnLine[id] == lineStart + 1)
                {
                    continue;
                }

                // A literal that must come near the line start, found further in after ASCII only (the first time on
                // this line: an earlier one would have been found first): its checks fail, without finding the line end.
                if (prefilter.AnchoredWithin(id) is var within and >= 0 && hit - lineStart > within && Ascii.IsValid(block[lineStart..hit]))
                {
                    _failedOnLine[id] = lineStart + 1;
                    continue;
                }

                if (line.IsEmpty)
                {
                    var end = block[hit..].IndexOfAny((byte)'\r', (byte)'\n');
                    line = block[lineStart..(end < 0 ? block.Length : hit + end)];
                }

                if (prefilter.Passes(id, line))
                {
                    return hit;
                }

                _failedOnLine[id] = lineStart + 1;
            }

            pos = hit + 1;
        }

        return -1;
    }

    /// <inheritdoc cref="Find(ReadOnlySpan{byte}, int)"/>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Find(ReadOnlySpan<char> block, int from)
    {
        var pos = from;
        while (pos < block.Length)
        {
            var index = prefilter.IndexOfAny(block[pos..]);
            if (index < 0)
            {
                return -1;
            }

            var hit = pos + index;
            prefilter.LiteralsAt(block, hit, _found);
            var lineStart = from + block[from..hit].LastIndexOfAny('\r', '\n') + 1;
            var end = block[hit..].IndexOfAny('\r', '\n');
            var line = block[lineStart..(end < 0 ? block.Length : hit + end)];
            foreach (var id in _found)
            {
                if (_failedOnLine[id] != lineStart + 1)
                {
                    if (prefilter.Passes(id, line))
                    {
                        return hit;
                    }

                    _failedOnLine[id] = lineStart + 1;
                }
            }

            pos = hit + 1;
        }

        return -1;
    }
}
