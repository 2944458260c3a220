using CodeRed.Rules.Matching;
using FsCheck;
using FsCheck.Xunit;

namespace CodeRed.Rules.Tests;

/// <summary>
/// <see cref="Pattern.TryFind"/> (no Match object, used where nothing is captured) gives exactly what
/// <see cref="Pattern.TryMatch"/> gives: whether, at which column, how long.
/// </summary>
public class PatternFindTests
{
    private static readonly Pattern[] Patterns = AllPatterns(TestSupport.Pack).Concat(AllPatterns(WebServerPackTests.WebPack)).ToArray();

    private static IEnumerable<Pattern> AllPatterns(RulePack pack) =>
        pack.CompiledRules.SelectMany(r => r.Section is { } s ? [s.Start, s.Row, s.Count] : r.Patterns)
            .Concat(pack.Records.Select(r => r.Start))
            .Concat(pack.Facts.Select(f => f.Pattern))
            .Concat(pack.CommandEcho is { } echo ? echo.Prompts.Append(echo.Confirmation).OfType<Pattern>() : [])
            .Concat(pack.ColumnSets.SelectMany(c => new[] { c.Header, c.Comment }).OfType<Pattern>());

    private static void Same(Pattern pattern, string line)
    {
        var matched = pattern.TryMatch(line, out var column, out var match);
        var found = pattern.TryFind(line, out var foundColumn, out var length);
        Assert.Equal(matched, found);
        if (matched)
        {
            Assert.Equal(column, foundColumn);
            Assert.Equal(match?.Length ?? pattern.Literal!.Length, length);
        }
    }

    [Fact]
    public void Every_sample_line_gives_the_same_answer_for_every_pattern_of_both_packs()
    {
        var files = Directory.GetFiles(TestSupport.RulesDir, "*.log", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(TestSupport.Repo("docs", "samples"), "*.log"));
        var lines = files.SelectMany(File.ReadLines).Distinct().ToArray();
        Assert.True(lines.Length > 500, $"{lines.Length} sample lines");
        foreach (var pattern in Patterns)
        {
            foreach (var line in lines)
            {
                Same(pattern, line);
            }
        }
    }

    /// <summary>Sample lines cut, joined and repeated past the match window (the long-line path).</summary>
    [Property(MaxTest = 300)]
    public void Mangled_sample_lines_give_the_same_answer(NonNegativeInt pick, NonNegativeInt cut, PositiveInt repeat, NonNegativeInt which)
    {
        var files = Directory.GetFiles(TestSupport.Repo("docs", "samples"), "*.log");
        var lines = files.SelectMany(File.ReadLines).Where(l => l.Length > 0).ToArray();
        var line = lines[pick.Get % lines.Length];
        var other = lines[(pick.Get + cut.Get) % lines.Length];
        var text = line[..(cut.Get % line.Length)] + other + string.Concat(Enumerable.Repeat(line, repeat.Get % 200));
        Same(Patterns[which.Get % Patterns.Length], text);
    }
}
