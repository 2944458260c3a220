using System.Text;
using System.Text.Json;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 14 item 4: control and bidi characters from evidence or a pack never reach the terminal raw. A captured
/// <c>Current configuration: boot.cfg\e[2K\e[1Gdelete</c> must not erase the command to type and show another.
/// </summary>
public class TerminalEscapeTests
{
    private const string Esc = "\u001b";

    [Theory]
    [InlineData("plain text, 日本語", "plain text, 日本語")]
    [InlineData("boot.cfg\u001b[2K\u001b[1Gdelete", "boot.cfg\\x1b[2K\\x1b[1Gdelete")]
    [InlineData("a\nb\rc\td", "a\\nb\\rc\\td")]
    [InlineData("nul\0 del\u007f c1\u009b", "nul\\x00 del\\x7f c1\\x9b")]
    [InlineData("cfg\u202egnp.exe", "cfg\\u202egnp.exe")]
    [InlineData("\u2066\u2067\u2068\u2069\u200e\u200f\u202a\u202b\u202c\u202d\u061c\u2028\u2029", "\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u061c\\u2028\\u2029")]
    public void Escape_shows_every_control_and_bidi_character_visibly(string text, string expected) =>
        Assert.Equal(expected, TerminalText.Escape(text));

    [Fact]
    public void Escape_returns_clean_text_unchanged() =>
        Assert.Same("clean", TerminalText.Escape("clean"));

    private static readonly string HostileCapture =
        "HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.9\u001b[2K\u001b[1G\u202eevil\n" +
        "Current configuration: boot.cfg\u001b[2K\u001b[1Gdelete\n";

    [Fact]
    public void Text_report_escapes_messages_quoted_lines_and_commands()
    {
        var r = RunCli(["analyze", "--model", "AR320", "-"], Encoding.UTF8.GetBytes(HostileCapture));
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(Esc, r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202e", r.Stdout, StringComparison.Ordinal);
        // The value does not fit the fact's shape, so the command keeps its placeholder and the hint shows the value escaped.
        Assert.Contains("create config=<currentConfig>", r.Stdout);
        Assert.Contains("'boot.cfg\\x1b[2K\\x1b[1Gdelete'", r.Stdout);
        Assert.Contains("203.0.113.9\\x1b[2K\\x1b[1G\\u202eevil", r.Stdout); // {peer} in the message and the remediation detail
        Assert.Contains("> HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.9\\x1b[2K", r.Stdout); // the quoted line
    }

    [Fact]
    public void Json_keeps_the_values_exactly_and_escapes_controls_as_json()
    {
        var r = RunCli(["analyze", "--model", "AR320", "--format", "json", "-"], Encoding.UTF8.GetBytes(HostileCapture));
        Assert.DoesNotContain(Esc, r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\\u001B[2K", r.Stdout, StringComparison.Ordinal);
        // C0 and C1 controls are escaped by the JSON encoder; bidi controls are valid JSON characters and stay (the
        // relaxed encoder keeps non-ASCII text readable): a tool reading JSON gets the value exactly.
        Assert.DoesNotContain(r.Stdout, c => c < 0x20 && c != '\n');
        using var doc = JsonDocument.Parse(r.Stdout);
        // The captured line is kept exactly (JSON escapes it); the command is not built from a value of the wrong shape.
        var crash = doc.RootElement.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("id").GetString() == "CR2001");
        Assert.Contains("203.0.113.9\u001b[2K\u001b[1G\u202eevil", crash.GetProperty("message").GetString());
        var commands = doc.RootElement.GetProperty("remediation").EnumerateArray()
            .Where(s => s.TryGetProperty("command", out _)).Select(s => s.GetProperty("command").GetString()).ToList();
        Assert.Contains("create config=<currentConfig>", commands);
    }

    [Fact]
    public void Fleet_text_escapes_file_names_with_newline_and_esc()
    {
        using var dir = new TempDir();
        dir.Write("evil\u001b[2Kname\nforged: ok.log", "quiet\n");
        dir.Write("plain.log", "quiet\n");
        var r = RunCli(["analyze", dir.Path]);
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length); // one line per file: the newline in the name forged none
        Assert.Contains(lines, l => l.EndsWith("evil\\x1b[2Kname\\nforged: ok.log: ok", StringComparison.Ordinal));
        Assert.DoesNotContain(Esc, r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_texts_with_escapes_are_refused_and_errors_are_escaped()
    {
        // A pack text with an ESC sequence never loads (PackTextSafetyTests), so rules list and rules docs cannot
        // print it; the refusal itself names the character without printing it.
        using var dir = new TempDir();
        dir.WithDefaultRules();
        dir.Write("CR9001/CR9001.yaml", MinimalRule.Replace("title: Test rule", "title: \"Evil\\e[2K\\rCR2001  error  forged\""));
        foreach (var args in new[] { new[] { "rules", "list", "--rules", dir.Path }, ["rules", "docs", Path.Combine(dir.Path, "out"), "--rules", dir.Path] })
        {
            var refused = RunCli(args);
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal("", refused.Stdout);
            Assert.Contains("U+001B (escape)", refused.Stderr);
            Assert.DoesNotContain(Esc, refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("\r", refused.Stderr, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));

        var error = RunCli(["analyze", "no-such\u001b[2J.log"]);
        Assert.Equal(2, error.ExitCode);
        Assert.Contains("no-such\\x1b[2J.log", error.Stderr);
        Assert.DoesNotContain(Esc, error.Stderr, StringComparison.Ordinal);
    }
}
