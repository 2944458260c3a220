using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CodeRed.Rules.IO;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;

namespace CodeRed.Rules.Tooling;

/// <summary>
/// Release tracking in the manner of Roslyn analyzers: <c>AnalyzerReleases.Shipped.md</c> and
/// <c>AnalyzerReleases.Unshipped.md</c> record new, changed and removed rules, and <c>rules.lock.json</c>
/// holds each rule's version and the SHA-256 of its definition (its YAML document, canonical, with the caveat texts it
/// names; a rule built in C# hashes its catalogue entry). The
/// checks catch a rule whose content changed without its version moving, a new ID not announced, and a
/// removed ID not recorded. They run in tests and in <c>codered rules validate --strict</c>; loading a pack
/// never requires them, so a user's own rule still loads.
/// </summary>
public static class ReleaseTracking
{
    /// <summary>The shipped-releases file name.</summary>
    public const string ShippedFile = "AnalyzerReleases.Shipped.md";

    /// <summary>The unshipped-changes file name.</summary>
    public const string UnshippedFile = "AnalyzerReleases.Unshipped.md";

    /// <summary>The lock file name.</summary>
    public const string LockFile = "rules.lock.json";

    private static readonly string[] Languages = ["en", "ja"];

    /// <summary>
    /// SHA-256 of a rule's definition as its author wrote it, so that no output format that grows moves it; for a rule
    /// written in C# (no YAML), of its catalogue entry in English and Japanese.
    /// </summary>
    public static string RuleHash(RulePack pack, RuleDescriptor rule)
    {
        if (rule.DefinitionHash is { } definition)
        {
            return definition.Value;
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var language in Languages)
            {
                JsonReportWriter.WriteRule(json, pack, rule, CultureInfo.GetCultureInfo(language));
            }

            json.WriteEndArray();
        }

        return Convert.ToHexString(SHA256.HashData(stream.ToArray())).ToLowerInvariant();
    }

    /// <summary>Writes <c>rules.lock.json</c> for the pack into <paramref name="directory"/>.</summary>
    public static void WriteLock(RulePack pack, string directory)
    {
        // Written to a temporary file and renamed: a full disk never leaves half a lock.
        using var file = AtomicFile.Create(Path.Combine(directory, LockFile));
        var json = new Utf8JsonWriter(file.Stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("pack", pack.Identity.Id);
        json.WriteString("hash", DefinitionHash.Scheme);
        json.WriteStartObject("rules");
        foreach (var rule in pack.Rules)
        {
            json.WriteStartObject(rule.Id);
            json.WriteNumber("version", rule.Version);
            json.WriteString("sha256", RuleHash(pack, rule));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        json.Dispose();
        file.Commit();
    }

    /// <summary>Checks the release files and the lock in <paramref name="directory"/> against the pack.</summary>
    public static IReadOnlyList<PackProblem> Check(RulePack pack, string directory)
    {
        var problems = new List<PackProblem>();
        var shipped = ReadReleases(Path.Combine(directory, ShippedFile), problems);
        var unshipped = ReadReleases(Path.Combine(directory, UnshippedFile), problems);
        var all = shipped.Concat(unshipped).ToList();
        var announced = all.Where(e => e.Section == "New Rules").ToList();
        var removed = all.Where(e => e.Section == "Removed Rules").Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var changed = unshipped.Where(e => e.Section == "Changed Rules").Select(e => e.Id).ToHashSet(StringComparer.Ordinal);

        foreach (var rule in pack.Rules)
        {
            if (!announced.Any(e => e.Id == rule.Id))
            {
                problems.Add(Error(rule.SourceFile, 1, $"rule {rule.Id} is new but not listed under '### New Rules' in {UnshippedFile}"));
            }
        }

        foreach (var entry in announced.Where(e => pack.FindRule(e.Id) is null && !removed.Contains(e.Id)))
        {
            problems.Add(Error(entry.File, entry.Line, $"rule {entry.Id} was removed from the pack but is not listed under '### Removed Rules' in {UnshippedFile}"));
        }

        var lockPath = Path.Combine(directory, LockFile);
        var locked = ReadLock(lockPath, problems, out var scheme);
        if (locked.Count > 0 && scheme != DefinitionHash.Scheme)
        {
            // Hashed another way (older locks hashed the JSON catalogue entry): comparing would call every rule changed.
            problems.Add(Error(LockFile, 1, $"the lock hashes rules as '{scheme ?? "catalogue"}', this codered as '{DefinitionHash.Scheme}'; check that no rule changed without its version moving, then run 'codered rules lock {directory}' once"));
            return problems;
        }

        foreach (var rule in pack.Rules)
        {
            var hash = RuleHash(pack, rule);
            if (!locked.TryGetValue(rule.Id, out var entry))
            {
                problems.Add(Error(LockFile, 1, $"rule {rule.Id} is not in the lock; run 'codered rules lock {directory}'"));
            }
            else if (entry.Version == rule.Version && entry.Sha256 != hash)
            {
                problems.Add(Error(rule.SourceFile, 1,
                    $"rule {rule.Id} changed but its version did not move (still {rule.Version}); bump 'version', list it under '### Changed Rules' in {UnshippedFile}, then run 'codered rules lock'"));
            }
            else if (entry.Version != rule.Version && !changed.Contains(rule.Id))
            {
                problems.Add(Error(rule.SourceFile, 1, $"rule {rule.Id} moved to version {rule.Version} but is not listed under '### Changed Rules' in {UnshippedFile}"));
            }
            else if (entry.Version != rule.Version || entry.Sha256 != hash)
            {
                problems.Add(Error(LockFile, 1, $"the lock is out of date for {rule.Id}; run 'codered rules lock {directory}'"));
            }
        }

        return problems;
    }

    /// <summary>
    /// Whether the pack holds every rule its lock names. A lock is a list of the pack's rules: a pack caught
    /// half-copied (some rule files not there yet) lacks some, and so does a pack whose lock was not written
    /// again after a rule was removed. Returns the problems (none when complete), and whether there was a lock.
    /// </summary>
    internal static IReadOnlyList<PackProblem> CheckComplete(RulePack pack, string directory, out bool hasLock)
    {
        var problems = new List<PackProblem>();
        var path = Path.Combine(directory, LockFile);
        hasLock = File.Exists(path);
        if (!hasLock)
        {
            return problems;
        }

        if (new FileInfo(path).Length > PackFiles.MaxFileBytes)
        {
            problems.Add(Error(LockFile, 0, $"the lock file is larger than {PackFiles.MaxFileBytes / (1024 * 1024)} MiB"));
            return problems;
        }

        var locked = ReadLock(path, problems, out _);
        var missing = locked.Keys.Where(id => pack.FindRule(id) is null).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            problems.Add(Error(LockFile, 1,
                $"the lock names {string.Join(", ", missing)}, not in the rule files: the pack is incomplete (still being copied?) or the lock is stale (run 'codered rules lock' after removing a rule)"));
        }

        return problems;
    }

    private sealed record Entry(string Id, string Section, string File, int Line);

    private static List<Entry> ReadReleases(string path, List<PackProblem> problems)
    {
        var entries = new List<Entry>();
        if (!File.Exists(path))
        {
            problems.Add(Error(Path.GetFileName(path), 0, "the release-tracking file is missing"));
            return entries;
        }

        string? section = null;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                section = line[4..].Trim();
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = null;
            }
            else if (section is not null && line.Contains('|', StringComparison.Ordinal) && !line.StartsWith("Rule ID", StringComparison.Ordinal) && !line.StartsWith('-'))
            {
                var id = line.Trim('|').Split('|')[0].Trim();
                if (id.Length > 0)
                {
                    entries.Add(new Entry(id, section, Path.GetFileName(path), i + 1));
                }
            }
        }

        return entries;
    }

    private static Dictionary<string, (int Version, string Sha256)> ReadLock(string path, List<PackProblem> problems, out string? scheme)
    {
        scheme = null;
        var result = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            problems.Add(Error(LockFile, 0, "the lock file is missing; run 'codered rules lock'"));
            return result;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            scheme = doc.RootElement.TryGetProperty("hash", out var hash) ? hash.GetString() : null;
            foreach (var rule in doc.RootElement.GetProperty("rules").EnumerateObject())
            {
                result[rule.Name] = (rule.Value.GetProperty("version").GetInt32(), rule.Value.GetProperty("sha256").GetString() ?? "");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            problems.Add(Error(LockFile, 1, "the lock file cannot be read: " + e.Message));
        }

        return result;
    }

    private static PackProblem Error(string file, int line, string message) => new(file, line, 1, ProblemSeverity.Error, message);
}
