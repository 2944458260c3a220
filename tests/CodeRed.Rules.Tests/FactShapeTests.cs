using System.Globalization;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// A value read from the evidence goes into a remediation command only when it fits the shape the pack declares for
/// its fact (issue 14 item 4); otherwise the step shows the hint, and says why.
/// </summary>
public class FactShapeTests
{
    private const string Signature = "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.9\n";

    private static RemediationStep SaveStep(string configLine, string language = "en")
    {
        var report = Pack.Evaluate(
            new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromText("x.log", configLine + "\n" + Signature)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) });
        return Assert.Single(report.Remediation, s => s.Id == "save-configuration");
    }

    [Fact]
    public void A_hostile_configuration_name_is_kept_out_of_the_command()
    {
        var step = SaveStep("Current configuration: boot.cfg\u001b[2K\u001b[1Gdelete");
        Assert.Equal("create config=<currentConfig>", step.Command);
        Assert.NotNull(step.Hint);
        Assert.Contains(@"The currentConfig value read at x.log:1, 'boot.cfg\x1b[2K\x1b[1Gdelete', is not an AR router configuration file name (letters, digits or hyphens, then .cfg), so it was not put into the command.", step.Hint);
        Assert.Contains("Run 'show config' first", step.Hint);
        Assert.DoesNotContain('\u001b', step.Hint + step.Command);
    }

    [Fact]
    public void The_reason_is_in_the_report_language()
    {
        var step = SaveStep("Current configuration: boot.cfg\u001b[2K", "ja");
        Assert.Contains("x.log:1 で読み取った currentConfig の値 'boot.cfg\\x1b[2K' はAR ルータの設定ファイル名", step.Hint);
        Assert.Contains("先に show config を実行し", step.Hint);
    }

    [Theory]
    [InlineData("swe.cfg")]
    [InlineData("BOOT-2.CFG")]
    [InlineData("flash:boot.cfg")]
    [InlineData("sakai-0817.cfg")]
    public void Configuration_names_as_the_router_writes_them_go_into_the_command(string name)
    {
        var step = SaveStep("Current configuration: " + name);
        Assert.Equal("create config=" + name, step.Command);
        Assert.Null(step.Hint);
    }

    [Theory]
    [InlineData("head_o.cfg")] // the underscore of the 2.0.1 manual's example of an illegal name
    [InlineData("boot.scp")]
    [InlineData("sys/boot.cfg")]
    [InlineData("boot.cfg\u202egpj")]
    public void Names_the_router_could_not_have_are_kept_out(string name)
    {
        var step = SaveStep("Current configuration: " + name);
        Assert.Equal("create config=<currentConfig>", step.Command);
        Assert.Contains("is not an AR router configuration file name", step.Hint);
    }

    [Fact]
    public void A_fact_without_a_shape_in_a_command_is_a_lint_warning()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        var start = manifest.IndexOf("    shape:", StringComparison.Ordinal);
        var end = manifest.IndexOf("\n\n", start, StringComparison.Ordinal);
        dir.Write("pack.yaml", manifest.Remove(start, end - start + 1));
        var problems = PackLinter.Lint(RulePack.LoadFrom(dir.Path), null);
        Assert.Contains(problems, p => p.Severity == ProblemSeverity.Warning && p.Message.Contains("remediation step 'save-configuration' uses fact 'currentConfig', which declares no 'shape'"));
        Assert.DoesNotContain(PackLinter.Lint(Pack, null), p => p.Message.Contains("declares no 'shape'"));
    }

    [Fact]
    public void A_captured_value_in_a_command_is_a_lint_warning()
    {
        using var dir = new TempDir().WithDefaultRules();
        var remediation = File.ReadAllText(Path.Combine(RulesDir, "remediation.yaml")).TrimEnd();
        dir.Write("remediation.yaml", remediation + "\n  - { id: block-peers, command: 'add ip filter=1 source={CR2001.peer}', text: t, when: { rules: [CR2001] } }\n");
        var warning = Assert.Single(PackLinter.Lint(RulePack.LoadFrom(dir.Path), null), p => p.Message.Contains("block-peers"));
        Assert.Contains("uses '{CR2001.peer}', a value captured from the evidence that cannot declare a shape", warning.Message);
    }

    [Fact]
    public void A_shape_that_does_not_compile_is_a_load_error()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        dir.Write("pack.yaml", manifest.Replace("shape: { regex: '(?:(?:flash", "shape: { regex: '((?:(?:flash"));
        var r = RunCli(["rules", "validate", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"pack\.yaml\(\d+,\d+\): error: the regex does not compile", r.Stderr);
    }
}
