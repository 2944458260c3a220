using System.Text;
using System.Text.Json;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;

namespace CodeRed.Cli;

/// <summary>
/// <c>codered analyze DIR</c> (or <c>--each FILE...</c>): every file is its own device, analysed in parallel
/// across cores, one report per input, written in input order whatever order they finish in. A file that
/// cannot be read gets an error line and the others go on.
/// </summary>
internal static class FleetCommand
{
    public static int Run(
        RulePack pack,
        IReadOnlyList<string> inputs,
        DeviceEvidence device,
        Encoding? encoding,
        EvaluationOptions options,
        string format,
        SarifOptions sarif,
        Stream stdout,
        StreamWriter output,
        TextWriter stderr,
        bool showProgress)
    {
        var files = Expand(inputs);
        var total = files.Count;
        var worst = CliApp.Clean;
        var done = 0;
        var results = files
            .AsParallel()
            .AsOrdered()
            .WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(file => Analyse(pack, file, device, encoding, options));

        output.Flush();
        using var json = format == "json" ? new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) : null;
        json?.WriteStartArray();
        var sarifReports = new List<AnalysisReport>();
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
                case "sarif" when report is not null:
                    // One SARIF log for the fleet, one run per device, written when every device is done.
                    sarifReports.Add(report);
                    break;
                case "sarif":
                    stderr.WriteLine($"codered: {file}: {error}");
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
                    var ids = report is null ? "" : string.Join(' ', report.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).Distinct());
                    var text = report is null ? $"{file}: error: {error}" : $"{file}: {report.Verdict.Word}{(ids.Length > 0 ? " " + ids : "")}";
                    stdout.Write(Encoding.UTF8.GetBytes(text + "\n"));
                    break;
            }

            done++;
            if (showProgress && (done % 50 == 0 || done == total))
            {
                var width = 30;
                var filled = total == 0 ? width : done * width / total;
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
            SarifWriter.Write(stdout, sarifReports, pack, sarif);
            stdout.Write("\n"u8);
        }

        stdout.Flush();
        return worst;
    }

    /// <summary>Files in input order; a directory contributes its files recursively, sorted by path.</summary>
    private static List<string> Expand(IReadOnlyList<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (input == "-")
            {
                throw new UsageException("standard input cannot be one of many inputs; give files or a directory");
            }

            if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new InputException($"cannot read '{input}': no such file or directory");
            }
        }

        return files;
    }

    private static (string File, AnalysisReport? Report, string? Error) Analyse(RulePack pack, string file, DeviceEvidence device, Encoding? encoding, EvaluationOptions options)
    {
        try
        {
            var report = pack.Evaluate(new DeviceEvidence { Model = device.Model, Firmware = device.Firmware, Sources = [EvidenceSource.FromFile(file, encoding, name: file)] }, options);
            return (file, report, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (file, null, "cannot read the file: " + e.Message);
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
