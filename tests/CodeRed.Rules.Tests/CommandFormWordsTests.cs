using System.Text.RegularExpressions;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>The words check before a command form's regex (so that a command that cannot match builds no regex) never refuses a match.</summary>
public sealed class CommandFormWordsTests
{
    private static IEnumerable<string> Variants(string template)
    {
        var typed = Regex.Replace(template, @"\{[^{}]*\}", "x1");
        yield return typed;
        yield return typed.ToUpperInvariant();
        yield return typed.ToLowerInvariant();
        yield return "  " + Regex.Replace(typed, @"\s+", "   \t") + "  ";
        yield return typed.Replace('k', '\u212A').Replace('K', '\u212A'); // the Kelvin sign, which an ignore-case regex folds to k
        var words = typed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            yield return string.Join(' ', words.Where((_, j) => j != i)); // one word left out
            yield return string.Join(' ', words.Select((w, j) => j == i ? w[..^1] : w)); // one word cut short
        }
    }

    [Fact]
    public void Every_command_the_regex_matches_passes_the_words_check()
    {
        var forms = Pack.Remediation.SelectMany(s => s.DoneBy.Concat(s.UndoneBy)).ToArray();
        Assert.NotEmpty(forms);
        var matched = 0;
        var refused = 0;
        foreach (var form in forms)
        {
            foreach (var command in Variants(form.Template))
            {
                var matches = form.Regex.IsMatch(command);
                matched += matches ? 1 : 0;
                refused += form.MayMatch(command) ? 0 : 1;
                Assert.True(!matches || form.MayMatch(command), $"'{command}' matches {form.Pattern} but fails the words check");
            }
        }

        Assert.True(matched > forms.Length, "the variants include matching commands");
        Assert.True(refused > 0, "the check refuses some commands");
    }
}
