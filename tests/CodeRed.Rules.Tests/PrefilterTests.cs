using System.Text;
using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Matching;
using FsCheck.Xunit;

namespace CodeRed.Rules.Tests;

/// <summary>The prefilter: which literals it searches, what it checks on the bytes, and that it never loses a match (issue 15).</summary>
public class PrefilterTests
{
    private static List<Pattern> DefaultPatterns() =>
        Prefilter.PatternsTriedOnEveryLine(TestSupport.Pack, TestSupport.Pack.CompiledRules.Where(r => r.Device is null).ToList());

    /// <summary>Every compiled pattern of the default pack, also those tried only inside records and sections.</summary>
    private static IEnumerable<Pattern> AllDefaultPatterns() =>
        TestSupport.Pack.CompiledRules.SelectMany(r => r.Section is { } s ? [s.Start, s.Row, s.Count] : r.Patterns)
            .Concat(DefaultPatterns())
            .Concat(TestSupport.Pack.Facts.Select(f => f.Shape).OfType<Pattern>());

    [Fact]
    public void The_default_pack_searches_one_rare_fragment_per_pattern_not_a_common_cover()
    {
        var prefilter = Prefilter.Build(DefaultPatterns())!;
        Assert.DoesNotContain("onnection", prefilter.Literals);
        Assert.DoesNotContain("HTTP", prefilter.Literals);
        Assert.DoesNotContain("ERROR", prefilter.Literals);
        foreach (var pattern in DefaultPatterns())
        {
            Assert.Contains(pattern.Fragments, f => prefilter.Literals.Contains(f.Text));
        }
    }

    [Theory]
    [InlineData("01 00:01:23   3 USER  LOGON Manager login on asyn8 from 192.168.1.2", false)]
    [InlineData("Manager > create config=a.cfg", true)]
    [InlineData("   Manager AR320 > show config", true)]
    [InlineData("\u3000\u3000Manager > x", true)] // wide spaces: more bytes than chars before the prompt
    [InlineData("USER  LOGON Manager > x", false)] // a prompt starts the line, after at most 8 spaces
    [InlineData("USER  LOGON Manager > x\nManager > y", true)] // refused on the first line from its start alone, found on the next
    [InlineData("\u00E9\u00E9\u00E9\u00E9\u00E9 Manager > x", true)] // 11 bytes but 6 chars before it: the bytes cannot refuse it
    public void A_prompt_is_a_candidate_only_near_the_line_start_checked_on_the_bytes(string line, bool candidate)
    {
        var prompt = TestSupport.Pack.CommandEcho!.Prompts[0];
        var prefilter = Prefilter.Build([prompt])!;
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        Assert.Equal(candidate, new CandidateLines(prefilter).Find(bytes, 0) >= 0);
        Assert.Equal(candidate, new CandidateLines(prefilter).Find((line + "\n").AsSpan(), 0) >= 0);
        Assert.True(!prompt.TryMatch(line, out _, out _) || candidate); // the check never refuses a real prompt
    }

    [Fact]
    public void A_literal_every_check_anchors_near_the_line_start_is_bounded_by_it()
    {
        var prompt = Prefilter.Build([TestSupport.Pack.CommandEcho!.Prompts[0]])!;
        Assert.Equal(8, prompt.AnchoredWithin(prompt.Literals.ToList().IndexOf("Manager")));
        var unanchored = Prefilter.Build([TestSupport.Pack.CommandEcho!.Prompts[0], Pattern.FromLiteral("Manager", false)])!;
        Assert.Equal(-1, unanchored.AnchoredWithin(unanchored.Literals.ToList().IndexOf("Manager")));
    }

    [Fact]
    public void A_second_fragment_is_checked_before_a_line_is_a_candidate()
    {
        var cr2001 = TestSupport.Pack.CompiledRules.Single(r => r.Descriptor.Id == "CR2001").Patterns[0];
        var prefilter = Prefilter.Build([cr2001])!;
        var lines = "HTTP  INFO  rejecting nothing, connection from 10.0.0.1\nHTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n";
        var bytes = Encoding.UTF8.GetBytes(lines);
        var hit = new CandidateLines(prefilter).Find(bytes, 0);
        Assert.True(hit > lines.IndexOf('\n'), "the first line holds the rarest word but lacks the others");
    }

    [Fact]
    public void Every_line_of_every_sample_that_a_pattern_matches_is_a_candidate()
    {
        var patterns = DefaultPatterns();
        var prefilter = Prefilter.Build(patterns)!;
        var files = Directory.GetFiles(TestSupport.RulesDir, "*.log", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(TestSupport.Repo("docs", "samples"), "*.log"));
        var checkedLines = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).ReplaceLineEndings("\n");
            var lines = text.Split('\n');
            var byBytes = Candidates(prefilter, Encoding.UTF8.GetBytes(text));
            var byChars = Candidates(prefilter, text.AsSpan());
            for (var i = 0; i < lines.Length; i++)
            {
                if (patterns.Any(p => p.TryMatch(lines[i], out _, out _)))
                {
                    checkedLines++;
                    Assert.True(byBytes.Contains(i), $"{file}:{i + 1} (bytes)");
                    Assert.True(byChars.Contains(i), $"{file}:{i + 1} (chars)");
                }
            }
        }

        Assert.True(checkedLines > 20, $"only {checkedLines} sample lines match a pattern");
    }

    /// <summary>Random lines a pattern of the default pack matches: built from sample text and the pattern's fragments.</summary>
    [Property(MaxTest = 300)]
    public bool Lines_a_default_pattern_matches_are_always_candidates(int seed)
    {
        var random = new Random(seed);
        var patterns = AllDefaultPatterns().Where(p => p.Regex is not null || p.Literal is not null).ToList();
        var pattern = patterns[random.Next(patterns.Count)];
        var samples = SampleLines.Value;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var line = Mutate(random, random.Next(3) == 0 ? samples[random.Next(samples.Length)] : FromFragments(random, pattern));
            if (Matches(pattern, line) && !IsCandidate(pattern, line))
            {
                throw new Xunit.Sdk.XunitException($"{pattern.Source} matches {Escape(line)} but the prefilter skips it");
            }
        }

        return true;
    }

    /// <summary>Random regexes and literals (with a string each is known to match): the prefilter keeps every such line.</summary>
    [Property(MaxTest = 1000)]
    public bool Lines_a_random_pattern_matches_are_always_candidates(int seed)
    {
        var random = new Random(seed);
        var ignoreCase = random.Next(3) == 0;
        var (regex, sample) = RandomRegex.Generate(random);
        var pattern = random.Next(5) == 0
            ? Pattern.FromLiteral(sample.Length == 0 ? "abc" : sample, ignoreCase)
            : Pattern.FromRegex(regex, ignoreCase, out _);
        if (pattern is null)
        {
            return true; // the loader refuses it (e.g. a nested quantifier): nothing to prefilter
        }

        if (pattern.Regex is not null && !pattern.Regex.IsMatch(sample))
        {
            throw new Xunit.Sdk.XunitException($"the generator's sample {Escape(sample)} does not match {Escape(regex)}");
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            var line = Mutate(random, RandomRegex.Noise(random) + (pattern.Literal ?? sample) + RandomRegex.Noise(random));
            if (attempt % 2 == 1)
            {
                line = sample;
            }

            if (Matches(pattern, line) && !IsCandidate(pattern, line))
            {
                throw new Xunit.Sdk.XunitException($"{Escape(pattern.Source)} (ignoreCase {ignoreCase}) matches {Escape(line)} but the prefilter skips it");
            }
        }

        return true;
    }

    /// <summary>
    /// Random column clauses (random where regexes with a value each is known to match, random column order, whitespace
    /// or a separator): every line the clause matches passes the clause's search pattern, whose fragments lost their
    /// anchors (a value's start is not the line's).
    /// </summary>
    [Property(MaxTest = 500)]
    public bool Lines_a_random_column_clause_matches_are_always_candidates(int seed)
    {
        var random = new Random(seed);
        char? separator = random.Next(3) == 0 ? ',' : null;
        static bool Splits(string value) => value.AsSpan().IndexOfAny(" \t,\r\n") >= 0; // such characters are replaced in the line below
        var names = Enumerable.Range(0, random.Next(2, 7)).Select(i => $"f{i}").ToArray();
        var where = new List<(string Column, Pattern Pattern)>();
        var values = new Dictionary<string, string>();
        foreach (var name in names.OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(4, names.Length) + 1)))
        {
            var (regex, sample) = RandomRegex.Generate(random);
            if (Pattern.FromRegex(regex, random.Next(3) == 0, out _) is not { } pattern || Splits(sample) || sample.Length == 0 || !pattern.Regex!.IsMatch(sample))
            {
                continue;
            }

            where.Add((name, pattern));
            values[name] = sample;
        }

        if (where.Count == 0)
        {
            return true;
        }

        var set = new ColumnSetSpec { Id = "t", Index = 0, Header = Pattern.FromRegex(@"^#Fields:\s*(?<names>.+)$", false, out _)!, Separator = separator };
        var clause = new ColumnClause { Set = set, Where = where, Prefilter = ColumnClause.SearchPatternFor(where.Select(w => w.Pattern)) };
        var header = new ColumnHeader(names.OrderBy(_ => random.Next()).ToArray(), 1);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var fields = header.Names.Select(n =>
            {
                if (values.TryGetValue(n, out var value))
                {
                    return attempt == 0 ? value : Mutate(random, RandomRegex.Noise(random) + value + RandomRegex.Noise(random));
                }

                return random.Next(2) == 0 ? "-" : RandomRegex.Noise(random) + "x";
            }).Select(f => f.Replace(' ', '_').Replace('\t', '_').Replace(',', '_').Replace('\r', '_').Replace('\n', '_')).ToArray();
            var line = string.Join(separator?.ToString() ?? " ", fields);
            var matches = clause.TryMatch(line, header, out _, out _);
            if (attempt == 0 && !matches)
            {
                throw new Xunit.Sdk.XunitException($"the clause does not match its own values: {Escape(line)} ({string.Join(", ", where.Select(w => w.Column + ": " + w.Pattern.Source))})");
            }

            if (matches && clause.Prefilter is { } searched && !IsCandidate(searched, line))
            {
                throw new Xunit.Sdk.XunitException($"the clause ({string.Join(", ", where.Select(w => w.Column + ": " + Escape(w.Pattern.Source)))}) matches {Escape(line)} but the prefilter skips it");
            }
        }

        return true;
    }

    /// <summary>The web-server pack's samples, read as the engine reads them: every header line and every line a column clause matches is a candidate.</summary>
    [Fact]
    public void Every_header_and_every_column_match_in_the_web_server_samples_is_a_candidate()
    {
        var pack = WebServerPackTests.WebPack;
        var active = pack.CompiledRules.Where(r => r.Device is null).ToList();
        var prefilter = Prefilter.For(pack, active)!;
        var files = Directory.GetFiles(TestSupport.Repo("rules", "webserver"), "*.log", SearchOption.AllDirectories)
            .Append(TestSupport.Repo("docs", "samples", "webserver-iis-w3c.log"));
        var checkedLines = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).ReplaceLineEndings("\n");
            var lines = text.Split('\n');
            var byBytes = Candidates(prefilter, Encoding.UTF8.GetBytes(text));
            var byChars = Candidates(prefilter, text.AsSpan());
            var headers = new ColumnHeader?[pack.ColumnSets.Length];
            for (var i = 0; i < lines.Length; i++)
            {
                var wanted = false;
                foreach (var set in pack.ColumnSets)
                {
                    if (set.ReadHeader(lines[i], i + 1) is { } header)
                    {
                        headers[set.Index] = header;
                        wanted = true;
                    }
                }

                wanted |= active.SelectMany(r => r.Columns).Any(c => headers[c.Set.Index] is { } h && c.Set.IsData(lines[i]) && c.TryMatch(lines[i], h, out _, out _));
                if (wanted)
                {
                    checkedLines++;
                    Assert.True(byBytes.Contains(i), $"{file}:{i + 1} (bytes)");
                    Assert.True(byChars.Contains(i), $"{file}:{i + 1} (chars)");
                }
            }
        }

        Assert.True(checkedLines > 20, $"only {checkedLines} sample lines are headers or column matches");
    }

    [Fact]
    public void Ascii_letters_fold_only_to_their_other_case_except_k_and_s()
    {
        // Why k and s end the fragments of a case-insensitive pattern: the regex engine folds them with the Kelvin sign
        // and the long s, which are not ASCII. Every other ASCII letter matches only itself and its other case.
        for (var letter = 'a'; letter <= 'z'; letter++)
        {
            var regex = new Regex(letter.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            for (var c = 0x80; c <= 0xFFFF; c++)
            {
                if (c is < 0xD800 or > 0xDFFF && regex.IsMatch(((char)c).ToString()))
                {
                    Assert.True(letter is 'k' or 's', $"{letter} matches U+{c:X4}");
                }
            }
        }
    }

    [Property(MaxTest = 20)]
    public bool A_pack_of_many_rules_counts_each_rule_as_a_naive_search_does(int seed)
    {
        // Over RuleCandidates.MinimumRules rules, a candidate line runs only the rules it may match: the counts must
        // still be those of a search for each literal (and of the one regex rule) on every line.
        var random = new Random(seed);
        var count = RuleCandidates.MinimumRules + random.Next(100);
        // Some literals ignore case, some lines are not ASCII (those are searched as chars, the others as bytes).
        var literals = Enumerable.Range(1, count).Select(i => random.Next(4) switch { 0 => $"k{i}x", 1 => $"w{i}q", _ => $"E{i} " }).ToArray();
        var ignoreCase = literals.Select(l => l[0] == 'w').ToArray();
        var files = new List<KeyValuePair<string, string>>
        {
            new("pack.yaml", File.ReadAllText(Path.Combine(TestSupport.RulesDir, "pack.yaml"))),
            new("models.yaml", File.ReadAllText(Path.Combine(TestSupport.RulesDir, "models.yaml"))),
        };
        var rules = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            rules.Append($"---\nkind: rule\nid: GEN{i + 1:00000}\ntitle: Generated {i}\nmessage: \"seen {{count}} time(s)\"\ncategory: Generated\nseverity: warning\nmatch:\n  - literal: '{literals[i]}'\n{(ignoreCase[i] ? "    ignoreCase: true\n" : "")}");
        }

        rules.Append("---\nkind: rule\nid: GEN99999\ntitle: A regex\nmessage: \"seen {count} time(s)\"\ncategory: Generated\nseverity: warning\nmatch:\n  - regex: 'ERROR\\s+E\\d+\\s+failed'\n");
        files.Add(new("generated.yaml", rules.ToString()));
        var pack = RulePack.LoadFromTexts(files);
        var lines = Enumerable.Range(0, 400).Select(_ => (random.Next(5) == 0 ? "é " : "") + random.Next(4) switch
        {
            0 => $"APP ERROR E{random.Next(1, count + 20)} failed on asyn{random.Next(8)}",
            1 => $"APP INFO k{random.Next(1, count + 20)}x and E{random.Next(1, count + 20)} done",
            2 => $"APP INFO W{random.Next(1, count + 20)}Q and w{random.Next(1, count + 20)}q",
            _ => "IP INFO Interface eth0 up",
        }).ToArray();
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("log", new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n")))] });
        var regex = new Regex(@"ERROR\s+E\d+\s+failed");
        for (var i = 0; i <= count; i++)
        {
            var id = i < count ? $"GEN{i + 1:00000}" : "GEN99999";
            var expected = i < count
                ? lines.Count(l => l.Contains(literals[i], ignoreCase[i] ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                : lines.Count(l => regex.IsMatch(l));
            var actual = report.Diagnostics.SingleOrDefault(d => d.Id == id)?.Count ?? 0;
            if (actual != expected)
            {
                throw new Xunit.Sdk.XunitException($"{id} ('{(i < count ? literals[i] : "regex")}'): {actual} hits, a naive search finds {expected}");
            }
        }

        return true;
    }

    private static bool Matches(Pattern pattern, string line) =>
        !line.AsSpan().ContainsAny('\r', '\n') && pattern.TryMatch(line, out _, out _);

    /// <summary>The line among noise lines, as bytes (UTF-8) and as chars: its line must be found.</summary>
    private static bool IsCandidate(Pattern pattern, string line)
    {
        var prefilter = Prefilter.Build([pattern]);
        if (prefilter is null)
        {
            return true; // no prefilter: every line is scanned
        }

        var text = "noise line one\n" + line + "\nnoise after\n";
        var lineNumber = 1;
        return Candidates(prefilter, Encoding.UTF8.GetBytes(text)).Contains(lineNumber)
            && Candidates(prefilter, text.AsSpan()).Contains(lineNumber)
            && pattern.MayMatch(line);
    }

    private static HashSet<int> Candidates(Prefilter prefilter, ReadOnlySpan<byte> text)
    {
        var result = new HashSet<int>();
        var finder = new CandidateLines(prefilter);
        var pos = 0;
        while (pos < text.Length && finder.Find(text, pos) is var hit and >= 0)
        {
            var lineStart = text[..hit].LastIndexOf((byte)'\n') + 1;
            result.Add(text[..lineStart].Count((byte)'\n'));
            var end = text[hit..].IndexOf((byte)'\n');
            pos = end < 0 ? text.Length : hit + end + 1;
        }

        return result;
    }

    private static HashSet<int> Candidates(Prefilter prefilter, ReadOnlySpan<char> text)
    {
        var result = new HashSet<int>();
        var finder = new CandidateLines(prefilter);
        var pos = 0;
        while (pos < text.Length && finder.Find(text, pos) is var hit and >= 0)
        {
            var lineStart = text[..hit].LastIndexOf('\n') + 1;
            result.Add(text[..lineStart].Count('\n'));
            var end = text[hit..].IndexOf('\n');
            pos = end < 0 ? text.Length : hit + end + 1;
        }

        return result;
    }

    private static readonly Lazy<string[]> SampleLines = new(() =>
        Directory.GetFiles(TestSupport.RulesDir, "*.log", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(TestSupport.Repo("docs", "samples"), "*.log"))
            .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).ToArray());

    private static readonly string[] Odd = [" ", "  ", "\t", "\u00A0", "\u3000", "\u2028", "\u212A", "\u017F", "é", "ß", "İ", "ı", ">", "-", "/", "$", "#", "*", "0", "9", "A", "f", ":", ".", ",", "k", "S"];

    /// <summary>The pattern's fragments in order with random text between them: such lines often match.</summary>
    private static string FromFragments(Random random, Pattern pattern)
    {
        var text = new StringBuilder();
        foreach (var fragment in pattern.Fragments)
        {
            text.Append(RandomRegex.Noise(random)).Append(fragment.Text);
        }

        return text.Append(RandomRegex.Noise(random)).ToString();
    }

    /// <summary>Small edits: an odd char inserted or replaced, a letter's case flipped, a prefix of spaces.</summary>
    private static string Mutate(Random random, string line)
    {
        var text = new StringBuilder(line);
        for (var n = random.Next(4); n > 0 && text.Length > 0; n--)
        {
            var at = random.Next(text.Length);
            switch (random.Next(4))
            {
                case 0:
                    text.Insert(at, Odd[random.Next(Odd.Length)]);
                    break;
                case 1:
                    text.Remove(at, 1).Insert(at, Odd[random.Next(Odd.Length)]);
                    break;
                case 2:
                    text[at] = char.IsUpper(text[at]) ? char.ToLowerInvariant(text[at]) : char.ToUpperInvariant(text[at]);
                    break;
                default:
                    text.Insert(0, new string(' ', random.Next(1, 10)));
                    break;
            }
        }

        return text.ToString();
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}

/// <summary>Random regexes from a small grammar, each with a string it matches.</summary>
internal static class RandomRegex
{
    private const string Letters = "abkKsSxE17 -";

    public static string Noise(Random random)
    {
        var text = new StringBuilder();
        for (var n = random.Next(6); n > 0; n--)
        {
            text.Append(random.Next(4) switch
            {
                0 => Letters[random.Next(Letters.Length)].ToString(),
                1 => " ",
                2 => ((char)random.Next(0x21, 0x7F)).ToString(),
                _ => new[] { "\u00A0", "\u3000", "\u212A", "\u017F", "é", "\t" }[random.Next(6)],
            });
        }

        return text.ToString();
    }

    public static (string Regex, string Sample) Generate(Random random)
    {
        var regex = new StringBuilder();
        var sample = new StringBuilder();
        if (random.Next(3) == 0)
        {
            regex.Append('^');
        }

        for (var n = random.Next(1, 8); n > 0; n--)
        {
            Atom(random, regex, sample, depth: 0);
        }

        if (random.Next(6) == 0)
        {
            regex.Append('$');
        }

        return (regex.ToString(), sample.ToString());
    }

    private static void Atom(Random random, StringBuilder regex, StringBuilder sample, int depth)
    {
        var atom = new StringBuilder();
        var one = new StringBuilder();
        var kind = random.Next(depth > 1 ? 6 : 9);
        switch (kind)
        {
            case <= 2:
                var c = Letters[random.Next(Letters.Length)];
                atom.Append(c == '-' ? "\\-" : c.ToString());
                one.Append(c);
                break;
            case 3:
                atom.Append(@"\s");
                one.Append(new[] { " ", "\t", "\u00A0", "\u3000" }[random.Next(4)]);
                break;
            case 4:
                atom.Append(@"\d");
                one.Append((char)('0' + random.Next(10)));
                break;
            case 5:
                atom.Append(random.Next(2) == 0 ? "." : "[a-cK]");
                one.Append(random.Next(2) == 0 ? "a" : "K");
                break;
            case 6:
                var escapes = new[] { (@"\x41", "A"), (@"\u0062", "b"), (@"\.", "."), (@"\$", "$"), (@"\ ", " ") };
                var (e, s) = escapes[random.Next(escapes.Length)];
                atom.Append(e);
                one.Append(s);
                break;
            default:
                // A group, possibly with alternation: its content is never a fragment, but what surrounds it is.
                atom.Append(random.Next(2) == 0 ? "(?:" : "(?<g>");
                var branches = random.Next(1, 3);
                var chosen = random.Next(branches);
                for (var b = 0; b < branches; b++)
                {
                    if (b > 0)
                    {
                        atom.Append('|');
                    }

                    var branchSample = new StringBuilder();
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        Atom(random, atom, branchSample, depth + 1);
                    }

                    if (b == chosen)
                    {
                        one.Append(branchSample);
                    }
                }

                atom.Append(')');
                break;
        }

        regex.Append(atom);
        var (quantifier, times) = random.Next(8) switch
        {
            0 => ("?", random.Next(2)),
            1 => ("*", random.Next(3)),
            2 => ("+", random.Next(1, 3)),
            3 => ("{2}", 2),
            4 => ("{0,3}", random.Next(4)),
            5 => ("{1,2}?", 1),
            _ => ("", 1),
        };
        regex.Append(quantifier);
        for (var t = 0; t < times; t++)
        {
            sample.Append(one);
        }
    }
}
