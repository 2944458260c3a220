using System.Globalization;
using System.Text.RegularExpressions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Output;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>Every word of a report is in the report's language, and any language the pack carries can be asked for.</summary>
public sealed partial class ReportLanguageTests
{
    private static readonly string Capture = Repo("docs", "samples", "ar320-capture.log");

    private static AnalysisReport EvaluateCapture(string language, RulePack? pack = null) =>
        (pack ?? Pack).Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromFile(Capture)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) });

    private static string Text(AnalysisReport report)
    {
        var writer = new StringWriter();
        TextReportWriter.Write(writer, report);
        return writer.ToString();
    }

    [Fact]
    public void The_Japanese_CR2003_message_has_no_English_fragment()
    {
        var message = EvaluateCapture("ja").Diagnostics.Single(d => d.Id == "CR2003").Message;
        Assert.DoesNotContain("more", message, StringComparison.Ordinal);
        Assert.DoesNotContain("not kept", message, StringComparison.Ordinal);
        Assert.Contains("(他 95 件、ほかに保持しなかった値あり)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_firmware_the_user_gave_is_said_in_the_report_language()
    {
        var evidence = new DeviceEvidence { Model = "AR320", Firmware = "1.9.3 PL 0" };
        var ja = Pack.Evaluate(evidence, new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("ja") });
        Assert.Equal("given", ja.Device.FirmwareSource); // the API's and JSON's value stays
        var message = ja.Diagnostics.Single(d => d.Id == "CR1002").Message;
        Assert.Contains("(指定値)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("given", message, StringComparison.Ordinal);
        Assert.DoesNotContain("given", Text(ja), StringComparison.Ordinal);
        Assert.Contains("(given)", Pack.Evaluate(evidence, new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en") }).Diagnostics.Single(d => d.Id == "CR1002").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Japanese_text_report_has_no_English_engine_word()
    {
        var text = Text(EvaluateCapture("ja"));
        // The evidence's own lines (after '> ') are quoted as they are; every other line is the report's.
        var own = string.Join("\n", text.Split('\n').Where(l => !l.TrimStart().StartsWith("> ", StringComparison.Ordinal)));
        foreach (var (key, (phrase, _)) in ReportPhrasesForTest.All)
        {
            var english = Regex.Replace(phrase.English, @"\{[^}]*\}", "").Trim();
            if (english.Length > 3)
            {
                Assert.False(own.Contains(english, StringComparison.Ordinal), $"phrase '{key}' in English ('{english}') in:\n{own}");
            }
        }
    }

    [Fact]
    public void An_English_report_is_written_in_English_whatever_the_UI_culture()
    {
        var report = EvaluateCapture("en");
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("ja");
            var text = Text(report);
            Assert.StartsWith("Pack: ", text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"[\u3040-\u30ff\u4e00-\u9fff]", string.Join("\n", text.Split('\n').Where(l => !l.TrimStart().StartsWith('>'))));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void The_old_overload_with_a_culture_writes_the_report_in_its_own_language()
    {
        var report = EvaluateCapture("en");
        var writer = new StringWriter();
#pragma warning disable CS0618 // the obsolete overload is what old callers use
        TextReportWriter.Write(writer, report, CultureInfo.GetCultureInfo("ja"));
#pragma warning restore CS0618
        Assert.Equal(Text(report), writer.ToString());
        Assert.StartsWith("Pack: ", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_language_the_pack_lacks_gives_an_English_report()
    {
        var report = EvaluateCapture("fr");
        Assert.Equal("en", report.Culture.TwoLetterISOLanguageName);
        Assert.StartsWith("Pack: ", Text(report), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_pack_carries_English_and_Japanese() => Assert.Equal(["en", "ja"], Pack.Languages);

    [Fact]
    public void A_pack_in_a_third_language_gives_a_report_wholly_in_it()
    {
        using var dir = GermanPack();
        var pack = RulePack.LoadFrom(dir.Path);
        Assert.Equal(["en", "de", "ja"], pack.Languages);

        var report = EvaluateCapture("de", pack);
        Assert.Equal("de", report.Culture.TwoLetterISOLanguageName);
        var message = report.Diagnostics.Single(d => d.Id == "CR2003").Message;
        Assert.StartsWith("TCP-Tabelle", message, StringComparison.Ordinal);
        Assert.Contains("(+95 weitere, weitere nicht behalten)", message, StringComparison.Ordinal);
        var text = Text(report);
        Assert.StartsWith("Regelpaket: ", text, StringComparison.Ordinal);
        Assert.Contains("Urteil: ", text, StringComparison.Ordinal);

        // The phrases still in English are named, so the pack's author knows what the report would mix.
        var warning = Assert.Single(pack.Warnings, w => w.Message.Contains("the pack carries 'de'", StringComparison.Ordinal));
        Assert.Contains("noFindings", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" pack,", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pack.Warnings, w => w.Message.Contains("the pack carries 'ja'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_CLI_takes_any_language_the_pack_carries()
    {
        using var dir = GermanPack();
        var german = RunCli(["analyze", "--rules", dir.Path, "--lang", "de", Capture]);
        Assert.Equal(1, german.ExitCode);
        Assert.StartsWith("Regelpaket: ", german.Stdout, StringComparison.Ordinal);

        var refused = RunCli(["analyze", "--lang", "de", Capture]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--lang must be a language the pack codered.alliedtelesis.ar carries (en, ja), not 'de'", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_phrase_or_placeholder_is_a_load_error_at_its_place()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        File.AppendAllText(manifest, "phrases:\n  moreValues: { en: '(+{count} more)' }\n  noFindigns: Nothing.\n");
        var lines = File.ReadAllLines(manifest);
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        var at = e.Problems.Select(p => $"{Path.GetFileName(p.File)}({p.Line},{p.Column}): {p.Message}").ToList();
        Assert.Contains(at, p => p.StartsWith($"pack.yaml({lines.Length - 1},", StringComparison.Ordinal) && p.Contains("phrase 'moreValues' uses '{count}', which it does not have (it has {more})", StringComparison.Ordinal));
        Assert.Contains(at, p => p == $"pack.yaml({lines.Length},3): unknown phrase 'noFindigns' (the engine's phrases: {string.Join(", ", ReportPhrasesForTest.All.Keys)})");
    }

    [Fact]
    public void A_phrase_under_its_former_name_still_rewords_the_report_and_both_names_at_once_are_an_error()
    {
        using var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var original = File.ReadAllText(manifest);
        File.WriteAllText(manifest, original + "phrases:\n  firmware: { en: release }\n");
        var text = RunCli(["analyze", "--rules", dir.Path, "--model", "AR320", "--firmware", "2.0.4 PL 7", "--lang", "en", Capture]);
        Assert.Contains("Device: AR320, release 2.0.4 PL 7", text.Stdout, StringComparison.Ordinal);

        File.WriteAllText(manifest, original + "phrases:\n  firmware: { en: release }\n  version: { en: build }\n");
        var lines = File.ReadAllLines(manifest);
        var e = Assert.Throws<RulePackException>(() => RulePack.LoadFrom(dir.Path));
        Assert.Contains(e.Problems, p => p.Line == lines.Length && p.Message == "phrases 'version' and 'firmware' are the same ('firmware' is its former name); keep 'version'");
    }

    /// <summary>The default pack with German added to its title, CR2003 and the phrases the capture's report uses.</summary>
    private static TempDir GermanPack()
    {
        var dir = new TempDir().WithDefaultRules();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        var text = File.ReadAllText(manifest).Replace("title:\n  en: Code Red worm countermeasures on Allied Telesis AR routers\n",
            "title:\n  en: Code Red worm countermeasures on Allied Telesis AR routers\n  de: Code-Red-Gegenmaßnahmen für AR-Router\n", StringComparison.Ordinal);
        text += """
            phrases:
              moreValuesNotKept: { en: "(+{more} more and others not kept)", de: "(+{more} weitere, weitere nicht behalten)" }
              pack: { en: Pack, de: Regelpaket }
              verdict: { en: Verdict, de: Urteil }

            """;
        File.WriteAllText(manifest, text);
        var rule = Path.Combine(dir.Path, "CR2003", "CR2003.yaml");
        var ruleText = File.ReadAllText(rule);
        var withGerman = Regex.Replace(ruleText, "(message:\n  en: .*\n)", "$1  de: \"TCP-Tabelle: {rows} Verbindungen (Schwelle {threshold}), von {peer}.\"\n");
        Assert.NotEqual(ruleText, withGerman);
        File.WriteAllText(rule, withGerman);
        return dir;
    }
}

/// <summary>The engine's phrase table, as the tests see it.</summary>
internal static class ReportPhrasesForTest
{
    public static IReadOnlyDictionary<string, (CodeRed.Rules.LocalizedText Text, string[] Placeholders)> All => ReportPhrases.Known;
}

/// <summary>The remediation detail is bounded as each diagnostic's values are, over any number of sources.</summary>
public sealed class RemediationDetailBoundTests
{
    private static DeviceEvidence Fleet(int sources, int peersPerSource) => new()
    {
        Sources = Enumerable.Range(0, sources).Select(s => EvidenceSource.FromText($"r{s}.log", string.Concat(Enumerable.Range(0, peersPerSource)
            .Select(p => $"HTTP ERROR No free HTTP sessions - rejecting connection from 10.{s / 256}.{s % 256}.{p}\n")))).ToArray(),
    };

    private static string Detail(DeviceEvidence evidence, string language = "en") =>
        Pack.Evaluate(evidence, new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) })
            .Remediation.Single(s => s.Id == "check-www-servers").Detail!;

    [Fact]
    public void Values_over_many_sources_are_cut_at_the_bound_and_the_others_counted()
    {
        // 1,000 sources with 101 peers each: every diagnostic keeps 100, so 100,000 distinct values reach the detail.
        var detail = Detail(Fleet(1000, 101));
        Assert.True(detail.Length < 3000, $"{detail.Length} characters");
        Assert.Equal(100, Regex.Matches(detail, @"10\.\d+\.\d+\.\d+").Count);
        Assert.EndsWith(" and 99900 others, and more not kept", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_cut_only_across_sources_give_the_exact_count()
    {
        var detail = Detail(Fleet(3, 50));
        Assert.Equal(100, Regex.Matches(detail, @"10\.\d+\.\d+\.\d+").Count);
        Assert.EndsWith(" and 50 others", detail, StringComparison.Ordinal);
        Assert.EndsWith(" ほか 50 件", Detail(Fleet(3, 50), "ja"), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_within_the_bound_are_all_shown()
    {
        var detail = Detail(Fleet(2, 3));
        Assert.EndsWith("10.0.0.0, 10.0.0.1, 10.0.0.2, 10.0.1.0, 10.0.1.1, 10.0.1.2", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bound_follows_MaxDistinctValues()
    {
        var report = Pack.Evaluate(Fleet(2, 3), new EvaluationOptions { MaxDistinctValues = 2, Culture = CultureInfo.GetCultureInfo("en") });
        Assert.EndsWith("10.0.0.0, 10.0.0.1 and 2 others, and more not kept", report.Remediation.Single(s => s.Id == "check-www-servers").Detail, StringComparison.Ordinal);
    }
}
