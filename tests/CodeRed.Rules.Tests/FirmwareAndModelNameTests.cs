using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Tests;

public class FirmwareAndModelNameTests
{
    [Theory]
    [InlineData("2.0.4 PL 7")]
    [InlineData("2.0.4PL7")]
    [InlineData("2.0.4 pl 07")]
    [InlineData("2.0.4-07")]
    [InlineData("2.0.4-7")]
    [InlineData("Ver.2.0.4 PL 7")]
    [InlineData("  2.0.4  PL7 ")]
    public void Vendor_forms_of_one_version_are_equal(string text)
    {
        var version = FirmwareVersion.Parse(text);
        Assert.Equal(FirmwareVersion.Parse("2.0.4 PL 7"), version);
        Assert.Equal("2.0.4 PL 7", version.ToString());
        Assert.Equal(7, version.PatchLevel);
    }

    [Fact]
    public void A_missing_patch_level_is_zero_and_components_compare_as_numbers()
    {
        Assert.Equal(FirmwareVersion.Parse("2.0.4 PL 0"), FirmwareVersion.Parse("2.0.4"));
        Assert.True(FirmwareVersion.Parse("2.0.10") > FirmwareVersion.Parse("2.0.7 PL 9"));
        Assert.True(FirmwareVersion.Parse("2.0.4 PL 10") > FirmwareVersion.Parse("2.0.4 PL 9"));
        Assert.True(FirmwareVersion.Parse("1.9.3-00") < FirmwareVersion.Parse("2.0.4 PL 7"));
        Assert.Equal(FirmwareVersion.Parse("2.0"), FirmwareVersion.Parse("2.0.0"));
        Assert.Equal(FirmwareVersion.Parse("2.0").GetHashCode(), FirmwareVersion.Parse("2.0.0").GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("2.0.x")]
    [InlineData("2.0.4 PL")]
    [InlineData("2..4")]
    [InlineData("2.0.4 PL 7 beta")]
    [InlineData(">= 2.0.4")]
    [InlineData("1.2.3.4.5.6.7")]
    public void Anything_else_is_a_clear_error(string text)
    {
        Assert.False(FirmwareVersion.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        var e = Assert.Throws<FormatException>(() => FirmwareVersion.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Printing_and_parsing_round_trip()
    {
        foreach (var text in new[] { "2.0.4 PL 7", "1.9.3 PL 0", "10.0.12 PL 99" })
        {
            Assert.Equal(text, FirmwareVersion.Parse(FirmwareVersion.Parse(text).ToString()).ToString());
        }
    }

    [Theory]
    [InlineData("ar300l v2")]
    [InlineData("AR300LV2")]
    [InlineData("AR-300L V2")]
    [InlineData("ar_300l-v2")]
    [InlineData("ＡＲ３００Ｌ　Ｖ２")]
    public void Model_spellings_normalize_to_one_model(string spelling)
    {
        Assert.Equal("AR300L V2", TestSupport.Pack.Models.Find(spelling)?.Name);
    }

    [Fact]
    public void AR300_is_never_AR300_V2()
    {
        Assert.Equal("AR300", TestSupport.Pack.Models.Find("ar300")!.Name);
        Assert.Equal("AR300 V2", TestSupport.Pack.Models.Find("AR300V2")!.Name);
        Assert.NotEqual(ModelName.Normalize("AR300"), ModelName.Normalize("AR300 V2"));
        Assert.Null(TestSupport.Pack.Models.Find("AR300 V3"));
    }

    [Fact]
    public void Normalizing_twice_changes_nothing()
    {
        foreach (var name in new[] { "ar-300l v2", "AR 720", "ＡＲ７４０" })
        {
            Assert.Equal(ModelName.Normalize(name), ModelName.Normalize(ModelName.Normalize(name)));
        }
    }
}

