using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Syslog;

namespace CodeRed.Cli.Watch;

/// <summary>
/// Judges live devices and prints what changed as JSON lines: findings not printed before, a changed verdict, and a
/// device's final report. Shared by <c>watch</c> and <c>worker</c>.
/// </summary>
internal sealed class DeviceJudge(RulePack pack, EvaluationOptions evaluation, DeviceInventory inventory, Invocation invocation)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ArrayBufferWriter<byte> _line = new();

    public DeviceInventory Inventory { get; set; } = inventory;

    public long Findings { get; private set; }

    public long NotEvaluated { get; private set; }

    public long EvaluationErrors { get; private set; }

    /// <summary>Raised for each finding printed (the worker publishes it to NATS too).</summary>
    public Action<LiveDevice, Diagnostic>? FindingRaised { get; set; }

    /// <summary>Judges the device's lines; prints findings not printed before and a changed verdict.</summary>
    public AnalysisReport? Evaluate(LiveDevice device)
    {
        device.Dirty = false;
        var known = Inventory.Find(device.Name);
        AnalysisReport report;
        try
        {
            // SESSION-MERGE: one EvaluationSession per device replaces this re-evaluation of every line.
            report = pack.Evaluate(new DeviceEvidence
            {
                Model = known?.Model, Firmware = known?.Firmware,
                Sources = [EvidenceSource.FromText(device.Name, device.Text())],
            }, evaluation);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            EvaluationErrors++;
            CliApp.Error(invocation.Stderr, $"device '{device.Name}': {e.Message}");
            return null;
        }

        foreach (var diagnostic in report.Diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Hidden || !device.ReportedRules.Add(diagnostic.Id))
            {
                continue;
            }

            Findings++;
            FindingRaised?.Invoke(device, diagnostic);
            SyslogMetrics.Finding(diagnostic.Id);
            WriteLine(json =>
            {
                json.WriteString("event", "finding");
                json.WriteString("device", device.Name);
                json.WriteString("rule", diagnostic.Id);
                json.WriteString("severity", diagnostic.Severity.ToName());
                json.WriteString("message", diagnostic.Message);
                json.WriteNumber("count", diagnostic.Count);
                if (device.TimestampOf(diagnostic.Line) is { } timestamp)
                {
                    json.WriteString("timestamp", timestamp);
                }
                else
                {
                    json.WriteNull("timestamp");
                }

                if (diagnostic.Line is { } line)
                {
                    json.WriteNumber("lineNumber", line);
                }

                if (diagnostic.LineText is { } text)
                {
                    json.WriteString("line", text);
                }
                else
                {
                    json.WriteNull("line");
                }
            });
        }

        if (report.Verdict.Word != device.Verdict)
        {
            var previous = device.Verdict;
            device.Verdict = report.Verdict.Word;
            WriteLine(json =>
            {
                json.WriteString("event", "verdict");
                json.WriteString("device", device.Name);
                json.WriteString("verdict", report.Verdict.Word);
                if (previous is null)
                {
                    json.WriteNull("previous");
                }
                else
                {
                    json.WriteString("previous", previous);
                }

                json.WriteString("summary", report.Verdict.Text);
            });
        }

        return report;
    }

    /// <summary>The device's final report line; the caller lets the device go.</summary>
    public void Release(LiveDevice device, string reason)
    {
        var report = Evaluate(device);
        NotEvaluated += device.NotEvaluated;
        WriteLine(json =>
        {
            json.WriteString("event", "report");
            json.WriteString("device", device.Name);
            json.WriteString("reason", reason);
            json.WriteNumber("messages", device.Messages);
            json.WriteNumber("notEvaluated", device.NotEvaluated);
            if (report is null)
            {
                json.WriteNull("report");
            }
            else
            {
                json.WritePropertyName("report");
                JsonReportWriter.Write(json, report);
            }
        });
    }

    /// <summary>One JSON object and a newline on stdout, flushed at once (a reader sees each event as it happens).</summary>
    public void WriteLine(Action<Utf8JsonWriter> body)
    {
        lock (_line)
        {
            WriteLineLocked(body);
        }
    }

    private void WriteLineLocked(Action<Utf8JsonWriter> body)
    {
        _line.Clear();
        using (var json = new Utf8JsonWriter(_line, JsonOptions))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        invocation.Stdout.Write(_line.WrittenSpan);
        invocation.Stdout.Write("\n"u8);
        invocation.Stdout.Flush();
    }
}
