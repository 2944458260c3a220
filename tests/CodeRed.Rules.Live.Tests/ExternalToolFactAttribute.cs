// A copy of tests/CodeRed.Rules.Tests/ExternalToolFactAttribute.cs (same behaviour; that project is not referenced here).
namespace CodeRed.Rules.Live.Tests;

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

    /// <summary>The npm tools' folder: <c>artifacts/tools</c> in the repository.</summary>
    public static string NodeToolsDir => Path.Combine(LiveSupport.RepoRoot, "artifacts", "tools");

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
