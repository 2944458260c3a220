using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Control and bidirectional-formatting characters in the texts a pack shows are load errors with file, line and
/// column (issue 14 item 4): <c>rules validate</c>, <c>rules list</c> and <c>rules docs</c> never print a forged line.
/// </summary>
public class PackTextSafetyTests
{
    private static TempDir PackWith(string file, string text)
    {
        var dir = new TempDir().WithDefaultRules();
        dir.Write(file, text);
        return dir;
    }

    private static string Rule(string extra) => "kind: rule\nid: CR9001\ncategory: LogSignature\nseverity: warning\nmatch: [{ literal: hello }]\n" + extra;

    [Theory]
    [InlineData("title: \"Looks fine\\e[2K\\e[1GCR2001 is clean\"\nmessage: m\n", "CR9001.yaml(6,8): error: 'title' contains U+001B (escape) at character 11")]
    [InlineData("title: t\nmessage: { en: m, ja: \"\\u202Eabc\" }\n", "CR9001.yaml(7,23): error: the ja text of 'message' contains U+202E (a bidirectional embedding or override) at character 1")]
    [InlineData("title: t\nmessage: m\ndescription: \"ring \\a\"\n", "error: 'description' contains U+0007 (a control character) at character 6")]
    [InlineData("title: \"tab\\there\"\nmessage: m\n", "error: 'title' contains U+0009 (tab) at character 4")]
    [InlineData("title: t\nmessage: \"one\\ntwo\"\n", "error: 'message' contains U+000A (line feed) at character 4")]
    [InlineData("title: \"\\u2066isolate\"\nmessage: m\n", "U+2066 (a bidirectional isolate)")]
    [InlineData("title: \"\\u200Fmark\"\nmessage: m\n", "U+200F (right-to-left mark)")]
    [InlineData("title: \"c1 \\x9b\"\nmessage: m\n", "U+009B (a control character)")]
    [InlineData("title: \"del \\x7f\"\nmessage: m\n", "U+007F (delete)")]
    public void A_rule_text_with_a_control_or_bidi_character_does_not_load(string texts, string expected)
    {
        using var dir = PackWith("CR9001.yaml", Rule(texts));
        var r = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Contains("must not contain control or bidirectional-formatting characters", r.Stderr);

        var list = RunCli(["rules", "list", "--rules", dir.Path]);
        Assert.Equal(2, list.ExitCode);
        Assert.DoesNotContain('\u001b', list.Stdout + list.Stderr);
    }

    [Fact]
    public void Prose_may_hold_line_breaks_and_tabs_but_no_other_control()
    {
        using var ok = PackWith("CR9001.yaml", Rule("title: t\nmessage: m\ndescription: |\n  First line.\n  Second\tline.\n"));
        Assert.Equal(0, RunCli(["rules", "validate", ok.Path]).ExitCode);
    }

    [Theory]
    [InlineData("  - { id: x, command: \"create config=\\e[2K\", text: t, when: { minSeverity: warning } }\n", "'command' contains U+001B (escape)")]
    [InlineData("  - { id: x, text: { en: t, ja: \"\\u202E\" }, when: { minSeverity: warning } }\n", "the ja text of 'text' contains U+202E")]
    [InlineData("  - { id: x, text: t, detail: \"d\\r\", when: { minSeverity: warning } }\n", "'detail' contains U+000D (carriage return)")]
    public void Remediation_texts_are_checked_too(string step, string expected)
    {
        var remediation = File.ReadAllText(Path.Combine(RulesDir, "remediation.yaml")).TrimEnd() + "\n" + step;
        using var dir = PackWith("remediation.yaml", remediation);
        var r = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"remediation\.yaml\(\d+,\d+\): error: ", r.Stderr);
        Assert.Contains(expected, r.Stderr);
    }

    [Theory]
    [InlineData("publisher: Allied Telesis K.K. (アライドテレシス株式会社)", "publisher: \"Allied\\e[8m\"", "'publisher' contains U+001B")]
    [InlineData("word: act-now", "word: \"act-now\\e[2K\"", "'word' contains U+001B")]
    [InlineData("    en: A normally working router may log the same lines.", "    en: \"A normally working router\\e[1A may log the same lines.\"", "the en text of 'healthy-router' contains U+001B")]
    public void Manifest_texts_are_checked_too(string original, string hostile, string expected)
    {
        var manifest = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        Assert.Contains(original, manifest);
        using var dir = PackWith("pack.yaml", manifest.Replace(original, hostile));
        var r = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"pack\.yaml\(\d+,\d+\): error: ", r.Stderr);
        Assert.Contains(expected, r.Stderr);
    }
}
