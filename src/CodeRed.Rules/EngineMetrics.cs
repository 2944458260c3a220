using System.Diagnostics;
using System.Diagnostics.Metrics;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules;

/// <summary>
/// The engine's metrics, through <see cref="System.Diagnostics.Metrics"/>: a <see cref="Meter"/> named
/// <c>CodeRed.Rules</c> that OpenTelemetry collects with <c>AddMeter("CodeRed.Rules")</c>, and
/// <c>dotnet-counters monitor --counters CodeRed.Rules</c> shows. Recording costs next to nothing while no one
/// listens. The names and tags are documented in the README ("Metrics").
/// </summary>
internal static class EngineMetrics
{
    public const string MeterName = "CodeRed.Rules";

    private static readonly Meter Meter = new(MeterName, typeof(EngineMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("codered.evaluations", "{evaluation}", "Evaluations of evidence against a rule pack.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("codered.evaluation.duration", "s", "How long an evaluation took.");

    private static readonly Counter<long> Lines = Meter.CreateCounter<long>("codered.lines_read", "{line}", "Lines of evidence read.");

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>("codered.bytes_read", "By", "Bytes of evidence read from files and streams (text given in memory is not counted).");

    private static readonly Counter<long> Diagnostics = Meter.CreateCounter<long>("codered.diagnostics", "{diagnostic}", "Diagnostics reported, by rule (codered.rule.id) and severity (codered.severity).");

    private static readonly Counter<long> Reloads = Meter.CreateCounter<long>("codered.pack.reloads", "{reload}", "Rule packs swapped in by a reload.");

    private static readonly Counter<long> ReloadFailures = Meter.CreateCounter<long>("codered.pack.reload_failures", "{failure}", "Reloads that kept the pack in force: invalid or incomplete files, or a failing PackChanged handler.");

    public static void Evaluated(AnalysisReport report, long bytes, long startedTimestamp)
    {
        var pack = new KeyValuePair<string, object?>("codered.pack.id", report.Pack.Id);
        if (Evaluations.Enabled)
        {
            Evaluations.Add(1, pack, new("codered.verdict", report.Verdict.Word));
        }

        if (Duration.Enabled)
        {
            Duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, pack);
        }

        if (Lines.Enabled)
        {
            Lines.Add(report.SourcesRead.Sum(s => s.Lines), pack);
        }

        if (Bytes.Enabled)
        {
            Bytes.Add(bytes, pack);
        }

        if (Diagnostics.Enabled)
        {
            foreach (var diagnostic in report.Diagnostics)
            {
                Diagnostics.Add(1, pack, new("codered.rule.id", diagnostic.Id), new("codered.severity", diagnostic.Severity.ToString().ToLowerInvariant()));
            }
        }
    }

    private static readonly Counter<long> LoadFailures = Meter.CreateCounter<long>("codered.pack.load_failures", "{failure}", "Reloading providers that could not start because their pack did not load (also a host opening a new RulesPath).");

    public static void Reloaded(PackIdentity pack) => Reloads.Add(1, new KeyValuePair<string, object?>("codered.pack.id", pack.Id));

    public static void ReloadFailed(PackIdentity inForce) => ReloadFailures.Add(1, new KeyValuePair<string, object?>("codered.pack.id", inForce.Id));

    public static void LoadFailed() => LoadFailures.Add(1);
}
