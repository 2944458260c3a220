using System.Globalization;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Output;

namespace CodeRed.Rules.Tests;

/// <summary>What the session tests compare: reports rendered as JSON (and HTML when context is kept), batch reports of a prefix.</summary>
internal static class SessionReports
{
    /// <summary>The pack a sample is written for: the web-server pack's own and its documented logs, else the default.</summary>
    public static RulePack PackFor(string sample) =>
        sample.Replace('\\', '/') is var s && (s.StartsWith("rules/webserver/", StringComparison.Ordinal) || s.StartsWith("docs/samples/webserver-", StringComparison.Ordinal))
            ? WebServerPackTests.WebPack
            : TestSupport.Pack;

    /// <summary>The JSON report and, when context is kept, the HTML report (which shows the context and the hit times).</summary>
    public static string Render(AnalysisReport report, int contextLines)
    {
        var json = SessionTests.Json(report);
        if (contextLines == 0)
        {
            return json;
        }

        using var writer = new StringWriter();
        HtmlReportWriter.Write(writer, report);
        return json + "\n" + writer;
    }

    public static EvaluationOptions Options(int contextLines) => new() { Culture = CultureInfo.InvariantCulture, ContextLines = contextLines };

    public static string Batch(RulePack pack, byte[] bytes, int length, int contextLines, Encoding? encoding = null) =>
        Render(pack.Evaluate(new DeviceEvidence { Sources = [EvidenceSource.FromStream("log", new MemoryStream(bytes, 0, length), encoding)] }, Options(contextLines)), contextLines);

    /// <summary>Each line boundary, and the place just before each line break (a line still waiting for its end).</summary>
    public static IEnumerable<int> Cuts(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == (byte)'\n').SelectMany(i => new[] { i, i + 1 }).Prepend(0).Distinct().Order();
}
