using System.Text;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 10, item 3: a report asked for mid-stream is what the session would report if the input ended there (open
/// records and sections closed, a line without its end judged), and asking changes nothing in the session.
/// </summary>
public class MidStreamReportTests
{
    [Theory]
    [MemberData(nameof(SessionTests.Samples), MemberType = typeof(SessionTests))]
    public void The_report_at_each_line_boundary_is_the_batch_report_of_the_input_so_far(string sample)
    {
        var bytes = File.ReadAllBytes(TestSupport.Repo(sample));
        var pack = SessionReports.PackFor(sample);
        foreach (var contextLines in new[] { 0, 2 })
        {
            using var session = EvaluationSession.Start(pack, new SessionOptions { Evaluation = SessionReports.Options(contextLines) });
            session.BeginSource("log");
            var at = 0;
            foreach (var cut in SessionReports.Cuts(bytes))
            {
                session.Write(bytes.AsSpan(at, cut - at));
                at = cut;
                Assert.Equal(SessionReports.Batch(pack, bytes, cut, contextLines), SessionReports.Render(session.GetReport(), contextLines));
            }

            session.Write(bytes.AsSpan(at));
            Assert.Equal(SessionReports.Batch(pack, bytes, bytes.Length, contextLines), SessionReports.Render(session.Complete()[0], contextLines));
        }
    }

    [Fact]
    public void An_open_section_is_judged_in_the_report_and_the_session_goes_on_unchanged()
    {
        // The 'show tcp' table of CR2003: its rows are counted only when the section ends.
        var bytes = File.ReadAllBytes(TestSupport.Repo("rules", "CR2003", "samples", "positive", "show-tcp-flood.log"));
        var inTable = Array.IndexOf(bytes, (byte)'\n', bytes.Length * 9 / 10) + 1; // past the threshold, the table not ended
        var events = new List<SessionEvent>();
        using var session = EvaluationSession.Start(TestSupport.Pack);
        session.EventRaised += (_, e) => events.Add(e);
        session.BeginSource("log");
        session.Write(bytes.AsSpan(0, inTable));
        var soFar = session.GetReport();
        Assert.Contains(soFar.Diagnostics, d => d.Id == "CR2003");
        Assert.DoesNotContain(events, e => e.Diagnostic?.Id == "CR2003"); // the event waits for the section's end, as documented
        var eventsBefore = events.Count;
        Assert.Equal(SessionTests.Json(soFar), SessionTests.Json(session.GetReport())); // asking again gives the same
        Assert.Equal(eventsBefore, events.Count); // asking raised nothing

        session.Write(bytes.AsSpan(inTable));
        var final = session.Complete()[0];
        Assert.Equal(SessionTests.BatchJson(bytes), SessionTests.Json(final));

        // The same events, numbered the same, as a session nobody asked.
        var quiet = new List<SessionEvent>();
        using var other = EvaluationSession.Start(TestSupport.Pack);
        other.EventRaised += (_, e) => quiet.Add(e);
        other.BeginSource("log");
        other.Write(bytes);
        other.Complete();
        Assert.Equal(quiet.Select(e => (e.Kind, e.Sequence, e.Diagnostic?.Id, e.Verdict?.Word)), events.Select(e => (e.Kind, e.Sequence, e.Diagnostic?.Id, e.Verdict?.Word)));
    }

    [Fact]
    public void A_line_without_its_end_is_judged_in_the_report()
    {
        var line = File.ReadAllLines(TestSupport.Repo("rules", "CR2001", "samples", "positive", "syslog-with-columns.log"))[0];
        using var session = EvaluationSession.Start(TestSupport.Pack);
        session.BeginSource("log");
        session.Write(Encoding.UTF8.GetBytes(line));
        var report = session.GetReport();
        Assert.Contains(report.Diagnostics, d => d.Id == "CR2001" && d.Line == 1);
        Assert.Equal(1, report.SourcesRead.Single().Lines);
        session.Write("\n"u8);
        Assert.Equal(SessionTests.BatchJson(Encoding.UTF8.GetBytes(line + "\n")), SessionTests.Json(session.Complete()[0]));
    }
}
