using Microsoft.Extensions.Logging;

namespace CodeRed.Rules.DependencyInjection;

/// <summary>The engine's log messages, source-generated. Event IDs are stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "PackLoaded", Level = LogLevel.Information,
        Message = "Rule pack {PackId} {PackVersion} (sha256 {PackSha256}) loaded from {Source}")]
    public static partial void PackLoaded(ILogger logger, string packId, string packVersion, string packSha256, string source);

    [LoggerMessage(EventId = 2, EventName = "PackReloaded", Level = LogLevel.Information,
        Message = "Rule pack reloaded from {Source}: now {PackId} {PackVersion} (sha256 {PackSha256}), was sha256 {PreviousSha256}")]
    public static partial void PackReloaded(ILogger logger, string source, string packId, string packVersion, string packSha256, string previousSha256);

    [LoggerMessage(EventId = 3, EventName = "PackReloadFailed", Level = LogLevel.Warning,
        Message = "Rule pack reload from {Source} failed with {ErrorCount} error(s); keeping {PackId} {PackVersion} (sha256 {PackSha256})")]
    public static partial void ReloadFailed(ILogger logger, string source, int errorCount, string packId, string packVersion, string packSha256);

    [LoggerMessage(EventId = 4, EventName = "PackProblem", Level = LogLevel.Warning,
        Message = "{File}({Line},{Column}): {ProblemSeverity}: {ProblemMessage}")]
    public static partial void Problem(ILogger logger, string file, int line, int column, string problemSeverity, string problemMessage);

    [LoggerMessage(EventId = 5, EventName = "PackLoadFailed", Level = LogLevel.Error,
        Message = "Rule pack from {Source} could not be loaded: {ErrorCount} error(s)")]
    public static partial void LoadFailed(ILogger logger, string source, int errorCount);

    [LoggerMessage(EventId = 6, EventName = "OptionsRejected", Level = LogLevel.Warning,
        Message = "CodeRed options after a configuration change are invalid, keeping {Kept}: {Failures}")]
    public static partial void OptionsRejected(ILogger logger, string failures, string kept);

    [LoggerMessage(EventId = 7, EventName = "PackChangedHandlerFailed", Level = LogLevel.Error,
        Message = "A PackChanged handler threw; the rule pack {PackId} {PackVersion} (sha256 {PackSha256}) is in force")]
    public static partial void PackChangedHandlerFailed(ILogger logger, Exception exception, string packId, string packVersion, string packSha256);

    [LoggerMessage(EventId = 8, EventName = "OptionsChangeFailed", Level = LogLevel.Error,
        Message = "Applying changed CodeRed options failed")]
    public static partial void OptionsChangeFailed(ILogger logger, Exception exception);
}
