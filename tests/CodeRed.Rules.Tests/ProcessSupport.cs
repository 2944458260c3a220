using System.Diagnostics;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Runs the built <c>codered</c> as a real child process under <c>/bin/sh</c>, for what the in-process
/// <see cref="TestSupport.RunCli"/> cannot show: closed or full standard streams, a reader that goes away, a
/// terminal, another user. The script gets <c>$CODERED</c>, the command that starts the CLI.
/// </summary>
internal static class ProcessSupport
{
    /// <summary>The CLI as the test build copies it beside the tests.</summary>
    /// <remarks>Unquoted, for <c>$CODERED</c> in scripts: the test output path has no spaces.</remarks>
    public static string Codered => $"dotnet {Path.Combine(AppContext.BaseDirectory, "codered.dll")}";

    private static readonly Lazy<bool> Root = new(() => OperatingSystem.IsLinux() && Shell("id -u").Stdout.Trim() == "0");

    /// <summary>Root reads every folder and file whatever its permissions.</summary>
    public static bool IsRoot => Root.Value;

    /// <summary>Runs <paramref name="script"/> with <c>sh -c</c>; fails the test when it outlives <paramref name="timeout"/>.</summary>
    public static CliResult Shell(string script, string? workingDirectory = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["CODERED"] = Codered;
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("NO_COLOR");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{script}' did not finish in {timeout ?? TimeSpan.FromSeconds(60)}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A test that needs a POSIX shell and the Linux C library (FIFOs, devices, closed descriptors).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (FIFOs, devices, /bin/sh)";
        }
    }
}
