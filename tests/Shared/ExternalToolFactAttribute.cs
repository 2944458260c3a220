using System.Reflection;

// Compiled into every test project that runs outside programs (linked by their .csproj), so that the rule for a
// missing program (skip with what to install, fail under CODERED_REQUIRE_TOOLS=1) is written once.
namespace CodeRed.Rules.Testing;

/// <summary>
/// A test that needs a real outside program (a validator, a browser, a syslog client, a server). Where the program
/// is missing the test is skipped with a message naming what to install, except when
/// <c>CODERED_REQUIRE_TOOLS=1</c> (set by <c>.ci/run</c>, which installs them): then it runs and fails, so that CI
/// never passes a check it silently skipped.
/// </summary>
public sealed class ExternalToolFactAttribute : FactAttribute
{
    public ExternalToolFactAttribute(string tool, string install)
    {
        if (ExternalTools.Find(tool) is null && !ExternalTools.Required)
        {
            Skip = $"'{tool}' is not installed ({install}); set {ExternalTools.RequireVariable}=1 to make this a failure";
        }
    }
}

/// <summary>Finds outside programs: on PATH, or in <c>artifacts/tools/node_modules/.bin</c> where <c>.ci/run</c> puts npm tools.</summary>
internal static class ExternalTools
{
    public const string RequireVariable = "CODERED_REQUIRE_TOOLS";

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The npm tools' folder: <c>artifacts/tools</c> in the repository (whose root the test project records).</summary>
    public static string NodeToolsDir { get; } = Path.Combine(
        typeof(ExternalTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!,
        "artifacts", "tools");

    public static string? Find(string tool)
    {
        var local = Path.Combine(NodeToolsDir, "node_modules", ".bin", tool);
        if (File.Exists(local))
        {
            return local;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The program's full path; fails the test (with what to install) when it is missing.</summary>
    public static string Require(string tool) =>
        Find(tool) ?? throw new InvalidOperationException($"'{tool}' is required ({RequireVariable}=1) but is not installed");
}
