using System.Text;
using CodeRed.Rules.Matching;
using FsCheck.Xunit;

namespace CodeRed.Rules.Tests;

/// <summary>The one-pass multi-literal search (Teddy-style) against a naive search, and the fragment extractor (issue 15).</summary>
public class LiteralSearchTests
{
    /// <summary>
    /// Random literal sets (1 to 300, a small alphabet so that they share prefixes and collide, some case-insensitive)
    /// on random text of up to 200 bytes at a random offset into a buffer (half the time mostly of a byte no literal has):
    /// the vector loops, their 16/32-byte chunk boundaries and the scalar tail all give the naive search's answer, from
    /// every start position.
    /// </summary>
    [Property(MaxTest = 400)]
    public bool Multi_literal_search_equals_a_naive_search(int seed)
    {
        var random = new Random(seed);
        const string alphabet = "abcAB \n\r1\u00C3\u00A9"; // and the two bytes of a UTF-8 é
        var count = random.Next(4) == 0 ? random.Next(20, 300) : random.Next(1, 12);
        var literals = new List<byte[]>();
        var ignoreCase = new List<bool>();
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(1, 9);
            literals.Add(Enumerable.Range(0, length).Select(_ => (byte)"abcAB1"[random.Next(6)]).ToArray());
            ignoreCase.Add(random.Next(3) == 0);
        }

        var search = new MultiLiteralSearch(literals, ignoreCase, vectorBits: new[] { 256, 128, 0 }[random.Next(3)]);
        var offset = random.Next(40);
        var buffer = new byte[offset + random.Next(0, 200)];
        var sparse = random.Next(2) == 0; // mostly a byte no literal has: vector blocks without a hit, then a literal
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = sparse && random.Next(10) > 0 ? (byte)'x' : (byte)alphabet[random.Next(alphabet.Length)];
        }

        var text = buffer.AsSpan(offset);
        var found = new List<int>();
        for (var from = 0; from <= text.Length; from++)
        {
            var expected = -1;
            var expectedIds = new List<int>();
            for (var at = from; at < text.Length && expected < 0; at++)
            {
                for (var id = 0; id < literals.Count; id++)
                {
                    var literal = literals[id];
                    if (at + literal.Length <= text.Length && (ignoreCase[id]
                            ? Encoding.ASCII.GetString(text.Slice(at, literal.Length)).Equals(Encoding.ASCII.GetString(literal), StringComparison.OrdinalIgnoreCase)
                            : text.Slice(at, literal.Length).SequenceEqual(literal)))
                    {
                        expected = at;
                        expectedIds.Add(id);
                    }
                }
            }

            var actual = search.Find(text, from, found);
            if (actual != expected || !found.Order().SequenceEqual(expectedIds))
            {
                throw new Xunit.Sdk.XunitException($"from {from} in '{Encoding.ASCII.GetString(text)}': found {actual} [{string.Join(',', found)}], naive {expected} [{string.Join(',', expectedIds)}]");
            }
        }

        return true;
    }

    /// <summary>A literal after the last whole vector block is found whether or not some block before it had a hit.</summary>
    [Theory]
    [InlineData(256, 40)]
    [InlineData(256, 70)]
    [InlineData(128, 40)]
    [InlineData(0, 40)]
    public void A_literal_in_the_tail_after_blocks_without_a_hit_is_found(int vectorBits, int before)
    {
        var search = new MultiLiteralSearch([Encoding.ASCII.GetBytes("abc"), Encoding.ASCII.GetBytes("q")], [false, false], vectorBits);
        var found = new List<int>();
        foreach (var literal in new[] { "abc", "q" })
        {
            var text = Encoding.ASCII.GetBytes(new string('x', before) + literal + "x");
            Assert.Equal(before, search.Find(text, 0, found));
            Assert.Equal(before, search.Find(text, before - 3, found));
        }
    }

    /// <summary>The bytes the vector search tests for a literal are its rarest in log text, not its first.</summary>
    [Theory]
    [InlineData("startup,", "tup,")] // not the "sta" of every status, state and start
    [InlineData("CRASH", "CRAS")] // not the "RAS" of a BGL log's every line
    [InlineData("configuration:", "figu")]
    [InlineData("Manager", "Mana")]
    public void A_literal_is_fingerprinted_by_its_rarest_window(string literal, string window)
    {
        var bytes = Encoding.ASCII.GetBytes(literal);
        var at = MultiLiteralSearch.RarestWindow(bytes, 4, 3, ignoreCase: false);
        Assert.Equal(window, literal.Substring(at, 4));
    }

    /// <summary>
    /// The exact check tests a hit's whole 4-byte window, not only the 3 bytes the vectors test: "Cont" of Content or
    /// Container does not pass for Connection's "Conn" (what the fourth byte refuses was a fifth of the default pack's
    /// exact checks on 50 MB of real logs); the window itself does, in either case when the literal ignores case.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_exact_check_tests_the_whole_window(bool ignoreCase)
    {
        var literal = Encoding.ASCII.GetBytes("Connection");
        var at = MultiLiteralSearch.RarestWindow(literal, 4, 3, ignoreCase);
        var window = literal[at..(at + 4)];
        var search = new MultiLiteralSearch([literal, Encoding.ASCII.GetBytes("CRASH")], [ignoreCase, false]);
        Assert.NotEqual(0, search.ExactFingerprint(window, 0));
        var otherCase = window.Select(b => (byte)(char.IsAsciiLetter((char)b) ? b ^ 0x20 : b)).ToArray();
        Assert.Equal(ignoreCase, search.ExactFingerprint(otherCase, 0) != 0);
        foreach (var fourth in "tzX0 "u8.ToArray().Where(b => b != window[3]))
        {
            Assert.Equal(0, search.ExactFingerprint([.. window[..3], fourth], 0));
        }
    }

    /// <summary>
    /// A crowd of literals alike ('E1 ' to 'E10000 ', a pack of generated rules) neither shortens the others' windows
    /// to its length nor shares their buckets: no position of an ordinary interface line passes the fingerprint (with
    /// 3-byte windows 'startup,' was looked for by its 'up,', and buckets dealt in equal shares admitted 'se ', 't0 '...).
    /// </summary>
    [Fact]
    public void A_crowd_of_similar_literals_leaves_the_others_selective()
    {
        var words = new[] { "startup,", "successful", "Manager", "CRASH", "rejecting", "Connection" };
        var literals = words.Select(Encoding.ASCII.GetBytes).Concat(Enumerable.Range(1, 10_000).Select(n => Encoding.ASCII.GetBytes($"E{n} "))).ToList();
        var line = Encoding.ASCII.GetBytes("01 10:00:00   1 IP    INFO  Interface eth3 up, speed 100M full duplex, session 12 set");
        foreach (var vectorBits in new[] { 256, 0 })
        {
            var search = new MultiLiteralSearch(literals, literals.Select(_ => false).ToList(), vectorBits);
            Assert.DoesNotContain(Enumerable.Range(0, line.Length - 2), at => search.ExactFingerprint(line, at) != 0);
            var found = new List<int>();
            var text = Encoding.ASCII.GetBytes("x startup, E77 E7 ");
            Assert.Equal(2, search.Find(text, 0, found));
            Assert.Equal([0], found);
            Assert.Equal(11, search.Find(text, 3, found));
            Assert.Equal([words.Length + 76], found);
            Assert.Equal(15, search.Find(text, 12, found));
            Assert.Equal([words.Length + 6], found);
        }
    }

    [Fact]
    public void Ten_thousand_literals_build_and_search_fast_enough_to_notice_a_cubic_step()
    {
        // Not a timing test: a cubic build (the old greedy cover) would not finish this in the test's lifetime.
        var random = new Random(15);
        var literals = Enumerable.Range(0, 10_000).Select(_ => Encoding.ASCII.GetBytes(new string(Enumerable.Range(0, 8).Select(_ => (char)('a' + random.Next(26))).ToArray()))).ToList();
        var search = new MultiLiteralSearch(literals, literals.Select(_ => false).ToList());
        var text = Encoding.ASCII.GetBytes("xx " + Encoding.ASCII.GetString(literals[1234]) + " yy");
        var found = new List<int>();
        Assert.Equal(3, search.Find(text, 0, found));
        Assert.Contains(1234, found);
    }

    [Theory]
    [InlineData(@"HTTP\s+ERROR\s+No\s+free", false, "HTTP|ERROR|No|free")]
    [InlineData(@"^\s{0,8}Manager(?:\s{1,8}[^\s>]{1,64})?\s{0,8}>", false, "Manager@8|>")]
    [InlineData(@"a+bc?d", false, "a|b|d")]
    [InlineData(@"ab{2}c", false, "ab|c")]
    [InlineData(@"(?:x|y)abc|def", false, "")]
    [InlineData(@"\x41BC\u0044EF", false, "BC|EF")]
    [InlineData(@"sessions\s+kept", true, "e|ion|ept")]
    [InlineData(@"^abc\d{2}def", false, "abc@0|def@5")]
    [InlineData(@"a{,2}b", false, "a{,2}b")]
    [InlineData(@"caf\u00E9 ok", false, "caf| ok")]
    public void Fragments_are_every_required_run_in_order(string regex, bool ignoreCase, string expected)
    {
        var fragments = RequiredFragments.OfRegex(regex, ignoreCase);
        var shown = string.Join('|', fragments.Select(f => f.MaxStart is { } m ? $"{f.Text}@{m}" : f.Text));
        Assert.Equal(expected, shown);
    }
}
