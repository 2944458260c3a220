using System.Net;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Output;
using Snapshooter;
using Snapshooter.Xunit;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// <c>codered analyze --format html</c>: the page's contents, its escaping of hostile evidence, the timeline made from
/// the pack's timestamps and calendar, the fleet page, and (with the outside programs) a real browser and a validator.
/// </summary>
public partial class HtmlReportTests
{
    private static string SamplePath => Repo("docs", "samples", "ar320-capture.log");

    private static AnalysisReport Sample(string language = "en", string? name = null) => Pack.Evaluate(
        new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(SamplePath, name: name ?? "docs/samples/ar320-capture.log")] },
        new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language), ContextLines = 2 });

    private static string Html(AnalysisReport report)
    {
        using var writer = new StringWriter();
        HtmlReportWriter.Write(writer, report);
        return writer.ToString();
    }

    /// <summary>Issue 12: the HTML report shows what the capture shows was already done, or undone, with the reason.</summary>
    [Fact]
    public void Steps_the_capture_shows_done_or_undone_are_marked_with_their_reason()
    {
        AnalysisReport Of(string sample) => Pack.Evaluate(
            new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(Repo("docs", "samples", sample), name: sample)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en") });

        var done = Of("ar320-workaround-done.log");
        var page = Html(done);
        Assert.Equal(3, Count(page, "class=\"step done\""));
        Assert.Equal(2, Count(page, "class=\"step open\""));
        Assert.Contains(WebUtility.HtmlEncode(done.Remediation.Single(s => s.Id == "save-configuration").StatusReason!), page, StringComparison.Ordinal);
        Assert.Contains("<p class=\"verdict-note\">" + WebUtility.HtmlEncode(done.Verdict.Note!), page, StringComparison.Ordinal);

        var undone = Of("ar320-workaround-undone.log");
        page = Html(undone);
        Assert.Equal(1, Count(page, "class=\"step undone\""));
        Assert.Contains(WebUtility.HtmlEncode(undone.Remediation.Single(s => s.Id == "disable-http-server").StatusReason!), page, StringComparison.Ordinal);
        Assert.DoesNotContain("verdict-note", page.Replace(".verdict-note", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    [GeneratedRegex("<(?:circle|path) class=\"mark[ \"]")]
    private static partial Regex MarkElement();

    [Fact]
    public void The_page_has_the_pack_device_verdict_evidence_remediation_caveats_and_advisory()
    {
        var report = Sample();
        var html = Html(report);
        Assert.Contains(report.Pack.Sha256, html);
        Assert.Contains("codered.alliedtelesis.ar", html);
        Assert.Contains("AR320 <span class=\"where\">(given)</span>", html);
        Assert.Contains("1.9.3 PL 0 <span class=\"where\">(docs/samples/ar320-capture.log:20)</span>", html);
        Assert.Contains("<span class=\"verdict error\">act-now</span>", html);

        // Evidence in context: CR2001's first hit is line 15, shown with lines 13-17, the match marked.
        var cr2001 = report.Diagnostics.Single(d => d.Id == "CR2001");
        Assert.Equal(13, cr2001.Context!.FirstLine);
        Assert.Equal(5, cr2001.Context.Lines.Count);
        Assert.Contains("<span class=\"ln\">15</span><span class=\"hit\">03 09:31:02   3 <mark>HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45</mark></span>", html);
        Assert.Contains("<span class=\"ln\">13</span>03 09:26:29   7 REST  CRASH", html);
        Assert.Contains("<span class=\"ln\">17</span>03 09:31:07", html);

        // Remediation with the value from the evidence, and a copy button carrying the command.
        Assert.Contains("<code>create config=hq-main.cfg</code> <button type=\"button\" class=\"copy\" data-copy=\"create config=hq-main.cfg\"", html);
        Assert.Contains(Pack.Rules.First(r => r.Id == "CR2004").Caveats[0].Get(CultureInfo.GetCultureInfo("en")), html);

        // The advisory's dates and references, from the pack.
        Assert.Contains("<time datetime=\"2001-08-09\">", html);
        Assert.Contains("<time datetime=\"2002-05-01\">", html);
        Assert.Contains("<a href=\"http://www.cert.org/advisories/CA-2001-23.html\">", html);

        // Self-contained: nothing to fetch (no src or stylesheet link), and a policy that forbids fetching.
        Assert.DoesNotContain(" src=", html);
        Assert.DoesNotContain("<link", html);
        Assert.Contains("default-src 'none'", html);
        Assert.Contains("@media print", html);
    }

    [Fact]
    public void The_timeline_has_one_mark_per_timed_hit_restarts_marked_and_the_calendar_shaded()
    {
        var report = Sample();
        var html = Html(report);
        var shown = report.Diagnostics.Where(d => d.Severity > CodeRed.Rules.DiagnosticSeverity.Hidden).ToList();
        var expected = shown.Sum(d => d.Timestamps.Count);
        Assert.Equal(6, expected); // CR2001 ×3, CR2002, CR2004, CR2005: the startup records and log lines with a time
        Assert.Equal(expected, MarkElement().Matches(html).Count);

        // Restarts: the hits of rules tagged 'restart' in the pack (CR2004 and CR2005), drawn across the chart.
        var restarts = shown.Where(d => d.Descriptor.Tags.Contains("restart")).Sum(d => d.Timestamps.Count);
        Assert.Equal(2, restarts);
        Assert.Equal(restarts, Count(html, "class=\"restart-line\""));
        Assert.Equal(new LogTimestamp(null, null, 3, 9, 26, 29), report.Diagnostics.Single(d => d.Id == "CR2004").Timestamps[0]);

        // Day 3 of the month lies in the calendar's first phase (days 1-19), shaded, with its source.
        Assert.Contains("<rect class=\"phase phase-0\"", html);
        Assert.Contains("CA-2001-19", html);
        Assert.Contains("198.137.240.91", html);
    }

    [Fact]
    public void Syslog_timestamps_are_read_by_the_packs_pattern_and_spread_over_days()
    {
        var log = """
            Aug  3 09:31:02 ar320 HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.45
            <134>Aug 21 23:10:00 ar320 HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.46
            no time here: HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.47
            Aug 32 24:10:00 ar320 HTTP ERROR No free HTTP sessions - rejecting connection from 203.0.113.48
            """;
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("syslog", log)] }, new EvaluationOptions { Culture = CultureInfo.InvariantCulture });
        var cr2001 = report.Diagnostics.Single(d => d.Id == "CR2001");
        Assert.Equal(4, cr2001.Count); // day 32 and hour 24 read no time: counted, not drawn
        Assert.Equal([new LogTimestamp(null, 8, 3, 9, 31, 2), new LogTimestamp(null, 8, 21, 23, 10, 0)], cr2001.Timestamps);

        var html = Html(report);
        Assert.Equal(2, MarkElement().Matches(html).Count);
        Assert.Contains("<text class=\"axis day\"", html);
        Assert.Contains(">08-21</text>", html);
        Assert.Contains("class=\"phase phase-1\"", html); // day 21: the flood phase
        Assert.Contains("not drawn", html); // the hit without a time is said, not drawn
    }

    [Fact]
    public void A_hostile_capture_is_shown_escaped_and_nothing_in_it_becomes_markup()
    {
        var log = "03 09:31:00 \u001b[2J\u001b]0;owned\u0007 before <b>bold</b>\n"
            + "03 09:31:02   3 HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45 <script>alert(1)</script> \u202egnp.exe\n"
            + "after \"quoted\" & <img src=x onerror=alert(2)>\n";
        var report = Pack.Evaluate(
            new DeviceEvidence { Model = "AR320<script>", Sources = [EvidenceSource.FromText("cap<script>\u202e.log", log)] },
            new EvaluationOptions { Culture = CultureInfo.InvariantCulture, ContextLines = 2 });
        var html = Html(report);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>bold", html);
        Assert.DoesNotContain("cap<script>", html);
        Assert.DoesNotContain('\u001b', html);
        Assert.DoesNotContain('\u0007', html);
        Assert.DoesNotContain('\u202e', html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; \\u202egnp.exe", html);
        Assert.Contains("\\x1b[2J\\x1b]0;owned\\x07 before &lt;b&gt;bold&lt;/b&gt;", html);
        Assert.Contains("after &quot;quoted&quot; &amp; &lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("cap&lt;script&gt;\\u202e.log", html);
        Assert.Equal(1, Count(html, "<script>")); // the page's own, at the end
    }

    [Fact]
    public void Context_lines_are_bounded_and_cut_at_the_ends_of_the_evidence()
    {
        var log = "HTTP  ERROR       No free HTTP sessions - rejecting connection from 203.0.113.45\n" + new string('x', 5000) + "\n";
        var report = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("log", log)] }, new EvaluationOptions { ContextLines = 2 });
        var context = report.Diagnostics.Single(d => d.Id == "CR2001").Context!;
        Assert.Equal(1, context.FirstLine);
        Assert.Equal(0, context.HitIndex); // no line before the first
        Assert.Equal(2, context.Lines.Count); // one line after, then the end
        Assert.Equal(501, context.Lines[1].Length); // cut at 500 characters and an ellipsis

        var without = Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("log", log)] });
        Assert.Null(without.Diagnostics.Single(d => d.Id == "CR2001").Context);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { ContextLines = 11 });
    }

    /// <summary>Keeping context decodes every line, but what is found stays the same: the JSON report is identical.</summary>
    [Fact]
    public void Context_lines_change_no_finding_of_any_sample()
    {
        var logs = Directory.EnumerateFiles(RulesDir, "*.log", SearchOption.AllDirectories).Append(SamplePath).Order(StringComparer.Ordinal).ToList();
        Assert.True(logs.Count > 10);
        foreach (var log in logs)
        {
            string Json(int context)
            {
                var report = Pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(log, name: "log")] },
                    new EvaluationOptions { Culture = CultureInfo.InvariantCulture, ContextLines = context });
                using var stream = new MemoryStream();
                JsonReportWriter.Write(stream, report);
                return System.Text.Encoding.UTF8.GetString(stream.ToArray());
            }

            Assert.Equal(Json(0), Json(2));
        }
    }

    [Fact]
    public void Japanese_uses_the_same_template_with_japanese_labels()
    {
        var html = Html(Sample("ja"));
        Assert.Contains("<html lang=\"ja\">", html);
        Assert.Contains("タイムライン", html);
        Assert.Contains("検出事項", html);
        Assert.Contains("初版", html);
        Assert.Contains(">コピー</button>", html);
        Assert.Contains("1〜19 日", html);
        Assert.DoesNotContain("Findings", html);
        Assert.DoesNotContain("Timeline", html);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ja")]
    public void Sample_page(string language) =>
        Snapshot.Match(Html(Sample(language)).Replace(Pack.Identity.Sha256, "(masked)", StringComparison.Ordinal), new SnapshotNameExtension(language));

    /// <summary>The remediation section of the two workaround samples (done; done then undone), in both languages.</summary>
    [Theory]
    [InlineData("ar320-workaround-done.log", "en")]
    [InlineData("ar320-workaround-done.log", "ja")]
    [InlineData("ar320-workaround-undone.log", "en")]
    [InlineData("ar320-workaround-undone.log", "ja")]
    public void Workaround_sample_remediation(string sample, string language)
    {
        var page = Html(Pack.Evaluate(
            new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(Repo("docs", "samples", sample), name: sample)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) }));
        var start = page.IndexOf("<p class=\"verdict-line\">", StringComparison.Ordinal);
        var remediation = page.IndexOf("<section class=\"remediation\">", StringComparison.Ordinal);
        var end = page.IndexOf("</section>", remediation, StringComparison.Ordinal);
        Assert.True(start >= 0 && remediation > start && end > remediation);
        Snapshot.Match(page[start..page.IndexOf("</p>", start, StringComparison.Ordinal)] + "\n" + page[remediation..end],
            new SnapshotNameExtension(Path.GetFileNameWithoutExtension(sample) + "_" + language));
    }

    [Fact]
    public void A_fleet_page_has_an_index_sorted_by_verdict_linking_to_each_device()
    {
        var dir = Directory.CreateTempSubdirectory("codered-html-fleet").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a-clean.log"), "Manager ar320> show log\n");
            File.Copy(SamplePath, Path.Combine(dir, "b-crash.log"));
            var output = Path.Combine(dir, "fleet.html");
            var result = RunCli(["analyze", dir, "--format", "html", "-o", output, "--lang", "en"]);
            Assert.Equal(1, result.ExitCode);
            var html = File.ReadAllText(output);
            Assert.Equal(1, Count(html, "<!DOCTYPE html>"));
            Assert.Contains("<table id=\"fleet\">", html);
            var crash = html.IndexOf("<a href=\"#device-2\">", StringComparison.Ordinal);
            var clean = html.IndexOf("<a href=\"#device-1\">", StringComparison.Ordinal);
            Assert.True(crash > 0 && clean > crash, "the index lists the most severe verdict first");
            Assert.Contains("<section class=\"device\" id=\"device-1\">", html);
            Assert.Contains("<section class=\"device\" id=\"device-2\">", html);
            Assert.Contains("data-rank=", html);
            Assert.Contains("id=\"sort-verdict\"", html);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_pack_manifest_timestamps_and_calendar_are_checked_with_their_place()
    {
        var manifest = File.ReadAllText(Path.Combine(RulesDir, "pack.yaml"));
        var noHour = manifest.Replace("(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})\\s'", "(?<h>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})\\s'", StringComparison.Ordinal);
        Assert.NotEqual(manifest, noHour);
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts([new("pack.yaml", noHour)]));
        Assert.Contains(e.Problems, p => p.Message.Contains("timestamp 'ar-log' must capture the groups day, hour and minute (missing: hour", StringComparison.Ordinal) && p.Line > 100);

        var overlap = manifest.Replace("- from: 20", "- from: 19", StringComparison.Ordinal);
        e = Assert.Throws<RulePackException>(() => RulePack.LoadFromTexts([new("pack.yaml", overlap)]));
        Assert.Contains(e.Problems, p => p.Message.Contains("the calendar phase of days 19-27 overlaps the one of days 1-19", StringComparison.Ordinal) && p.Line > 100);
    }

    [Fact]
    public void Which_rules_are_restarts_is_the_packs_tag_not_the_engines_choice()
    {
        var dir = Directory.CreateTempSubdirectory("codered-html-tags").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(RulesDir, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(dir, Path.GetRelativePath(RulesDir, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var rule = Path.Combine(dir, "CR2004", "CR2004.yaml");
            var text = File.ReadAllText(rule);
            File.WriteAllText(rule, text.Replace("tags: [restart]", "tags: []", StringComparison.Ordinal));
            var pack = RulePack.LoadFrom(dir);
            Assert.Empty(pack.FindRule("CR2004")!.Tags);
            var report = pack.Evaluate(
                new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(SamplePath)] },
                new EvaluationOptions { Culture = CultureInfo.InvariantCulture });
            var html = Html(report);
            Assert.Equal(1, Count(html, "class=\"restart-line\"")); // CR2005's only
            Assert.Equal(6, MarkElement().Matches(html).Count);

            File.WriteAllText(rule, text.Replace("tags: [restart]", "tags: [Restart!]", StringComparison.Ordinal));
            var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir));
            Assert.Contains(e.Problems, p => p.Message.Contains("tag 'Restart!' must be a lower-case letter", StringComparison.Ordinal) && p.File.EndsWith("CR2004.yaml", StringComparison.Ordinal) && p.Line == 20);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The report as the README makes it, opened in headless Chromium: the rendered page has one mark per timed hit, and no console error.</summary>
    [ExternalToolFact("chromium", "apt-get install chromium")]
    public void A_real_browser_renders_the_report_with_its_timeline()
    {
        var chromium = ExternalTools.Require("chromium");
        var artifacts = Repo("artifacts", "html-report");
        Directory.CreateDirectory(artifacts);
        var page = Path.Combine(artifacts, "report.html");
        var cli = RunCli(["analyze", "--format", "html", "-o", page, "--model", "AR320", "--lang", "en", SamplePath]);
        Assert.Equal(1, cli.ExitCode);
        var profile = Directory.CreateTempSubdirectory("codered-chromium").FullName;
        try
        {
            var screenshot = Path.Combine(artifacts, "report.png");
            File.Delete(screenshot);
            var (_, shotErr) = Chromium(chromium, profile, "--virtual-time-budget=3000", $"--screenshot={screenshot}", "--window-size=1100,1700", new Uri(page).AbsoluteUri);
            Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "no screenshot: " + shotErr);

            var (dom, stderr) = Chromium(chromium, profile, "--dump-dom", new Uri(page).AbsoluteUri);
            var report = Sample();
            var timed = report.Diagnostics.Where(d => d.Severity > CodeRed.Rules.DiagnosticSeverity.Hidden).Sum(d => d.Timestamps.Count);
            Assert.Equal(timed, MarkElement().Matches(dom).Count);
            Assert.Contains("<svg class=\"chart\"", dom);
            Assert.DoesNotMatch("Uncaught|:CONSOLE[:(]|Refused to", stderr); // Chromium logs every console message as INFO:CONSOLE:line
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>The fleet index starts worst first; a click on "Verdict" (made by a script appended for the test) reverses it, without a console error.</summary>
    [ExternalToolFact("chromium", "apt-get install chromium")]
    public void In_a_real_browser_the_fleet_index_sorts_by_verdict()
    {
        var chromium = ExternalTools.Require("chromium");
        var dir = Directory.CreateTempSubdirectory("codered-html-sort").FullName;
        try
        {
            using (var fleet = new StringWriter())
            {
                HtmlReportWriter.WriteFleet(fleet, [new("clean.log", Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("clean.log", "nothing\n")] })), new("crash.log", Sample(name: "crash.log"))]);
                var html = fleet.ToString();
                File.WriteAllText(Path.Combine(dir, "fleet.html"), html);
                File.WriteAllText(Path.Combine(dir, "clicked.html"), html.Replace("</body>", "<script>document.getElementById(\"sort-verdict\").click();</script></body>", StringComparison.Ordinal));
            }

            static string[] Order(string dom) => [.. Regex.Matches(dom, "<a href=\"#(device-[0-9]+)\">").Select(m => m.Groups[1].Value)];
            var profile = Path.Combine(dir, "profile");
            var (before, _) = Chromium(chromium, profile, "--dump-dom", new Uri(Path.Combine(dir, "fleet.html")).AbsoluteUri);
            var (after, stderr) = Chromium(chromium, profile, "--dump-dom", new Uri(Path.Combine(dir, "clicked.html")).AbsoluteUri);
            Assert.Equal(["device-2", "device-1"], Order(before));
            Assert.Equal(["device-1", "device-2"], Order(after));
            Assert.DoesNotMatch("Uncaught|:CONSOLE[:(]|Refused to", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (string Stdout, string Stderr) Chromium(string chromium, string profile, params string[] args)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr", "--v=0", $"--user-data-dir={profile}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish in 90 s");
        }

        process.WaitForExit();
        return (stdout.Result, stderr.Result);
    }

    /// <summary>html-validate's recommended rules find no error in a single device's page nor in a fleet's.</summary>
    [ExternalToolFact("html-validate", "npm install --prefix artifacts/tools html-validate@10.11.2 (.ci/run does)")]
    public void The_html_validator_finds_no_error_in_a_device_page_or_a_fleet_page()
    {
        var validator = ExternalTools.Require("html-validate");
        var dir = Directory.CreateTempSubdirectory("codered-html-validate").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "page.html"), Html(Sample()));
            File.WriteAllText(Path.Combine(dir, "page-ja.html"), Html(Sample("ja")));
            using (var fleet = new StringWriter())
            {
                HtmlReportWriter.WriteFleet(fleet, [new("a.log", Sample(name: "a.log")), new("b.log", Pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromText("b.log", "nothing\n")] }))]);
                File.WriteAllText(Path.Combine(dir, "fleet.html"), fleet.ToString());
            }

            var config = Path.Combine(dir, "htmlvalidate.json");
            File.WriteAllText(config, """{ "extends": ["html-validate:recommended"] }""");
            var start = new ProcessStartInfo(validator) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            foreach (var arg in (string[])["--config", config, "--max-warnings", "0", "page.html", "page-ja.html", "fleet.html"])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), "html-validate did not finish");
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"html-validate exit {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
