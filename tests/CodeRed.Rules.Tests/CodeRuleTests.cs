using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Tests;

/// <summary>Rules written in C# (issue 10, item 2): added with RulePack.WithRules, isolated like the pack's own rules.</summary>
public class CodeRuleTests
{
    /// <summary>Reports a line that shows more than a given number of digits in a row, with the digits.</summary>
    private sealed class LongNumberRule(int digits) : CodeRule(new CodeRuleDescriptor
    {
        Id = "XC1001",
        Title = LocalizedText.Of("A long number"),
        Message = LocalizedText.Of("{count} line(s) hold a long number: {number}"),
        Category = "LogSignature",
        DefaultSeverity = DiagnosticSeverity.Warning,
    })
    {
        public override IReadOnlyList<string> RequiredLiterals => ["id="];

        public override void Analyze(CodeRuleLine line)
        {
            var start = line.Text.IndexOf("id=", StringComparison.Ordinal) + 3;
            var end = start;
            while (end < line.Text.Length && char.IsAsciiDigit(line.Text[end]))
            {
                end++;
            }

            if (end - start > digits)
            {
                line.Report(start + 1, new CodeRuleValue("number", line.Text[start..end]));
            }
        }
    }

    private sealed class ThrowingRule() : CodeRule(new CodeRuleDescriptor
    {
        Id = "XC1002",
        Title = LocalizedText.Of("Throws"),
        Message = LocalizedText.Of("never"),
        Category = "LogSignature",
        DefaultSeverity = DiagnosticSeverity.Error,
    })
    {
        public override void Analyze(CodeRuleLine line) => throw new InvalidOperationException("the rule is broken");
    }

    private const string Log = "a id=12 b\nc id=123456 d\nno number here\ne id=9999999 f\n";

    [Fact]
    public void A_code_rule_reports_like_a_line_rule_and_the_pack_is_not_changed()
    {
        var pack = TestSupport.Pack.WithRules(new LongNumberRule(4));
        Assert.DoesNotContain(TestSupport.Pack.Rules, r => r.Id == "XC1001");
        Assert.Equal(TestSupport.Pack.Identity, pack.Identity);
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("app.log", Log)] });
        var finding = Assert.Single(report.Diagnostics, d => d.Id == "XC1001");
        Assert.Equal((2L, 6L, 2), (finding.Line!.Value, finding.Column!.Value, finding.Count));
        Assert.Equal(["123456", "9999999"], finding.Properties["number"]);
        Assert.Equal("2 line(s) hold a long number: 123456, 9999999", finding.Message);
        Assert.Equal(DiagnosticSeverity.Warning, finding.Severity);

        // A session fed in pieces gives the same.
        using var session = EvaluationSession.Start(pack);
        session.BeginSource("app.log");
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(Log))
        {
            session.Write([b]);
        }

        Assert.Equal(SessionTests.Json(report), SessionTests.Json(session.Complete()[0]));
    }

    [Fact]
    public void A_throwing_code_rule_becomes_CR0001_and_the_evaluation_goes_on()
    {
        var pack = TestSupport.Pack.WithRules(new ThrowingRule(), new LongNumberRule(4));
        var signature = File.ReadAllText(TestSupport.Repo("rules", "CR2001", "samples", "positive", "syslog-with-columns.log"));
        var report = pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("app.log", Log + signature)] });
        var failure = Assert.Single(report.Diagnostics, d => d.Id == "CR0001");
        Assert.Contains("XC1002", failure.Message);
        Assert.Contains("the rule is broken", failure.Message);
        Assert.Contains(report.Diagnostics, d => d.Id == "XC1001");
        Assert.Contains(report.Diagnostics, d => d.Id == "CR2001");
    }

    [Fact]
    public void Code_rule_IDs_must_be_IDs_and_unique()
    {
        var clash = Assert.Throws<ArgumentException>(() => TestSupport.Pack.WithRules(new LongNumberRule(1), new LongNumberRule(2)));
        Assert.Contains("XC1001", clash.Message);
        var taken = new CodeRuleDescriptor { Id = "CR2001", Title = LocalizedText.Of("t"), Message = LocalizedText.Of("m"), Category = "c", DefaultSeverity = DiagnosticSeverity.Info };
        Assert.Contains("CR2001", Assert.Throws<ArgumentException>(() => TestSupport.Pack.WithRules(new Described(taken))).Message);
        Assert.Throws<ArgumentException>(() => TestSupport.Pack.WithRules(new Described(taken with { Id = "not an id" })));
    }

    private sealed class Described(CodeRuleDescriptor descriptor) : CodeRule(descriptor)
    {
        public override void Analyze(CodeRuleLine line)
        {
        }
    }
}
