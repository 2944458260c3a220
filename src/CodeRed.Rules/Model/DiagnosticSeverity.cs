namespace CodeRed.Rules;

/// <summary>Severity of a diagnostic, as in Roslyn. The order matters: later is more severe.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Reported to tools through the API and JSON, not shown in text output, never affects the exit code.</summary>
    Hidden,

    /// <summary>Something worth knowing.</summary>
    Info,

    /// <summary>Something to act on.</summary>
    Warning,

    /// <summary>Something to act on now.</summary>
    Error,
}

/// <summary>Text names of severities, as written in rule files, configuration and output.</summary>
public static class SeverityNames
{
    /// <summary>The lower-case name used in files and output (error, warning, info, hidden).</summary>
    public static string ToName(this DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "info",
        _ => "hidden",
    };

    /// <summary>Name to severity, for the four names rule files use.</summary>
    public static readonly IReadOnlyDictionary<string, DiagnosticSeverity> ByName =
        new Dictionary<string, DiagnosticSeverity>(StringComparer.Ordinal)
        {
            ["error"] = DiagnosticSeverity.Error,
            ["warning"] = DiagnosticSeverity.Warning,
            ["info"] = DiagnosticSeverity.Info,
            ["hidden"] = DiagnosticSeverity.Hidden,
        };

    /// <summary>Parses a severity name; <c>none</c> (rule off) gives <c>null</c> with <c>true</c>.</summary>
    public static bool TryParseSetting(string text, out DiagnosticSeverity? severity)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name is "none")
        {
            severity = null;
            return true;
        }

        if (name is "suggestion" or "note")
        {
            name = "info";
        }

        if (ByName.TryGetValue(name, out var value))
        {
            severity = value;
            return true;
        }

        severity = null;
        return false;
    }
}
