using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Benchmarks;

/// <summary>
/// The multi-literal search (Teddy-style, over bytes) against the alternatives issue 15 names, counting every literal
/// hit in 1 MiB of real log text (corpus/loghub-sample.log, replicated): one IndexOf pass per literal over the bytes (the
/// engine before), SearchValues&lt;string&gt;.IndexOfAny over the decoded chars (the char path), and an Aho-Corasick
/// automaton over the bytes. Literals: the default pack's searched literals plus random 8-letter words.
/// </summary>
[MemoryDiagnoser]
public class MultiLiteralBenchmarks
{
    private byte[] _bytes = null!;
    private char[] _chars = null!;
    private byte[][] _literals = null!;
    private MultiLiteralSearch _teddy = null!;
    private SearchValues<string> _values = null!;
    private AhoCorasick _automaton = null!;

    [Params(7, 100, 1000, 10000)]
    public int Literals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sample = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "corpus", "loghub-sample.log"));
        _bytes = new byte[1 << 20];
        for (var i = 0; i < _bytes.Length; i += sample.Length)
        {
            sample.AsSpan(0, Math.Min(sample.Length, _bytes.Length - i)).CopyTo(_bytes.AsSpan(i));
        }

        _chars = Encoding.UTF8.GetString(_bytes).ToCharArray();
        var random = new Random(15);
        var words = new List<string> { "rejecting", "DirBcast", "Unexpected", "RESTART", "Table:", "configuration:", "Manager" };
        while (words.Count < Literals)
        {
            words.Add(new string(Enumerable.Range(0, 8).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        }

        _literals = words.Take(Literals).Select(Encoding.ASCII.GetBytes).ToArray();
        _teddy = new MultiLiteralSearch(_literals, _literals.Select(_ => false).ToArray());
        _values = SearchValues.Create(words.Take(Literals).ToArray(), StringComparison.Ordinal);
        _automaton = new AhoCorasick(_literals);
    }

    [Benchmark(Baseline = true)]
    public int Teddy()
    {
        var found = new List<int>();
        var hits = 0;
        for (var at = _teddy.Find(_bytes, 0, found); at >= 0; at = _teddy.Find(_bytes, at + 1, found))
        {
            hits++;
        }

        return hits;
    }

    [Benchmark]
    public int IndexOfPerLiteral()
    {
        var hits = 0;
        foreach (var literal in _literals)
        {
            ReadOnlySpan<byte> rest = _bytes;
            for (var at = rest.IndexOf(literal); at >= 0; at = rest.IndexOf(literal))
            {
                hits++;
                rest = rest[(at + 1)..];
            }
        }

        return hits;
    }

    [Benchmark]
    public int SearchValuesOnChars()
    {
        var hits = 0;
        ReadOnlySpan<char> rest = _chars;
        for (var at = rest.IndexOfAny(_values); at >= 0; at = rest.IndexOfAny(_values))
        {
            hits++;
            rest = rest[(at + 1)..];
        }

        return hits;
    }

    [Benchmark]
    public int AhoCorasickOnBytes() => _automaton.CountMatches(_bytes);

    /// <summary>A textbook Aho-Corasick DFA over byte classes (the bytes the literals use, plus one for all others).</summary>
    private sealed class AhoCorasick
    {
        private readonly byte[] _class = new byte[256];
        private readonly int _classes;
        private readonly int[] _next; // state * classes + class
        private readonly int[] _outputs; // matches ending in the state (own and by suffix)

        public AhoCorasick(byte[][] literals)
        {
            var used = literals.SelectMany(l => l).Distinct().Order().ToArray();
            for (var i = 0; i < used.Length; i++)
            {
                _class[used[i]] = (byte)(i + 1);
            }

            _classes = used.Length + 1;
            var trie = new List<int[]> { new int[_classes] };
            var output = new List<int> { 0 };
            foreach (var literal in literals)
            {
                var state = 0;
                foreach (var b in literal)
                {
                    var c = _class[b];
                    if (trie[state][c] == 0)
                    {
                        trie.Add(new int[_classes]);
                        output.Add(0);
                        trie[state][c] = trie.Count - 1;
                    }

                    state = trie[state][c];
                }

                output[state]++;
            }

            var fail = new int[trie.Count];
            var queue = new Queue<int>();
            for (var c = 0; c < _classes; c++)
            {
                if (trie[0][c] != 0)
                {
                    queue.Enqueue(trie[0][c]);
                }
            }

            while (queue.Count > 0)
            {
                var state = queue.Dequeue();
                output[state] += output[fail[state]];
                for (var c = 0; c < _classes; c++)
                {
                    var child = trie[state][c];
                    if (child != 0)
                    {
                        fail[child] = trie[fail[state]][c];
                        queue.Enqueue(child);
                    }
                    else
                    {
                        trie[state][c] = trie[fail[state]][c];
                    }
                }
            }

            _next = trie.SelectMany(row => row).ToArray();
            _outputs = [.. output];
        }

        public int CountMatches(ReadOnlySpan<byte> text)
        {
            var state = 0;
            var hits = 0;
            foreach (var b in text)
            {
                state = _next[state * _classes + _class[b]];
                hits += _outputs[state];
            }

            return hits;
        }
    }
}
