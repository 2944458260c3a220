using System.Text;

namespace CodeRed.Rules.Matching;

/// <summary>
/// Whether a line may match a pattern, from the pattern's required fragments alone: each fragment in pattern order,
/// one after the other, and an anchored fragment no later than its maximal start. A line that fails cannot match; a
/// line that passes may. Works on bytes (any ASCII-compatible encoding: the fragments are ASCII) and on chars.
/// </summary>
internal sealed class FragmentCheck
{
    private readonly RequiredFragment[] _fragments;
    private readonly byte[][] _bytes;

    public FragmentCheck(IReadOnlyList<RequiredFragment> fragments, bool ignoreCase)
    {
        _fragments = [.. fragments];
        _bytes = _fragments.Select(f => Encoding.ASCII.GetBytes(f.Text)).ToArray();
        IgnoreCase = ignoreCase;
    }

    public bool IgnoreCase { get; }

    public IReadOnlyList<RequiredFragment> Fragments => _fragments;

    /// <summary>True when the check says no more than "the fragment was found" (nothing to verify after the search finds it).</summary>
    public bool IsTrivialFor(string primary) =>
        _fragments.Length == 1 && _fragments[0].MaxStart is null && _fragments[0].Text == primary;

    /// <summary>The check on a line of bytes: chars never outnumber bytes, and ASCII bytes are one char each.</summary>
    /// <remarks>Optimized from the first call: it runs on every hit of the search (see MultiLiteralSearch.Verify).</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Passes(ReadOnlySpan<byte> line)
    {
        var pos = 0;
        for (var i = 0; i < _bytes.Length; i++)
        {
            var fragment = _bytes[i];
            var index = IgnoreCase ? IndexOfIgnoreCase(line[pos..], fragment) : line[pos..].IndexOf(fragment);
            if (index < 0)
            {
                return false;
            }

            var at = pos + index;
            // Bytes before the fragment are at least as many as chars; when all are ASCII, exactly as many.
            if (_fragments[i].MaxStart is { } max && at > max && Ascii.IsValid(line[..at]))
            {
                return false;
            }

            pos = at + fragment.Length;
        }

        return true;
    }

    /// <summary>The check on a decoded line.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Passes(ReadOnlySpan<char> line)
    {
        var comparison = IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var pos = 0;
        for (var i = 0; i < _fragments.Length; i++)
        {
            var fragment = _fragments[i];
            var index = line[pos..].IndexOf(fragment.Text.AsSpan(), comparison);
            if (index < 0)
            {
                return false;
            }

            var at = pos + index;
            if (fragment.MaxStart is { } max && at > max)
            {
                return false;
            }

            pos = at + fragment.Text.Length;
        }

        return true;
    }

    /// <summary>ASCII case-insensitive search of an ASCII needle in bytes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> needle)
    {
        if (needle.Length == 0)
        {
            return 0;
        }

        var first = needle[0];
        var other = char.IsAsciiLetter((char)first) ? (byte)(first ^ 0x20) : first;
        var pos = 0;
        while (pos + needle.Length <= text.Length)
        {
            var index = text[pos..^(needle.Length - 1)].IndexOfAny(first, other);
            if (index < 0)
            {
                return -1;
            }

            var at = pos + index;
            if (Ascii.EqualsIgnoreCase(text.Slice(at, needle.Length), needle))
            {
                return at;
            }

            pos = at + 1;
        }

        return -1;
    }
}
