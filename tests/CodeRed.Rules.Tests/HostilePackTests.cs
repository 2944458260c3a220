using System.Diagnostics;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using YamlDotNet.Core;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Timing-sensitive hostile-input tests run alone, after the parallel ones, so a busy machine does not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection
{
    public const string Name = "Hostile input";
}

/// <summary>
/// Hostile rule packs (GitHub issue 6). Every one is refused within 2 seconds, by the API with one
/// <see cref="RulePackException"/> naming file, line and column, and by <c>codered rules validate</c> and
/// <c>codered analyze --rules</c> with exit code 2, the same place on stderr and nothing on stdout: nothing is half-loaded.
/// </summary>
[Collection(HostileCollection.Name)]
public class HostilePackTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    private static string RuleWith(string regex) => MinimalRule.Replace("- literal: hello", $"- regex: '{regex}'");

    /// <summary>
    /// Writes the default pack's manifest and model matrix (or the whole default pack) plus one hostile file, and
    /// refuses it three ways: API, validate, analyze --rules. A hostile file named like a default one replaces it.
    /// </summary>
    private static RulePackException Refused(string file, string text, bool wholeDefaultPack = false)
    {
        using var dir = new TempDir();
        if (wholeDefaultPack)
        {
            dir.WithDefaultRules();
        }
        else
        {
            dir.Write("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml")));
            dir.Write("models.yaml", File.ReadAllText(Path.Combine(RulesDir, "models.yaml")));
        }

        dir.Write(file, text);
        return RefusedAt(dir.Path);
    }

    private static RulePackException RefusedAt(string path)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(path));
        Assert.True(clock.Elapsed < Limit, $"the API took {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.NotEmpty(e.Problems);
        Assert.StartsWith("The rule pack is invalid (", e.Message);

        foreach (var args in new[] { new[] { "rules", "validate", path }, ["analyze", "--rules", path, "--format", "json", "-"] })
        {
            clock.Restart();
            var cli = RunCli(args, Encoding.UTF8.GetBytes("HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n"));
            Assert.True(clock.Elapsed < Limit, $"'codered {args[0]}' took {clock.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal(2, cli.ExitCode);
            Assert.Equal("", cli.Stdout); // no report, no "valid:" line: nothing loaded
            Assert.StartsWith("codered: the rule pack is invalid:", cli.Stderr);
            foreach (var problem in e.Problems.Where(p => p.Severity == ProblemSeverity.Error))
            {
                Assert.Contains(problem.ToString(), cli.Stderr);
            }

            Assert.DoesNotContain("   at ", cli.Stderr); // never a stack trace
        }

        return e;
    }

    private static PackProblem Error(RulePackException e, string fragment)
    {
        var matches = e.Problems.Where(p => p.Severity == ProblemSeverity.Error && p.Message.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"expected one error with '{fragment}', found {matches.Count} in:\n{string.Join("\n", e.Problems)}");
        return matches[0];
    }

    private static void At(PackProblem p, string file, int line, int column) =>
        Assert.Equal((file, line, column), (p.File, p.Line, p.Column));

    // ---- YAML --------------------------------------------------------------------------------------------------

    [Fact]
    public void Yaml_syntax_error_is_refused_with_its_place()
    {
        var p = Error(Refused("CR9001.yaml", "kind: rule\nid: CR9001\ntitle: \"unterminated\n"), "YAML syntax error");
        Assert.Equal("CR9001.yaml", p.File);
        Assert.True(p.Line >= 3, p.ToString());
    }

    [Fact]
    public void Unclosed_flow_list_is_refused_with_its_place()
    {
        var p = Error(Refused("CR9001.yaml", "kind: rule\nid: [CR9001\ntitle: x\n"), "YAML syntax error");
        Assert.True(p.Line >= 2, p.ToString());
    }

    [Theory]
    [InlineData("kind: rule\nid: CR9001\n\ttitle: x\n", 3, 1)] // the parser's own error would point at line 2
    [InlineData("kind: rule\nmessage:\n\ten: x\n", 3, 1)] // the parser's own error would point at line 1
    [InlineData("kind: rule\nmessage:\n  en: x\n  \tja: y\n", 4, 3)]
    [InlineData("\tkind: rule\n", 1, 1)] // the parser accepts this one; the loader does not
    public void Tabs_in_indentation_are_refused_at_the_tab(string yaml, int line, int column)
    {
        var p = Error(Refused("CR9001.yaml", yaml), "a tab is used for indentation");
        At(p, "CR9001.yaml", line, column);
    }

    [Fact]
    public void Tabs_inside_block_text_and_between_key_and_value_are_text_not_indentation()
    {
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
            // Prose (a description) may hold line breaks and tabs; a message may not (PackTextSafetyTests).
            new("CR9001.yaml", MinimalRule.Replace("message: Test message", "message: Test message\ndescription: |\n  first\n  \tsecond").Replace("category: LogSignature", "category:\tLogSignature")),
        ]);
        Assert.Equal("first\n\tsecond", pack.FindRule("CR9001")!.Description.English.TrimEnd('\n'));
        Assert.Equal("LogSignature", pack.FindRule("CR9001")!.Category);
    }

    [Fact]
    public void Billion_laughs_alias_bomb_is_refused_at_the_first_anchor()
    {
        var bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            var previous = (char)(c - 1);
            bomb.Append($"{c}: &{c} [{string.Join(",", Enumerable.Repeat("*" + previous, 9))}]\n");
        }

        var e = Refused("bomb.yaml", bomb.ToString());
        At(Error(e, "YAML anchors (&a) are not allowed"), "bomb.yaml", 1, 4);
    }

    [Fact]
    public void An_alias_without_an_anchor_is_refused()
    {
        var e = Refused("alias.yaml", "kind: rule\nid: *x\n");
        Assert.Contains(e.Problems, p => p.File == "alias.yaml" && p.Line == 2);
    }

    public static TheoryData<string, string> DeepNesting => new()
    {
        { "flow lists", new string('[', 100_000) },
        { "flow lists, closed", new string('[', 100_000) + new string(']', 100_000) },
        { "flow mappings", new string('{', 100_000) },
        { "block lists", string.Concat(Enumerable.Repeat("- ", 100_000)) + "x" },
        { "block mappings", string.Concat(Enumerable.Range(0, 1200).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 1200) + "b" },
        { "flow keys", string.Concat(Enumerable.Repeat("? ", 100_000)) + "x" },
    };

    [Theory]
    [MemberData(nameof(DeepNesting))]
    public void Nesting_thousands_deep_is_refused_at_level_33(string shape, string yaml)
    {
        var p = Error(Refused("deep.yaml", yaml), "nesting is deeper than 32 levels");
        Assert.Equal("deep.yaml", p.File);
        Assert.True(p.Line >= 1 && p.Column >= 1, shape + ": " + p);
    }

    [Fact]
    public void YamlDotNet_itself_parses_100000_brackets_without_recursion()
    {
        // The loader stops at depth 33, so the parser never sees the rest; this checks the parser would survive it
        // anyway: it keeps its state on the heap, so even a 256 KiB stack is enough. (It is slow on such input, which
        // is one more reason the loader stops early: only its first 10,000 brackets are fed here.)
        var text = new string('[', 10_000) + new string(']', 10_000);
        long events = 0;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                var parser = new Parser(new StringReader(text));
                while (parser.MoveNext())
                {
                    events++;
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(error);
        Assert.Equal(20_004, events); // stream, document, 10,000 starts and ends
    }

    // ---- Size ---------------------------------------------------------------------------------------------------

    [Fact]
    public void A_100_MB_file_is_refused_by_its_length_without_being_read()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        var huge = Path.Combine(dir.Path, "huge.yaml");
        using (var stream = File.Create(huge))
        {
            stream.SetLength(100L * 1024 * 1024); // sparse: no 100 MB is written, and none is read
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        // Not read: what the load allocates says so (a time limit here only measured how loaded the machine was).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * 1024 * 1024, "the file was read into memory");
        At(Error(e, "the file is larger than 2 MiB"), "huge.yaml", 1, 1);

        // The file alone too, through the API and both commands.
        At(Error(RefusedAt(huge), "the file is larger than 2 MiB"), "huge.yaml", 1, 1);
    }

    [Fact]
    public void A_100_MB_stream_is_refused_after_reading_about_2_MiB()
    {
        var stream = new CountingStream(100L * 1024 * 1024);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFromStream(stream, "stdin"));
        Assert.True(clock.Elapsed < Limit);
        Assert.InRange(stream.BytesRead, 2 * 1024 * 1024, 3 * 1024 * 1024);
        At(Error(e, "larger than 2 MiB"), "stdin", 1, 1);
    }

    [Fact]
    public void A_seekable_stream_too_long_for_any_encoding_is_refused_by_its_length()
    {
        var stream = new CountingStream(100L * 1024 * 1024, seekable: true);
        Assert.Throws<RulePackException>(() => RulePack.LoadFromStream(stream));
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public void A_device_that_never_ends_is_refused_after_2_MiB()
    {
        if (!File.Exists("/dev/zero"))
        {
            return; // not Linux
        }

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom("/dev/zero"));
        Assert.True(clock.Elapsed < Limit);
        Error(e, "larger than 2 MiB");
    }

    [Fact]
    public void Rule_files_adding_up_to_more_than_16_MiB_are_refused_before_any_is_read()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        for (var i = 0; i < 9; i++)
        {
            using var stream = File.Create(Path.Combine(dir.Path, $"big{i}.yaml"));
            stream.SetLength(2 * 1024 * 1024);
        }

        var e = RefusedAt(dir.Path);
        Assert.Contains("more than 16 MiB", Assert.Single(e.Problems).Message);
    }

    // ---- Keys, types and values ---------------------------------------------------------------------------------

    [Fact]
    public void Unknown_keys_are_refused_each_with_its_place()
    {
        var e = Refused("CR9001.yaml", MinimalRule + "\ntitel: typo\nSeverity: error\n");
        At(Error(e, "unknown key 'titel' in a rule (known keys: category,"), "CR9001.yaml", 9, 1);
        At(Error(e, "unknown key 'Severity'"), "CR9001.yaml", 10, 1);
    }

    [Theory]
    [InlineData("severity: warning", "severity: [warning]", "'severity' must be text, not a list", 6, 11)]
    [InlineData("severity: warning", "severity: { level: warning }", "'severity' must be text, not a mapping", 6, 11)]
    [InlineData("severity: warning", "severity: fatal", "'severity' must be one of error, warning, info, hidden, not 'fatal'", 6, 11)]
    [InlineData("category: LogSignature", "category: LogSignature\nenabled: yes", "'enabled' must be true or false", 6, 10)]
    [InlineData("category: LogSignature", "category: LogSignature\nversion: two", "'version' must be a whole number", 6, 10)]
    [InlineData("category: LogSignature", "category: LogSignature\nversion: \"2\"", "'version' must be a whole number", 6, 10)]
    [InlineData("match:\n  - literal: hello", "match: hello", "'match' must be a list, not a scalar", 7, 8)]
    [InlineData("  - literal: hello", "  - hello", "a pattern must be a mapping, not a scalar", 8, 5)]
    [InlineData("  - literal: hello", "  - { literal: hello, regex: hello }", "exactly one of 'regex' or 'literal'", 8, 5)]
    [InlineData("title: Test rule", "title: [a, b]", "'title' must be text or a mapping of language to text, not a list", 3, 8)]
    public void Wrong_types_are_refused_with_their_place(string from, string to, string message, int line, int column)
    {
        var e = Refused("CR9001.yaml", MinimalRule.Replace(from, to));
        At(Error(e, message), "CR9001.yaml", line, column);
    }

    [Fact]
    public void A_document_that_is_a_list_or_a_scalar_is_refused()
    {
        var e = Refused("odd.yaml", "- kind: rule\n---\njust text\n");
        At(Error(e, "must be a mapping, not a list"), "odd.yaml", 1, 1);
        At(Error(e, "must be a mapping, not a scalar"), "odd.yaml", 3, 1);
    }

    /// <summary>A key given twice is refused where it is given again, in a rule's few keys and in a mapping of many
    /// (which the reader checks with a set, not one by one).</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(40)]
    public void A_key_given_twice_is_refused_at_its_second_place(int otherKeys)
    {
        var extra = string.Concat(Enumerable.Range(0, otherKeys).Select(i => $"x-note-{i}: {i}\n"));
        var e = Refused("CR9001.yaml", extra + MinimalRule + "\ntitle: again\n");
        var line = otherKeys + MinimalRule.Split('\n').Length + 1;
        At(Error(e, "duplicate key 'title'"), "CR9001.yaml", line, 1);
    }

    [Fact]
    public void Duplicate_ids_are_refused_in_one_file_across_files_and_ignoring_case()
    {
        var e = Refused("dup.yaml", MinimalRule + "\n---\n" + MinimalRule + "\n---\n" + MinimalRule.Replace("CR9001", "cr2001"), wholeDefaultPack: true);
        var same = Assert.Single(e.Problems, p => p.Message.StartsWith("duplicate rule id 'CR9001'", StringComparison.Ordinal));
        At(same, "dup.yaml", 11, 5);
        Assert.Contains("first defined at dup.yaml(2,5)", same.Message);
        var other = Error(e, "duplicate rule id 'cr2001'");
        Assert.Contains("CR2001/CR2001.yaml(", other.Message);
    }

    [Theory]
    [InlineData("id: ''", "'id' must not be empty")]
    [InlineData("id:", "a rule is missing the required key 'id'")]
    [InlineData("id: CR12345678901234567", "must be a letter followed by 1 to 15 letters or digits")]
    [InlineData("id: 9001", "must be a letter followed by 1 to 15 letters or digits")]
    [InlineData("id: CR-9001", "must be a letter followed by 1 to 15 letters or digits")]
    [InlineData("id: C", "must be a letter followed by 1 to 15 letters or digits")]
    public void Empty_missing_and_malformed_ids_are_refused(string id, string message)
    {
        var e = Refused("CR9001.yaml", MinimalRule.Replace("id: CR9001", id));
        Assert.Equal("CR9001.yaml", Error(e, message).File);
    }

    [Fact]
    public void An_id_of_a_megabyte_is_refused_with_a_short_message()
    {
        var e = Refused("CR9001.yaml", MinimalRule.Replace("id: CR9001", "id: C" + new string('R', 1_000_000)));
        var p = Error(e, "must be a letter followed by 1 to 15");
        Assert.True(p.Message.Length < 200, $"{p.Message.Length} characters");
        At(p, "CR9001.yaml", 2, 5);
    }

    [Fact]
    public void Text_quoted_in_problems_is_cut_and_keeps_to_one_line()
    {
        var key = "bad\nkey" + new string('k', 1000); // YAML keys written without '?' stop at 1024 characters
        var e = Refused("CR9001.yaml", MinimalRule + $"\n\"{key.Replace("\n", "\\n")}\": 1\n");
        var p = Error(e, "unknown key 'bad\\nkey");
        Assert.DoesNotContain('\n', p.Message);
        Assert.True(p.Message.Length < 400); // the quoted key is cut; the list of known keys grows with the format
    }

    [Fact]
    public void Names_with_line_breaks_are_quoted_on_one_line()
    {
        // Found by afl-fuzz (corpus/pack/crash-placeholder-with-line-break.yaml): a placeholder "{fixed\n}" was quoted
        // as it was, so the problem spanned two lines of the CLI's output. Now every problem message is one line.
        var e = Refused("CR9001.yaml", MinimalRule.Replace("message: Test message", "message: \"in {fixed\\n}\"") +
            "\nstatus: deprecated\nreplacedBy: \"CR\\r9\"\n");
        At(Error(e, "uses '{fixed\\n}'"), "CR9001.yaml", 4, 10);
        Error(e, "is replaced by 'CR\\r9'");
        Assert.All(e.Problems, p => Assert.DoesNotContain('\n', p.ToString()));
        Assert.Equal("a\\nb\\u0007", new PackProblem("f", 1, 1, ProblemSeverity.Error, "a\nb\u0007").Message);
    }

    [Theory]
    [InlineData("message: 'from {peer}'", "'{peer}'")]
    [InlineData("message: { en: fine, ja: '{kind} です' }", "'{kind}'")]
    [InlineData("message: '{ count }'", "'{ count }'")]
    public void Message_placeholders_with_nothing_behind_them_are_refused(string message, string named)
    {
        var p = Error(Refused("CR9001.yaml", MinimalRule.Replace("message: Test message", message)), named);
        At(p, "CR9001.yaml", 4, 10);
    }

    private const string SectionRule = """
        kind: rule
        id: CR9002
        title: Table
        message: "{rows} rows"
        category: LogSignature
        severity: warning
        parameters: { threshold: 100 }
        section:
          start: { literal: 'Connection Table:' }
          row: { regex: '^\d+\s' }
          count: { regex: 'established' }
        """;

    [Theory]
    [InlineData("-5", "'threshold' must be between 0 and 1000000, not -5")]
    [InlineData("1000001", "'threshold' must be between 0 and 1000000, not 1000001")]
    [InlineData("99999999999999999999", "'threshold' must be between 0 and 1000000, not 99999999999999999999")] // was "must be a whole number"
    [InlineData("-99999999999999999999", "'threshold' must be between 0 and 1000000, not -99999999999999999999")]
    [InlineData("0", "the threshold of rule CR9002 must be at least 1")]
    [InlineData("1e9", "'threshold' must be a whole number")]
    [InlineData("1.5", "'threshold' must be a whole number")]
    [InlineData("'100'", "'threshold' must be a whole number")]
    public void Negative_zero_and_absurd_thresholds_are_refused(string threshold, string message)
    {
        var e = Refused("CR9002.yaml", SectionRule.Replace("threshold: 100", "threshold: " + threshold));
        Assert.Equal(7, Error(e, message).Line);
    }

    [Theory]
    [InlineData("'maxHeaderLines' must be between 0 and 50, not 51", "maxHeaderLines: 51")]
    [InlineData("'maxHeaderLines' must be between 0 and 50, not -1", "maxHeaderLines: -1")]
    public void Other_numbers_out_of_range_are_refused(string message, string line)
    {
        var e = Refused("CR9002.yaml", SectionRule + "\n  " + line + "\n");
        Assert.Equal(12, Error(e, message).Line);
    }

    [Fact]
    public void Unknown_models_are_refused_each_with_its_place()
    {
        var e = Refused("CR9001.yaml", MinimalRule + "\nmodels: [AR320, AR999, 'AR 300 V3', [AR720]]\n");
        At(Error(e, "unknown model 'AR999'"), "CR9001.yaml", 9, 17);
        At(Error(e, "unknown model 'AR 300 V3'"), "CR9001.yaml", 9, 24);
        At(Error(e, "items of 'models' must be model names"), "CR9001.yaml", 9, 37);
    }

    [Theory]
    [InlineData("version: 1.0.0", "version: 1.0", "pack version '1.0' must be a semantic version")]
    [InlineData("version: 1.0.0", "version: v1.0.0", "pack version 'v1.0.0' must be a semantic version")]
    [InlineData("version: 1.0.0", "version: 1.0.0+build.5", "must be a semantic version")]
    [InlineData("version: 1.0.0", "version: 1.0.0-", "must be a semantic version")]
    [InlineData("version: 1.0.0", "version: 1234567890.0.0", "must be a semantic version")]
    [InlineData("schemaVersion: 1", "schemaVersion: 2", "schema version 2 is newer than this engine understands (1)")]
    [InlineData("schemaVersion: 1", "schemaVersion: 1.0", "'schemaVersion' must be a whole number")]
    [InlineData("firstEdition: 2001-08-09", "firstEdition: 2001-02-30", "'firstEdition' must be a date written yyyy-MM-dd, not '2001-02-30'")]
    [InlineData("revised: 2002-05-01", "revised: 2000-01-01", "the revision date is before the first edition")]
    public void Bad_version_strings_and_dates_in_the_manifest_are_refused(string from, string to, string message)
    {
        var manifest = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        Assert.Contains(from, manifest);
        var e = Refused("pack.yaml", manifest.Replace(from, to));
        Assert.Equal("pack.yaml", Error(e, message).File);
    }

    [Theory]
    [InlineData("fixedIn: 2.0.7 PL 4 }", "fixedIn: soon }", "'soon' is not a firmware version")]
    [InlineData("fixedIn: 2.0.7 PL 4 }", "fixedIn: 2.0.7.1.2.3.4 }", "more than 6 version components")]
    [InlineData("fixedIn: 2.0.7 PL 4 }", "fixedIn: 99999999999.0 }", "is not a firmware version")]
    [InlineData("fixedIn: 2.0.7 PL 4 }", "fixedIn: '' }", "'fixedIn' must not be empty")]
    public void Bad_firmware_versions_in_the_matrix_are_refused(string from, string to, string message)
    {
        var models = File.ReadAllText(Path.Combine(RulesDir, "models.yaml"));
        var e = Refused("models.yaml", models.Replace(from, to), wholeDefaultPack: true);
        Assert.All(e.Problems.Where(p => p.Severity == ProblemSeverity.Error), p => Assert.Equal("models.yaml", p.File));
        Assert.Contains(e.Problems, p => p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_version_that_is_not_a_whole_number_is_refused()
    {
        var e = Refused("CR9001.yaml", MinimalRule + "\nversion: 1.2.3\n");
        At(Error(e, "'version' must be a whole number"), "CR9001.yaml", 9, 10);
    }

    // ---- Regexes ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Prot=(\\d+", "does not compile")]
    [InlineData("[z-a]", "does not compile")]
    [InlineData("a{2,1}", "does not compile")]
    [InlineData("*abc", "does not compile")]
    [InlineData("\\p{NoSuchCategory}", "does not compile")]
    [InlineData("(?<1a>x)", "does not compile")]
    public void Regexes_that_do_not_compile_are_refused(string regex, string message)
    {
        var e = Refused("CR9001.yaml", RuleWith(regex));
        At(Error(e, message), "CR9001.yaml", 8, 12);
    }

    [Theory]
    [InlineData("(?<a>a+)+\\k<a>")]
    [InlineData("(?<a>a)\\1")]
    [InlineData("(?=abc)abc")]
    [InlineData("abc(?!d)")]
    [InlineData("(?<=x)abc")]
    [InlineData("(?<!x)abc")]
    [InlineData("(?>a+)abc")]
    [InlineData("(?(abc)abc|xyz)")]
    public void Constructs_that_need_backtracking_are_refused(string regex)
    {
        var e = Refused("CR9001.yaml", RuleWith(regex));
        At(Error(e, "not allowed (backreferences, lookarounds, atomic groups, conditionals, balancing groups, \\G)"), "CR9001.yaml", 8, 12);
    }

    [Theory]
    [InlineData("(a{1,1000}){1,1000}", "about 1000000 automaton nodes, more than 500")]
    [InlineData("((a{1,30}){1,30}){1,30}", "about 27000 automaton nodes")]
    [InlineData("(a|aa){1,300}c", "about 901 automaton nodes")]
    [InlineData("[ab]*a[ab]{500}c", "about 503 automaton nodes")]
    [InlineData("a{1,5000}", "repeats something 5000 times ('{1,5000}'); counts are limited to 1000")]
    [InlineData("x{2147483648}", "repeats something 1000000000 times")]
    [InlineData("(?:abc){99999,}", "repeats something 99999 times ('{99999,}')")]
    public void Counted_repetitions_that_would_blow_up_the_automaton_are_refused(string regex, string message)
    {
        var clock = Stopwatch.StartNew();
        var e = Refused("CR9001.yaml", RuleWith(regex));
        var p = Error(e, message);
        At(p, "CR9001.yaml", 8, 12);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6));
    }

    [Theory]
    [InlineData("(a|aa){1,100}c", 301)]
    [InlineData("x.{1,250}y", 252)]
    public void Large_but_bounded_repetitions_load_with_a_warning(string regex, int size)
    {
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
            new("CR9001.yaml", RuleWith(regex)),
        ]);
        var warning = Assert.Single(pack.Warnings, w => w.Message.Contains("automaton nodes", StringComparison.Ordinal));
        Assert.Contains($"about {size} automaton nodes", warning.Message);
        Assert.Equal(("CR9001.yaml", 8, 12), (warning.File, warning.Line, warning.Column));
    }

    [Theory]
    [InlineData("\\d{1,9}(?:\\.\\d{1,9}){1,5}-\\d{1,9}abc")]
    [InlineData("[{]{1,5}abc")]
    [InlineData("abc(?#x{9999})")]
    [InlineData("abc\\{99999\\}")]
    [InlineData("abc{99999")]
    [InlineData("[a{99999}]abc")]
    public void Braces_that_are_not_large_counts_load_without_a_warning(string regex)
    {
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
            new("CR9001.yaml", RuleWith(regex)),
        ]);
        Assert.DoesNotContain(pack.Warnings, w => w.Message.Contains("automaton", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_regex_of_the_default_pack_is_far_below_the_repetition_limits()
    {
        Assert.Empty(Pack.Warnings);
        var sources = Pack.CompiledRules.SelectMany(r => r.Section is { } s ? [s.Start, s.Row, s.Count] : r.Patterns)
            .Concat(Pack.Records.Select(r => r.Start)).Concat(Pack.Facts.Select(f => f.Pattern))
            .Where(p => p.Regex is not null).Select(p => p.Source).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.InRange(RegexLimits.Measure(s).UnrolledSize, 1, 150));
    }

    [Theory]
    [InlineData("(a+)+$")]
    [InlineData("(a|a)*b")]
    [InlineData("(x+x+)+y")]
    [InlineData("(a|aa)+c")]
    [InlineData("(.*a){20}x")]
    public void Regexes_that_backtrack_catastrophically_elsewhere_run_in_linear_time(string regex)
    {
        // Classic ReDoS patterns: accepted, because NonBacktracking matches them in time linear in the line.
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
            new("CR9001.yaml", RuleWith(regex)),
        ]);
        var line = new string('a', 200_000) + "!";
        var clock = Stopwatch.StartNew();
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("redos", string.Join('\n', Enumerable.Repeat(line, 5)))] });
        Assert.True(clock.Elapsed < Limit, $"{clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(5, report.SourcesRead[0].Lines);
    }

    [Theory]
    [InlineData("literal: \"a\\nb\"")]
    [InlineData("literal: \"HTTP ERROR\\r\"")]
    public void A_literal_with_a_line_break_is_refused_since_it_could_never_match(string pattern)
    {
        var e = Refused("CR9001.yaml", MinimalRule.Replace("literal: hello", pattern));
        At(Error(e, "must not contain a line break"), "CR9001.yaml", 8, 14);
    }

    [Fact]
    public void A_regex_with_a_raw_line_break_never_becomes_a_prefilter_literal()
    {
        // Before: the required-literal extractor kept the raw LF, so the prefilter jumped to it and the scanner
        // counted the CR of a CRLF and the LF as two line breaks (4 lines reported for 3).
        var pack = RulePack.LoadFromTexts([
            new("pack.yaml", File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"))),
            new("CR9001.yaml", MinimalRule.Replace("- literal: hello", "- regex: \"\\ndefine\"")),
        ]);
        var pattern = Assert.Single(pack.CompiledRules.Single(r => r.Descriptor.Id == "CR9001").Patterns);
        Assert.True(pattern.RequiredLiteral is null || !pattern.RequiredLiteral.AsSpan().ContainsAny('\r', '\n'));
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("crlf", "one abc\r\ndefine two\r\nthree\r\n")] });
        Assert.Equal(3, report.SourcesRead[0].Lines);
        Assert.Empty(report.Diagnostics);
    }

    // ---- All at once ------------------------------------------------------------------------------------------

    [Fact]
    public void Every_problem_of_every_file_is_listed_in_one_exception()
    {
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001.yaml", """
            kind: rule
            id: CR9001
            title: Test rule
            message: "from {peer}"
            category: LogSignature
            severity: fatal
            models: [AR999]
            parameters: { threshold: -1 }
            colour: red
            match:
              - regex: '(?<a>a)\k<a>'
              - regex: 'a{1,5000}'
              - regex: '(unclosed'
            """);
        dir.Write("CR9002.yaml", MinimalRule.Replace("CR9001", "CR2001"));
        dir.Write("CR9003.yaml", "kind: rule\nid: [x\n");
        var e = RefusedAt(dir.Path);
        var expected = new (string File, int Line, string Fragment)[]
        {
            ("CR9001.yaml", 6, "'severity' must be one of"),
            ("CR9001.yaml", 7, "unknown model 'AR999'"),
            ("CR9001.yaml", 8, "'threshold' must be between 0 and 1000000, not -1"),
            ("CR9001.yaml", 8, "parameter 'threshold' is not used by the engine here"),
            ("CR9001.yaml", 9, "unknown key 'colour'"),
            ("CR9001.yaml", 11, "not allowed"),
            ("CR9001.yaml", 12, "repeats something 5000 times"),
            ("CR9001.yaml", 13, "does not compile"),
            ("CR9002.yaml", 2, "duplicate rule id 'CR2001'"),
            ("CR9003.yaml", 3, "YAML syntax error"), // the end of the file, where ']' was expected
        };
        foreach (var (file, line, fragment) in expected)
        {
            Assert.True(e.Problems.Any(p => p.File == file && p.Line == line && p.Column >= 1 && p.Message.Contains(fragment, StringComparison.Ordinal)),
                $"no {file}({line}): {fragment} in:\n{string.Join("\n", e.Problems)}");
        }

        Assert.Contains("(10 error(s))", e.Message.Split('\n')[0]);
    }

    /// <summary>A read-only stream of <paramref name="length"/> bytes of YAML-ish text, counting what is read.</summary>
    private sealed class CountingStream(long length, bool seekable = false) : Stream
    {
        private static readonly byte[] Line = Encoding.ASCII.GetBytes("key: value value value value value value value\n");
        private long _position;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => seekable;
        public override bool CanWrite => false;
        public override long Length => seekable ? length : throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = Line[(_position + i) % Line.Length];
            }

            _position += n;
            BytesRead += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
