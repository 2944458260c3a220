using System.Text.Json;
using CodeRed.Cli;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The codered tool runs without ICU (invariant globalization, for start-up): the language still comes from --lang or
/// the locale variables, and full-width model names still find their model, as under ICU. The in-process tests run with
/// ICU, so the tool itself is run here.
/// </summary>
public class InvariantGlobalizationTests
{
    [Fact]
    public void The_tool_is_built_without_icu()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "codered.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.GetProperty("System.Globalization.Invariant").GetBoolean());
        Assert.False(properties.GetProperty("System.Globalization.PredefinedCulturesOnly").GetBoolean());
    }

    [Fact]
    public void The_tool_caps_the_young_generation()
    {
        // Peak RSS follows the GC's gen0 budget, which otherwise grows with the L3 cache (docs/performance.md).
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "codered.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(4L << 20, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
    }

    [Theory]
    [InlineData("LANG=ja_JP.UTF-8", "ルールパック:")]
    [InlineData("LANG=en_US.UTF-8 LC_MESSAGES=ja_JP.eucJP", "ルールパック:")] // LC_MESSAGES over LANG
    [InlineData("LANG=ja_JP.UTF-8 LC_ALL=C", "Pack:")] // LC_ALL over both
    [InlineData("LANG=C.UTF-8", "Pack:")]
    public void The_report_language_follows_the_locale_variables(string locale, string firstWord)
    {
        var r = ProcessSupport.Shell($"env -u LC_ALL -u LC_MESSAGES -u LANG {locale} $CODERED analyze --model AR320 --firmware 1.9.3");
        Assert.StartsWith(firstWord, r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_width_model_name_finds_its_model_in_the_tool()
    {
        var r = ProcessSupport.Shell("$CODERED analyze --format json --model 'ＡＲ３００Ｌ　Ｖ２' --firmware 1.9.3 --lang ja");
        using var report = JsonDocument.Parse(r.Stdout);
        Assert.Equal("AR300L V2", report.RootElement.GetProperty("device").GetProperty("model").GetString());
        Assert.Contains("ファームウエア", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ＡＲ３００Ｌ　Ｖ２", "AR300L V2")]
    [InlineData("AR-720", "AR-720")]
    [InlineData("～！", "~!")]
    [InlineData("｟", "｟")] // U+FF5F is past the full-width ASCII forms
    public void Full_width_forms_fold_without_icu(string text, string folded) => Assert.Equal(folded, ModelName.FoldFullWidth(text));

    [Theory]
    [InlineData("ja_JP.UTF-8", "ja-JP")]
    [InlineData("ja", "ja")]
    [InlineData("de_DE@euro", "de-DE")]
    [InlineData("C", null)]
    [InlineData("C.UTF-8", null)]
    [InlineData("POSIX", null)]
    [InlineData("en US", null)]
    public void A_locale_variable_names_a_culture(string locale, string? culture) =>
        Assert.Equal(culture, EnvironmentCulture.Name(name => name == "LANG" ? locale : null));
}
