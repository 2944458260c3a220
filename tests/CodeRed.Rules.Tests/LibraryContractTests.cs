using System.Globalization;
using System.Text;
using System.Xml.Linq;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>What a library user gets for wrong arguments: the documented exception with a clear message, never a NullReferenceException.</summary>
public sealed class LibraryContractTests
{
    [Fact]
    public void Evaluate_of_null_throws_ArgumentNullException() =>
        Assert.Equal("evidence", Assert.Throws<ArgumentNullException>(() => Pack.Evaluate(null!)).ParamName);

    [Fact]
    public void Null_sources_throw_ArgumentNullException_when_set()
    {
        var e = Assert.Throws<ArgumentNullException>(() => new DeviceEvidence { Sources = null! });
        Assert.Contains("empty list", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_source_in_the_list_throws_ArgumentException() =>
        Assert.Throws<ArgumentException>(() => Pack.Evaluate(new DeviceEvidence { Sources = [null!] }));

    [Fact]
    public void FromFile_of_a_directory_names_it_as_a_directory()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => EvidenceSource.FromFile(dir.Path));
        Assert.Contains($"'{dir.Path}' is a directory, not a file", e.Message, StringComparison.Ordinal);
        Assert.Equal("path", e.ParamName);
    }

    [Fact]
    public void A_file_that_became_a_directory_before_evaluation_is_named_as_a_directory()
    {
        using var dir = new TempDir();
        var path = dir.Write("router.log", "x\n");
        var source = EvidenceSource.FromFile(path);
        File.Delete(path);
        Directory.CreateDirectory(path);

        var e = Assert.Throws<IOException>(() => Pack.Evaluate(new DeviceEvidence { Sources = [source] }));
        Assert.Contains($"'{path}' is a directory, not a file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void MaxDistinctValues_below_one_is_refused_when_set(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { MaxDistinctValues = value });
        Assert.Equal(value, e.ActualValue);
    }

    [Fact]
    public void Null_severity_settings_are_refused_when_set() =>
        Assert.Throws<ArgumentNullException>(() => new EvaluationOptions { Severity = null! });

    [Fact]
    public void A_stream_source_evaluated_twice_throws_InvalidOperationException()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n"));
        var evidence = new DeviceEvidence { Sources = [EvidenceSource.FromStream("piped", stream)] };

        Assert.Contains("CR2001", Pack.Evaluate(evidence).Ids());
        var e = Assert.Throws<InvalidOperationException>(() => Pack.Evaluate(evidence));
        Assert.Contains("'piped'", e.Message, StringComparison.Ordinal);
        Assert.Contains("already evaluated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_and_text_sources_can_be_evaluated_again()
    {
        using var dir = new TempDir();
        var file = EvidenceSource.FromFile(dir.Write("a.log", "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n"));
        var text = EvidenceSource.FromText("b", "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.2\n");
        var evidence = new DeviceEvidence { Sources = [file, text] };
        Assert.Equal(Pack.Evaluate(evidence).Ids(), Pack.Evaluate(evidence).Ids());
    }

    [Fact]
    public void An_unknown_rule_id_is_refused_naming_the_known_ones()
    {
        var options = new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithRule("CR9999", DiagnosticSeverity.Error) };
        var e = Assert.Throws<ArgumentException>(() => Pack.Evaluate(new DeviceEvidence(), options));
        Assert.Contains("no rule 'CR9999'", e.Message, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", Pack.Rules.Select(r => r.Id)), e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName);
    }

    [Fact]
    public void An_unknown_category_is_refused_naming_the_known_ones()
    {
        var problems = SeverityConfiguration.Empty.WithCategory("LogSignatur", null).Validate(Pack);
        var problem = Assert.Single(problems);
        Assert.Contains("no category 'LogSignatur'", problem, StringComparison.Ordinal);
        foreach (var category in Pack.Rules.Select(r => r.Category).Distinct())
        {
            Assert.Contains(category, problem, StringComparison.Ordinal);
        }

        var options = new EvaluationOptions { Severity = SeverityConfiguration.Empty.WithCategory("LogSignatur", null) };
        Assert.Throws<ArgumentException>(() => Pack.Evaluate(new DeviceEvidence(), options));
    }

    [Fact]
    public void Known_ids_and_categories_validate_in_any_case()
    {
        var config = SeverityConfiguration.FromSettings([new("cr2001", "error"), new("category:logsignature", "info"), new("all", "warning")]);
        Assert.Empty(config.Validate(Pack));
        Assert.Equal(DiagnosticSeverity.Error, Pack.Evaluate(EvaluateEvidence, new EvaluationOptions { Severity = config }).Diagnostics.Single(d => d.Id == "CR2001").Severity);
    }

    [Fact]
    public void Settings_read_without_a_pack_are_checked_when_evaluated()
    {
        var config = SeverityConfiguration.FromSettings([new("CR9999", "none"), new("category:Nope", "none")]);
        Assert.Equal(2, config.Validate(Pack).Count);
    }

    [Fact]
    public void Empty_rule_ids_and_categories_are_refused_at_once()
    {
        Assert.Throws<ArgumentException>(() => SeverityConfiguration.Empty.WithRule(" ", null));
        Assert.Throws<ArgumentException>(() => SeverityConfiguration.Empty.WithCategory("", null));
    }

    [Theory]
    [InlineData("category:LogSignatur=none", "no category 'LogSignatur' in pack codered.alliedtelesis.ar (its categories: Exposure, LogSignature)")]
    [InlineData("CR9999=none", "no rule 'CR9999' in pack codered.alliedtelesis.ar (its rules: CR1001,")]
    [InlineData("category:=none", "must name a rule ID, category:NAME or all")]
    public void The_CLI_refuses_what_the_library_refuses(string setting, string message)
    {
        var result = RunCli(["analyze", "--severity", setting, Repo("docs", "samples", "ar320-capture.log")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_with_an_unknown_category_is_refused_at_its_line()
    {
        using var dir = new TempDir();
        var config = dir.Write(".editorconfig", "[*.log]\ndotnet_analyzer_diagnostic.category-LogSignatur.severity = none\n");
        var result = RunCli(["analyze", "--config", config, Repo("docs", "samples", "ar320-capture.log")]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(".editorconfig(2,1)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("no category 'LogSignatur'", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The members that throw on bad arguments say so in their XML docs, which IDEs show.</summary>
    [Theory]
    [InlineData("M:CodeRed.Rules.RulePack.Evaluate(CodeRed.Rules.DeviceEvidence,CodeRed.Rules.EvaluationOptions)", "ArgumentNullException", "ArgumentException", "InvalidOperationException", "FormatException", "IOException")]
    [InlineData("M:CodeRed.Rules.RulePack.LoadFrom(System.String)", "ArgumentNullException", "RulePackException")]
    [InlineData("M:CodeRed.Rules.EvidenceSource.FromFile(System.String,System.Text.Encoding,System.String)", "ArgumentNullException", "ArgumentException")]
    [InlineData("M:CodeRed.Rules.EvidenceSource.FromStream(System.String,System.IO.Stream,System.Text.Encoding)", "ArgumentNullException", "ArgumentException")]
    [InlineData("M:CodeRed.Rules.EvidenceSource.FromText(System.String,System.String)", "ArgumentNullException")]
    [InlineData("P:CodeRed.Rules.DeviceEvidence.Sources", "ArgumentNullException")]
    [InlineData("P:CodeRed.Rules.EvaluationOptions.MaxDistinctValues", "ArgumentOutOfRangeException")]
    [InlineData("M:CodeRed.Rules.SeverityConfiguration.WithRule(System.String,System.Nullable{CodeRed.Rules.DiagnosticSeverity})", "ArgumentException")]
    [InlineData("M:CodeRed.Rules.SeverityConfiguration.Validate(CodeRed.Rules.RulePack)", "ArgumentNullException")]
    public void Throwing_members_document_their_exceptions(string member, params string[] exceptions)
    {
        var xml = Path.ChangeExtension(typeof(RulePack).Assembly.Location, ".xml");
        var doc = XDocument.Load(xml).Descendants("member").SingleOrDefault(m => (string?)m.Attribute("name") == member);
        Assert.True(doc is not null, $"{member} is not in {xml}");
        var documented = doc.Elements("exception").Select(e => ((string?)e.Attribute("cref") ?? "").Split('.')[^1]).ToHashSet();
        foreach (var exception in exceptions)
        {
            Assert.True(documented.Contains(exception), $"{member} does not document {exception} (it documents {string.Join(", ", documented)})");
        }
    }

    private static DeviceEvidence EvaluateEvidence => new()
    {
        Sources = [EvidenceSource.FromText("log", "HTTP ERROR No free HTTP sessions - rejecting connection from 192.0.2.1\n")],
    };

    [Fact]
    public void The_report_says_its_language() =>
        Assert.Equal("ja", Pack.Evaluate(new DeviceEvidence(), new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("ja-JP") }).Culture.TwoLetterISOLanguageName);
}
