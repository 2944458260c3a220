using System.Globalization;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The catalogue and every sample's diagnostics as committed snapshots: any change to a rule's meaning
/// shows in review as a snapshot diff. The pack hash is masked, since it moves with every edit, comments included.
/// </summary>
public class CatalogueSnapshotTests
{
    private static JObject Json(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        var json = JObject.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        json["pack"]!["sha256"] = "(masked)";
        return json;
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ja")]
    public void Catalogue(string language) =>
        Snapshot.Match(Json(s => JsonReportWriter.WriteCatalogue(s, Pack, CultureInfo.GetCultureInfo(language))), new SnapshotNameExtension(language));

    public static TheoryData<string> Samples => [.. Directory.EnumerateFiles(RulesDir, "*.log", SearchOption.AllDirectories)
        .Where(f => !InNestedPack(f))
        .Select(f => Path.GetRelativePath(RulesDir, f).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_diagnostics(string relative)
    {
        var report = Pack.Evaluate(
            new DeviceEvidence { Sources = [EvidenceSource.FromFile(Path.Combine(RulesDir, relative), name: relative)] },
            new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en") });
        var name = relative.Replace("/samples/", "_").Replace('/', '_').Replace(".log", "");
        Snapshot.Match(Json(s => JsonReportWriter.Write(s, report)), new SnapshotNameExtension(name));
    }
}

/// <summary>Snapshots must be read from and written to the repository, also in CI builds.</summary>
public class SnapshotLocationTests
{
    [Fact]
    public void Test_source_paths_point_into_the_repository() =>
        Assert.StartsWith(Path.GetFullPath(RepoRoot), Path.GetFullPath(SourcePath()));

    private static string SourcePath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
