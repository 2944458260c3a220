using System.Globalization;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tests;

/// <summary>
/// <see cref="Diagnostic.GetMessage"/> gives a finding's message in another language with the same values, as Roslyn's
/// <c>GetMessage(culture)</c> does; <see cref="Diagnostic.Location"/> says where its first hit is.
/// </summary>
public sealed class DiagnosticMessageTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    private static AnalysisReport Report(CultureInfo culture) => TestSupport.Pack.Evaluate(
        new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(TestSupport.Repo("docs", "samples", "ar320-capture.log"))] },
        new EvaluationOptions { Culture = culture });

    [Fact]
    public void A_message_in_the_other_language_is_what_a_report_in_that_language_says()
    {
        var english = Report(English);
        var japanese = Report(Japanese);
        Assert.NotEmpty(english.Diagnostics);
        Assert.Equal(english.Diagnostics.Select(d => d.Id), japanese.Diagnostics.Select(d => d.Id));
        foreach (var (en, ja) in english.Diagnostics.Zip(japanese.Diagnostics))
        {
            Assert.Equal(en.Message, en.GetMessage());
            Assert.Equal(en.Message, en.GetMessage(English));
            Assert.Equal(ja.Message, en.GetMessage(Japanese));
            Assert.Equal(en.Message, ja.GetMessage(English));
            Assert.NotEqual(en.Message, ja.Message);
        }
    }

    [Fact]
    public void A_language_the_rule_lacks_gives_the_english_message()
    {
        var report = Report(Japanese);
        var diagnostic = report.Diagnostics[0];
        Assert.Equal(Report(English).Diagnostics[0].Message, diagnostic.GetMessage(CultureInfo.GetCultureInfo("de-DE")));
    }

    [Fact]
    public void A_message_does_not_change_when_more_lines_arrive_after_it_was_made()
    {
        var session = EvaluationSession.Start(TestSupport.Pack, new SessionOptions());
        session.BeginSource("live.log");
        session.WriteLine("HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1");
        var early = session.GetReports()[0].Diagnostics.Single(d => d.Id == "CR2001");
        var before = early.GetMessage(Japanese);
        session.WriteLine("HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.2");
        var later = session.GetReports()[0].Diagnostics.Single(d => d.Id == "CR2001");
        Assert.Equal(before, early.GetMessage(Japanese));
        Assert.NotEqual(before, later.GetMessage(Japanese));
        Assert.Contains("192.0.2.2", later.GetMessage(Japanese), StringComparison.Ordinal);
        session.Complete();
    }

    [Fact]
    public void A_line_finding_has_a_location_and_a_device_finding_has_none()
    {
        var report = Report(English);
        var line = report.Diagnostics.First(d => d.Line is not null);
        Assert.Equal(new Location(line.Source!, line.Line, line.Column), line.Location);
        Assert.Equal($"{line.Source}:{line.Line}:{line.Column}", line.Location!.ToString());
        var device = TestSupport.Pack.Evaluate(new DeviceEvidence { Model = "AR320", Firmware = "2.0.4 PL 0", Sources = [] });
        Assert.All(device.Diagnostics, d => Assert.Null(d.Location));
        Assert.NotEmpty(device.Diagnostics);
    }
}
