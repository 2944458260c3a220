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
    private bool _replaying;

    public DeviceInventory Inventory { get; set; } = inventory;

    public long Findings { get; private set; }

    public long NotEvaluated { get; private set; }

    public long EvaluationErrors { get; private set; }

    /// <summary>Raised for each finding printed (the worker publishes it to NATS too).</summary>
    public Action<LiveDevice, Diagnostic>? FindingRaised { get; set; }

    /// <summary>
    /// Starts the device's session (model and firmware from the inventory) and replays the lines it already holds;
    /// findings and a verdict already printed are not printed again.
    /// </summary>
    public void Open(LiveDevice device)
    {
        device.Session?.Dispose();
        device.Session = null;
        EvaluationSession session;
        try
        {
            session = EvaluationSession.Start(pack, Options(device));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            EvaluationErrors++;
            CliApp.Error(invocation.Stderr, $"device '{device.Name}': {e.Message}");
            return;
        }

        device.Session = session;
        session.BeginSource(device.Name);
        Replay(device, session);
    }

    /// <summary>
    /// Resumes the device's session from a snapshot (a NATS checkpoint) with the same options <see cref="Open"/> gives,
    /// so it goes on exactly as the checkpointed one would have. Nothing is replayed and nothing printed again.
    /// </summary>
    /// <exception cref="ArgumentException">The snapshot was taken with another rule pack.</exception>
    public void Resume(LiveDevice device, SessionSnapshot snapshot)
    {
        device.Session?.Dispose();
        device.Session = null;
        var session = EvaluationSession.Restore([pack], snapshot, Options(device));
        device.Session = session;
        session.EventRaised += (_, e) => OnEvent(device, e);
    }

    /// <summary>The device's session state now, for a checkpoint; null without a session.</summary>
    public static SessionSnapshot? Snapshot(LiveDevice device) => device.Session?.CaptureSnapshot();

    private SessionOptions Options(LiveDevice device)
    {
        var known = Inventory.Find(device.Name);
        return new SessionOptions { Device = device.Name, Model = known?.Model, Firmware = known?.Firmware, Patches = known?.Patches, Evaluation = evaluation };
    }

    private void Replay(LiveDevice device, EvaluationSession session)
    {
        _replaying = true;
        try
        {
            session.EventRaised += (_, e) => OnEvent(device, e);
            foreach (var line in device.Lines)
            {
                session.WriteLine(line);
            }
        }
        finally
        {
            _replaying = false;
        }
    }

    /// <summary>One message for the device: counted, and judged (the session raises what it finds at once).</summary>
    public void Add(LiveDevice device, SyslogMessage message)
    {
        if (device.Add(message) is { } line && device.Session is { } session)
        {
            session.WriteLine(line);

            // A session raises a verdict only when it changes: the first one is said after the device's first line.
            if (device.Verdict is null)
            {
                PrintVerdict(device, session.GetReport().Verdict);
            }
        }
    }

    private void OnEvent(LiveDevice device, SessionEvent e)
    {
        switch (e.Kind)
        {
            case SessionEventKind.Finding or SessionEventKind.FindingUpdated when e.Diagnostic is { } diagnostic:
                if (diagnostic.Severity == DiagnosticSeverity.Hidden)
                {
                    return;
                }

                var first = device.ReportedRules.Add(diagnostic.Id);
                if (!first && (e.Kind == SessionEventKind.Finding || _replaying))
                {
                    return; // printed before (by this process, or before a checkpoint)
                }

                if (first)
                {
                    device.RememberEvidence(diagnostic.Line, device.TimestampOf(diagnostic.Line));
                    Findings++;
                    SyslogMetrics.Finding(diagnostic.Id);
                    FindingRaised?.Invoke(device, diagnostic);
                }

                WriteLine(json =>
                {
                    json.WriteString("event", first ? "finding" : "finding-updated");
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

                    if (diagnostic.Line is { } number)
                    {
                        json.WriteNumber("lineNumber", number);
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
                break;
            case SessionEventKind.VerdictChanged when e.Verdict is { } verdict:
                PrintVerdict(device, verdict);
                break;
        }
    }

    private void PrintVerdict(LiveDevice device, Verdict verdict)
    {
        if (verdict.Word == device.Verdict)
        {
            return;
        }

        var previous = device.Verdict;
        device.Verdict = verdict.Word;
        WriteLine(json =>
        {
            json.WriteString("event", "verdict");
            json.WriteString("device", device.Name);
            json.WriteString("verdict", verdict.Word);
            if (previous is null)
            {
                json.WriteNull("previous");
            }
            else
            {
                json.WriteString("previous", previous);
            }

            json.WriteString("summary", verdict.Text);
        });
    }

    /// <summary>The device's final report line; the caller lets the device go.</summary>
    public void Release(LiveDevice device, string reason)
    {
        var report = device.Session?.Complete()[0];
        device.Session?.Dispose();
        device.Session = null;
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
