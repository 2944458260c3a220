using System.Reflection;
using System.Text;
using CodeRed.Cli;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tests;

/// <summary>Shared helpers: the repository's folders, evaluation shortcuts, and the CLI run in-process.</summary>
internal static class TestSupport
{
    static TestSupport() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string RepoRoot { get; } = typeof(TestSupport).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string RulesDir => Path.Combine(RepoRoot, "rules");

    public static string Repo(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    public static RulePack Pack => RulePack.Default;

    /// <summary>Whether a file below rules/ belongs to another pack: a folder between has its own pack.yaml (rules/webserver).</summary>
    public static bool InNestedPack(string file)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(file)); dir is not null && dir.Length > Path.GetFullPath(RulesDir).Length; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "pack.yaml")))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The smallest valid rule document: tests break it one way at a time.</summary>
    public const string MinimalRule = """
        kind: rule
        id: CR9001
        title: Test rule
        message: Test message
        category: LogSignature
        severity: warning
        match:
          - literal: hello
        """;

    public static AnalysisReport Evaluate(string? model = null, string? firmware = null, params (string Name, string Text)[] texts) =>
        Pack.Evaluate(new DeviceEvidence
        {
            Model = model,
            Firmware = firmware,
            Sources = texts.Select(t => EvidenceSource.FromText(t.Name, t.Text)).ToArray(),
        });

    public static AnalysisReport EvaluateLog(string text, string? model = null) => Evaluate(model, null, ("log", text));

    public static string[] Ids(this AnalysisReport report) => report.Diagnostics.Select(d => d.Id).ToArray();

    /// <summary>Runs the CLI in-process and captures its output and exit code; <paramref name="stdinIsPiped"/> as if input were piped in.</summary>
    public static CliResult RunCli(string[] args, byte[]? stdin = null, bool stdinIsPiped = false)
    {
        using var input = new MemoryStream(stdin ?? []);
        using var output = new MemoryStream();
        var error = new StringWriter();
        var code = CliApp.Run(args, input, output, error, stdinIsPiped: stdinIsPiped);
        return new CliResult(code, Encoding.UTF8.GetString(output.ToArray()), error.ToString());
    }

    /// <summary>A temporary directory removed at dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "codered-tests-" + Guid.NewGuid().ToString("N"));

        public string Write(string relative, string text)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
            return full;
        }

        /// <summary>Copies the default pack's YAML (no samples) into this directory.</summary>
        public TempDir WithDefaultRules()
        {
            foreach (var file in Directory.EnumerateFiles(RulesDir, "*.yaml", SearchOption.AllDirectories))
            {
                var relative = System.IO.Path.GetRelativePath(RulesDir, file);
                if (!relative.Split(System.IO.Path.DirectorySeparatorChar).Contains("samples"))
                {
                    Write(relative, File.ReadAllText(file));
                }
            }

            return this;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Read-only, forward-only stream members shared by the tests' generated streams; subclasses implement Read.</summary>
internal abstract class ReadOnlyTestStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    protected long BytesRead { get; set; }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
