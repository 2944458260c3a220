using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Tests;

/// <summary>Counting and time (issue 10, item 6): per-key counts with a threshold, a window of log time, "again after a restart".</summary>
public class CountingTests
{
    private static readonly Lazy<RulePack> Engine2 = new(() => RulePack.LoadFrom(TestSupport.Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "engine2")));

    private static AnalysisReport Evaluate(string text) =>
        Engine2.Value.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("access.log", text)] });

    private static string Probe(string client, string time = "02/Aug/2001:06:01:38") =>
        $"{client} - - [{time} -0400] \"GET /default.ida?NNNNNNNN HTTP/1.0\" 404 -\n";

    private static string ServerError(string time) => $"10.0.0.9 - - [{time} -0400] \"GET /x HTTP/1.0\" 500 12\n";

    [Fact]
    public void A_key_reports_once_it_reaches_the_threshold_and_each_key_is_counted_apart()
    {
        var below = Evaluate(Probe("10.0.0.1") + Probe("10.0.0.2") + Probe("10.0.0.1") + Probe("10.0.0.2"));
        Assert.DoesNotContain("EX2001", below.Ids());

        var log = Probe("10.0.0.1", "02/Aug/2001:06:01:38") + Probe("10.0.0.2") + Probe("10.0.0.1") + Probe("10.0.0.2") + Probe("10.0.0.1", "02/Aug/2001:06:09:00");
        var report = Evaluate(log);
        var finding = Assert.Single(report.Diagnostics, d => d.Id == "EX2001");
        var key = Assert.Single(finding.Keys);
        Assert.Equal(new KeyCount("10.0.0.1", 3, 1, "2001-08-02 06:01:38", "2001-08-02 06:09:00"), key);
        Assert.Equal(5, finding.Count);
        Assert.Equal("1 client(s) sent at least 3 probes; the busiest, 10.0.0.1, from 2001-08-02 06:01:38 to 2001-08-02 06:09:00 (5 probes in all)", finding.Message);

        var both = Evaluate(log + Probe("10.0.0.2"));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], Assert.Single(both.Diagnostics, d => d.Id == "EX2001").Keys.Select(k => k.Value));
        Assert.Contains("\"keys\":[{\"value\":\"10.0.0.1\",\"count\":3,\"firstLine\":1,", SessionTests.Json(both).Replace(" ", "").Replace("\n", ""));
    }

    [Fact]
    public void Keys_beyond_the_bound_are_not_tracked_and_the_finding_says_so()
    {
        var log = string.Concat(Enumerable.Range(1, 5).SelectMany(i => Enumerable.Repeat(Probe($"10.0.0.{i}"), 3)));
        var report = Engine2.Value.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("access.log", log)] }, new EvaluationOptions { MaxDistinctValues = 2 });
        var finding = Assert.Single(report.Diagnostics, d => d.Id == "EX2001");
        Assert.Equal(2, finding.Keys.Count);
        Assert.True(finding.KeysTruncated);
    }

    [Fact]
    public void A_window_needs_the_threshold_within_that_span_of_log_time()
    {
        var spread = ServerError("02/Aug/2001:06:00:00") + ServerError("02/Aug/2001:06:07:00") + ServerError("02/Aug/2001:06:14:00") + ServerError("02/Aug/2001:06:21:00");
        Assert.DoesNotContain("EX2002", Evaluate(spread).Ids());

        // Lines without a time count in all, not towards the window.
        var untimed = "x\" 500 y\nx\" 500 y\nx\" 500 y\n" + ServerError("02/Aug/2001:06:00:00");
        Assert.DoesNotContain("EX2002", Evaluate(untimed).Ids());

        var burst = spread + ServerError("02/Aug/2001:06:22:00") + ServerError("02/Aug/2001:06:25:00") + ServerError("02/Aug/2001:06:29:59");
        var finding = Assert.Single(Evaluate(burst).Diagnostics, d => d.Id == "EX2002");
        Assert.Equal(7, finding.Count);
        Assert.Empty(finding.Keys); // no 'by': the rule counts as a whole
        Assert.Equal("At least 4 server errors within 10 minutes (7 in all, 2001-08-02 06:00:00 to 2001-08-02 06:29:59)", finding.Message);
    }

    [Fact]
    public void A_recurring_rule_reports_only_when_seen_again_after_a_restart_that_followed_a_hit()
    {
        Assert.DoesNotContain("EX2003", Evaluate("worm-signature\nworm-signature\n").Ids());
        Assert.DoesNotContain("EX2003", Evaluate("server restarted\nworm-signature\n").Ids());
        var report = Evaluate("worm-signature\nserver restarted\nquiet\nserver restarted\nworm-signature\nworm-signature\n");
        var finding = Assert.Single(report.Diagnostics, d => d.Id == "EX2003");
        Assert.Equal(1, finding.Line);
        Assert.Equal(3, finding.Count);
        Assert.Equal("The worm's signature was seen again after 2 restart(s)", finding.Message);
    }

    [Fact]
    public void A_session_raises_the_finding_at_the_threshold_and_an_update_for_each_new_key()
    {
        using var session = EvaluationSession.Start(Engine2.Value);
        session.BeginSource("access.log");
        var events = new List<SessionEvent>();
        session.EventRaised += (_, e) => events.Add(e);
        foreach (var (line, number) in new[] { Probe("10.0.0.1"), Probe("10.0.0.1"), Probe("10.0.0.2"), Probe("10.0.0.1"), Probe("10.0.0.2"), Probe("10.0.0.2") }.Select((l, i) => (l, i + 1)))
        {
            session.Write(Encoding.UTF8.GetBytes(line));
            var ex = events.Where(e => e.Diagnostic?.Id == "EX2001").ToArray();
            Assert.Equal(number switch { < 4 => 0, < 6 => 1, _ => 2 }, ex.Length);
        }

        var finding = events.Single(e => e.Kind == SessionEventKind.Finding && e.Diagnostic!.Id == "EX2001");
        var update = events.Single(e => e.Kind == SessionEventKind.FindingUpdated);
        Assert.Single(finding.Diagnostic!.Keys);
        Assert.Equal(2, update.Diagnostic!.Keys.Count);
        Assert.Equal(SessionTests.Json(Evaluate(string.Concat(Probe("10.0.0.1"), Probe("10.0.0.1"), Probe("10.0.0.2"), Probe("10.0.0.1"), Probe("10.0.0.2"), Probe("10.0.0.2")))),
            SessionTests.Json(session.Complete()[0]));
    }

    [Theory]
    [InlineData("count: { by: nobody, threshold: 3 }", "'by' names the capture group 'nobody', which no pattern of rule EX9001 has")]
    [InlineData("count: { threshold: 0 }", "the threshold of rule EX9001 must be at least 1, not 0")]
    [InlineData("count: { threshold: 3, window: 10x }", "'window' must be a whole number with a unit s, m, h or d")]
    [InlineData("count: { threshold: 3, window: 0m }", "'window' must be a whole number with a unit s, m, h or d")]
    [InlineData("recurs: always", "'recurs' must be 'after-restart', not 'always'")]
    [InlineData("count: { threshold: 3, every: 2 }", "every")]
    public void Bad_counting_values_are_load_errors_with_file_line_and_column(string yaml, string expected)
    {
        var rule = $"""
            kind: rule
            id: EX9001
            title: t
            message: m
            category: LogSignature
            severity: warning
            match:
              - regex: '(?<client>\d+) probe'
            {yaml}
            """;
        var error = Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts([new("pack.yaml", File.ReadAllText(TestSupport.Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "engine2", "pack.yaml"))), new("rule.yaml", rule)]));
        var problem = Assert.Single(error.Problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Equal("rule.yaml", problem.File);
        Assert.Equal(9, problem.Line);
        Assert.True(problem.Column > 1);
    }

    [Fact]
    public void Counting_on_a_device_rule_is_refused()
    {
        var rule = """
            kind: rule
            id: EX9002
            title: t
            message: m
            category: Device
            severity: warning
            when: { modelKnown: false }
            count: { threshold: 2 }
            """;
        var error = Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts([new("pack.yaml", File.ReadAllText(TestSupport.Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "engine2", "pack.yaml"))), new("rule.yaml", rule)]));
        Assert.Contains(error.Problems, p => p.Message.Contains("apply to line rules", StringComparison.Ordinal) && p.Line == 8);
    }
}
