using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Remediation placeholders are checked as message placeholders are (issue 14 item 5): load errors with file, line and column.</summary>
public class RemediationPlaceholderTests
{
    private static CliResult ValidateWithStep(string step)
    {
        using var dir = new TempDir().WithDefaultRules();
        dir.Write("T1.yaml", "kind: rule\nid: T1\ntitle: t\nmessage: m\ncategory: c\nseverity: warning\nmatch: [{ regex: 'x(?<peer>\\d+)' }]\n");
        var remediation = File.ReadAllText(Path.Combine(RulesDir, "remediation.yaml"));
        dir.Write("remediation.yaml", remediation.TrimEnd() + "\n" + step);
        return RunCli(["rules", "validate", dir.Path]);
    }

    [Theory]
    [InlineData("  - { id: a, command: 'show {nosuch}', text: t, when: { minSeverity: warning } }\n",
        "the command of a remediation step uses '{nosuch}', but no built-in value or fact of that name exists (facts: firmware, currentConfig;")]
    [InlineData("  - { id: a, text: 'look at {T1.nothing}', when: { minSeverity: warning } }\n",
        "the text of a remediation step uses '{T1.nothing}', but rule T1 has no capture 'nothing' (it has: peer)")]
    [InlineData("  - id: a\n    text: t\n    detail: { en: 'hosts {NOPE.peer}', ja: '{NOPE.peer}' }\n    when: { minSeverity: warning }\n",
        "the detail of a remediation step uses '{NOPE.peer}', but no rule 'NOPE' is in the pack")]
    [InlineData("  - { id: a, text: 'from {line}', when: { minSeverity: warning } }\n",
        "'line' belongs to one diagnostic and has no value in remediation")]
    public void Placeholders_with_nothing_behind_them_are_errors_at_the_step(string step, string message)
    {
        var r = ValidateWithStep(step);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"remediation\.yaml\(\d+,\d+\): error: ", r.Stderr);
        Assert.Contains(message, r.Stderr);
    }

    [Theory]
    [InlineData("  - { id: a, command: 'ping {CR2001.peer}', text: '{model} {T1.peer} {currentConfig} {CR2003.rows} {CR1002.fixedIn}', when: { minSeverity: warning } }\n")]
    public void Known_placeholders_load(string step) => Assert.Equal(0, ValidateWithStep(step).ExitCode);
}
