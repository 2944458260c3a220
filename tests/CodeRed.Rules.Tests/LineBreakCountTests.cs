using CodeRed.Rules.Evaluation;
using FsCheck.Xunit;

namespace CodeRed.Rules.Tests;

/// <summary>The one-pass line-break count (every skipped byte of a file goes through it) against a plain loop.</summary>
public class LineBreakCountTests
{
    /// <summary>
    /// Random text of CR, LF and letters (up to 20,000 units, some all line ends: past the 255-vector counter flush, across every vector
    /// boundary, CRLF pairs split by the end of the slice; some LF lines with a few CRs) at a random offset: bytes and chars both count as the
    /// reference does, LF, CRLF and lone CR one break each, a CR at the very end a break.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool Count_equals_a_plain_loop(int seed)
    {
        var random = new Random(seed);
        // Text of line ends only fills every byte counter to the brim: 255 vectors before they must be added up.
        var alphabet = new[] { "ab\r\n", "abcdefgh\n", "a\r", "\r\n", "\n", "\r", "abcdefghijklmnopqrstuvwxyz0123456789 \n" }[random.Next(7)];
        var length = random.Next(4) == 0 ? random.Next(8000, 20000) : random.Next(0, 300);
        var offset = random.Next(33);
        var chars = new char[offset + length];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        // A few CRs in a long text of LF lines: stretches with and without CR side by side.
        if (random.Next(3) == 0)
        {
            for (var n = random.Next(1, 6); n > 0 && chars.Length > 0; n--)
            {
                chars[random.Next(chars.Length)] = '\r';
            }
        }

        var text = chars.AsSpan(offset);
        var bytes = text.ToArray().Select(c => (byte)c).ToArray();
        long expected = 0;
        for (var i = 0; i < text.Length; i++)
        {
            expected += text[i] == '\n' || text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n') ? 1 : 0;
        }

        return LineBreaks.Count(bytes) == expected && LineBreaks.Count((ReadOnlySpan<char>)text) == expected;
    }
}
