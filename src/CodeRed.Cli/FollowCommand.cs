using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;

namespace CodeRed.Cli;

/// <summary>
/// <c>codered analyze --follow</c>: reads a FILE as it grows (as <c>tail -f</c> does) or standard input until it closes,
/// through an <see cref="EvaluationSession"/>. With <c>--format jsonl</c> each finding and verdict change is one JSON
/// line the moment it fires; the last line is the final report. Ctrl-C or SIGTERM ends it with the report so far.
/// </summary>
internal static class FollowCommand
{
    /// <summary>How often a followed FILE is checked for new bytes once its end is reached.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static int Run(Invocation invocation, IReadOnlyList<RulePack> packs, string? input, SessionOptions sessionOptions, Encoding? encoding, string format, Action<IReadOnlyList<AnalysisReport>> writeFinal)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // end with the report so far, not with the runtime's exit
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var sigterm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            var reports = FollowAsync(invocation, packs, input, sessionOptions, encoding, format == "jsonl", stop.Token).GetAwaiter().GetResult();
            writeFinal(reports);
            return reports.Any(r => r.MaxSeverity >= DiagnosticSeverity.Warning) ? CliApp.Findings : CliApp.Clean;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<IReadOnlyList<AnalysisReport>> FollowAsync(Invocation invocation, IReadOnlyList<RulePack> packs, string? input, SessionOptions sessionOptions, Encoding? encoding, bool live, CancellationToken stop)
    {
        var name = input ?? "-";
        var session = Start();
        try
        {
            if (input is null or "-")
            {
                await ReadUntilClosedAsync(session, invocation.Stdin, stop).ConfigureAwait(false);
                return session.Complete();
            }

            while (true)
            {
                if (await FollowFileAsync(session, input, invocation, stop).ConfigureAwait(false))
                {
                    return session.Complete();
                }

                // The file was truncated (rotated in place): what it held is gone, so the report starts over.
                session.Dispose();
                CliApp.Error(invocation.Stderr, $"'{input}' was truncated: starting over from its beginning");
                session = Start();
            }
        }
        finally
        {
            session.Dispose();
        }

        EvaluationSession Start()
        {
            var started = EvaluationSession.Start(packs, sessionOptions);
            if (live)
            {
                started.EventRaised += (_, e) => WriteEvent(invocation, e);
            }

            started.BeginSource(name, encoding);
            return started;
        }
    }

    /// <summary>Standard input until it closes or the user stops; a read that never returns is left behind on stop.</summary>
    private static async Task ReadUntilClosedAsync(EvaluationSession session, Stream stdin, CancellationToken stop)
    {
        var buffer = new byte[1 << 16];
        try
        {
            while (true)
            {
                var read = await stdin.ReadAsync(buffer, stop).AsTask().WaitAsync(stop).ConfigureAwait(false);
                if (read <= 0)
                {
                    return;
                }

                session.Write(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads the file as it grows; true when stopped, false when the file shrank below what was read.</summary>
    private static async Task<bool> FollowFileAsync(EvaluationSession session, string path, Invocation invocation, CancellationToken stop)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot read '{path}': {e.Message}");
        }

        using (file)
        {
            var buffer = new byte[1 << 16];
            long position = 0;
            try
            {
                while (true)
                {
                    var read = await file.ReadAsync(buffer, stop).ConfigureAwait(false);
                    if (read > 0)
                    {
                        position += read;
                        session.Write(buffer.AsSpan(0, read));
                        continue;
                    }

                    if (new FileInfo(path).Exists && new FileInfo(path).Length < position)
                    {
                        return false;
                    }

                    await Task.Delay(PollInterval, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return true;
            }
            catch (IOException e)
            {
                throw new InputException($"cannot read '{path}': {e.Message}");
            }
        }
    }

    /// <summary>One event as one JSON line, flushed at once.</summary>
    private static void WriteEvent(Invocation invocation, SessionEvent e)
    {
        var output = invocation.Stdout;
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("event", e.Kind switch
            {
                SessionEventKind.Finding => "finding",
                SessionEventKind.FindingUpdated => "finding-updated",
                _ => "verdict",
            });
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("pack", e.PackId);
            if (e.Diagnostic is { } diagnostic)
            {
                json.WritePropertyName("diagnostic");
                JsonReportWriter.WriteDiagnostic(json, diagnostic);
            }

            if (e.Verdict is { } verdict)
            {
                json.WriteString("verdict", verdict.Word);
                json.WriteString("summary", verdict.Text);
                if (verdict.Severity is { } severity)
                {
                    json.WriteString("maxSeverity", severity.ToName());
                }
            }

            json.WriteEndObject();
        }

        output.Write("\n"u8);
        output.Flush();
    }
}
