using System.Text;
using System.Text.Json;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.IO;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;

namespace CodeRed.Cli;

/// <summary>
/// <c>codered analyze DIR</c> (or <c>--each FILE...</c>): every file is its own device, analysed in parallel
/// across cores, one report per input, written in input order whatever order they finish in. Folders are walked
/// with <see cref="FileTree"/>: links followed once, loops, FIFOs and devices skipped with a line on stderr, an
/// unreadable folder reported and the walk goes on. A file that cannot be read gets an error line and the others
/// go on; any input missed makes the exit code 2 once every report is written.
/// </summary>
internal static class FleetCommand
{
    /// <summary>One device's file: the name it is reported by and how to open it.</summary>
    private sealed record Input(string Name, Func<Stream> Open);

    public static int Run(
        RulePack pack,
        IReadOnlyList<string> inputs,
        DeviceEvidence device,
        Encoding? encoding,
        EvaluationOptions options,
        string format,
        SarifOptions sarif,
        Stream stdout,
        TextWriter stderr,
        bool showProgress,
        bool color)
    {
        var (files, missed) = Expand(inputs, stderr);
        if (files.Count == 0)
        {
            CliApp.Error(stderr, inputs.Count == 1 ? $"no files to analyse in '{inputs[0]}'" : "no files to analyse");
            return CliApp.Failure;
        }

        var total = files.Count;
        var worst = missed ? CliApp.Failure : CliApp.Clean;
        var done = 0;
        var results = files
            .AsParallel()
            .AsOrdered()
            .WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(file => Analyse(pack, file, device, encoding, options));

        using var json = format == "json" ? new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) : null;
        json?.WriteStartArray();
        var fleetReports = new List<FleetDevice>();
        foreach (var (file, report, error) in results)
        {
            worst = Math.Max(worst, error is not null ? CliApp.Failure : report!.MaxSeverity >= DiagnosticSeverity.Warning ? CliApp.Findings : CliApp.Clean);
            switch (format)
            {
                case "json" when report is not null:
                    JsonReportWriter.Write(json!, report);
                    break;
                case "json":
                    WriteError(json!, file, error!);
                    break;
                case "sarif" or "html" when report is not null:
                    // One SARIF log or HTML page for the fleet, written when every device is done.
                    fleetReports.Add(new(file, report));
                    break;
                case "sarif" or "html":
                    CliApp.Error(stderr, $"{file}: {error}");
                    break;
                case "jsonl":
                    using (var line = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                    {
                        if (report is not null)
                        {
                            JsonReportWriter.Write(line, report);
                        }
                        else
                        {
                            WriteError(line, file, error!);
                        }
                    }

                    stdout.Write("\n"u8);
                    break;
                default:
                    // A file name with a newline or ESC must not forge a line: names are shown escaped.
                    var ids = report is null ? "" : string.Join(' ', report.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).Distinct());
                    var verdict = report is null ? "" : TerminalText.Escape(report.Verdict.Word);
                    var text = report is null
                        ? $"{TerminalText.Escape(file)}: error: {TerminalText.Escape(error!)}"
                        : $"{TerminalText.Escape(file)}: {(color ? Ansi.Paint(verdict, report.Verdict.Severity) : verdict)}{(ids.Length > 0 ? " " + TerminalText.Escape(ids) : "")}";
                    stdout.Write(Encoding.UTF8.GetBytes(text + "\n"));
                    break;
            }

            done++;
            if (showProgress && (done % 50 == 0 || done == total))
            {
                var width = 30;
                var filled = done * width / total;
                stderr.Write($"\r[{new string('#', filled)}{new string(' ', width - filled)}] {done}/{total}");
                if (done == total)
                {
                    stderr.WriteLine();
                }
            }
        }

        if (json is not null)
        {
            json.WriteEndArray();
            json.Flush();
            stdout.Write("\n"u8);
        }

        if (format == "sarif")
        {
            SarifWriter.Write(stdout, fleetReports.Select(r => r.Report).ToList(), pack, sarif);
            stdout.Write("\n"u8);
        }

        if (format == "html" && fleetReports.Count > 0)
        {
            using var html = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
            HtmlReportWriter.WriteFleet(html, fleetReports);
        }

        stdout.Flush();
        return worst;
    }

    /// <summary>
    /// Files in input order; a folder contributes its files recursively, sorted by path. What is skipped is said on
    /// stderr; <c>Missed</c> is true when an input or part of a folder could not be read at all.
    /// </summary>
    private static (List<Input> Files, bool Missed) Expand(IReadOnlyList<string> inputs, TextWriter stderr)
    {
        var files = new List<Input>();
        var missed = false;
        foreach (var input in inputs)
        {
            if (input == "-")
            {
                throw new UsageException("standard input cannot be one of many inputs; give files or a directory");
            }

            if (Directory.Exists(input))
            {
                var found = new List<Input>();
                foreach (var (entry, problem) in FileTree.Walk(input, new FileTreeOptions { SkipHidden = true }))
                {
                    if (problem is not null)
                    {
                        // A FIFO or device is skipped by design and a loop adds nothing; an unreadable folder is a gap.
                        CliApp.Error(stderr, problem.Kind == FileTreeProblemKind.Unreadable ? $"cannot read '{problem.DisplayPath}': {problem.Reason}" : $"skipped '{problem.DisplayPath}': {problem.Reason}");
                        missed |= problem.Kind == FileTreeProblemKind.Unreadable;
                    }
                    else
                    {
                        found.Add(new Input(entry!.DisplayPath, entry.Open));
                    }
                }

                files.AddRange(found.OrderBy(f => f.Name, StringComparer.Ordinal));
            }
            else if (File.Exists(input))
            {
                // Named explicitly: read it even if it is a FIFO or a device, as asked.
                var path = input;
                files.Add(new Input(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan)));
            }
            else
            {
                CliApp.Error(stderr, $"cannot read '{input}': no such file or directory");
                missed = true;
            }
        }

        return (files, missed);
    }

    private static (string File, AnalysisReport? Report, string? Error) Analyse(RulePack pack, Input file, DeviceEvidence device, Encoding? encoding, EvaluationOptions options)
    {
        try
        {
            using var stream = new WatchedFile(file.Name, file.Open());
            var report = pack.Evaluate(new DeviceEvidence { Model = device.Model, Firmware = device.Firmware, Patches = device.Patches, Sources = [EvidenceSource.FromStream(file.Name, stream, encoding)] }, options);
            return stream.Shrank() is { } problem ? (file.Name, null, $"the file {problem}") : (file.Name, report, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (file.Name, null, "cannot read the file: " + e.Message);
        }
    }

    private static void WriteError(Utf8JsonWriter json, string file, string error)
    {
        json.WriteStartObject();
        json.WriteString("source", file);
        json.WriteString("error", error);
        json.WriteEndObject();
    }
}
