using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Tooling;

/// <summary>Whether a sample must raise its rule (positive) or must not (negative).</summary>
public enum SampleKind
{
    /// <summary>The rule must be reported.</summary>
    Positive,

    /// <summary>The rule must not be reported.</summary>
    Negative,
}

/// <summary>
/// One sample of a rule: a log file under <c>positive/</c> or <c>negative/</c> (with the optional expectations of its
/// <c>NAME.expect.yaml</c> beside it), or one device case of <c>cases.yaml</c>.
/// </summary>
public sealed record RuleSample
{
    /// <summary>The rule the sample belongs to.</summary>
    public required string RuleId { get; init; }

    /// <summary>Positive or negative.</summary>
    public required SampleKind Kind { get; init; }

    /// <summary>Where the sample is, relative to the rules directory with <c>/</c>: the log file, or <c>cases.yaml(line,col)</c> for a case.</summary>
    public required string Name { get; init; }

    /// <summary>The full path of the log file, or null for a device case (no evidence, only a model and firmware).</summary>
    public string? LogPath { get; init; }

    /// <summary>The device model to evaluate the sample with, or null.</summary>
    public string? Model { get; init; }

    /// <summary>The firmware (product version) to evaluate the sample with, or null; <c>version:</c> or <c>firmware:</c> in the files.</summary>
    public string? Firmware { get; init; }

    /// <summary>
    /// The patches installed on the device (<c>patches: [MS01-033]</c>; <c>patches: []</c> says none is), or null when the
    /// sample does not say (the patch list is then unknown unless the evidence states it, as without <c>--patch</c>).
    /// </summary>
    public IReadOnlyList<string>? Patches { get; init; }

    /// <summary>For a positive sample: the diagnostic's expected count, or null for any.</summary>
    public long? ExpectedCount { get; init; }

    /// <summary>For a positive sample: the expected line of the first counted hit, or null for any.</summary>
    public long? ExpectedLine { get; init; }

    /// <summary>For a positive sample: the expected column of the first counted hit, or null for any.</summary>
    public long? ExpectedColumn { get; init; }
}

/// <summary>
/// The one place that knows where a rule's samples live (used by the linter, <c>codered rules docs</c> and
/// <c>codered rules test</c>). A rule's samples folder is <c>samples/ID/</c> beside the rule's file; when no other rule
/// has its file in that folder, <c>samples/</c> itself may be used (the <c>CR2001/samples/positive</c> convention).
/// The folder holds <c>positive/</c> and <c>negative/</c> (every file except hidden ones and <c>*.expect.yaml</c> is a
/// sample log) and <c>cases.yaml</c> (device cases: <c>positive:</c> and <c>negative:</c> lists of
/// <c>{ model, firmware }</c>). Comments never count as samples: only files and list items do.
/// </summary>
public sealed class SampleLayout
{
    /// <summary>Ending of the file of expectations beside a sample: <c>NAME.expect.yaml</c> for <c>NAME.log</c>.</summary>
    public const string ExpectationSuffix = ".expect.yaml";

    private const string CasesFile = "cases.yaml";
    private const int MaxSampleFiles = 1000;

    private readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);

    private SampleLayout(string rulesDirectory) => RulesDirectory = rulesDirectory;

    /// <summary>The rules directory the layout was read from.</summary>
    public string RulesDirectory { get; }

    /// <summary>Every sample found, by rule id then name.</summary>
    public IReadOnlyList<RuleSample> Samples { get; private set; } = [];

    /// <summary>Problems of the samples themselves (expectation files that do not parse, cases without a list, ...), with file, line and column.</summary>
    public IReadOnlyList<PackProblem> Problems { get; private set; } = [];

    /// <summary>The samples folder of a rule, relative to the rules directory with <c>/</c> (it need not exist).</summary>
    public string FolderOf(string ruleId) => _folders.GetValueOrDefault(ruleId, "samples/" + ruleId);

    /// <summary>The samples of one rule.</summary>
    public IEnumerable<RuleSample> Of(string ruleId) => Samples.Where(s => s.RuleId == ruleId);

    /// <summary>Reads the samples of every rule of <paramref name="pack"/> loaded from <paramref name="rulesDirectory"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SampleLayout Read(RulePack pack, string rulesDirectory)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(rulesDirectory);
        var layout = new SampleLayout(rulesDirectory);
        var samples = new List<RuleSample>();
        var problems = new List<PackProblem>();
        var byFolder = pack.Rules.GroupBy(r => Folder(r.SourceFile), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (folder, rules) in byFolder)
        {
            var shared = Join(folder, "samples");
            if (rules.Count > 1 && (Directory.Exists(Full(rulesDirectory, Join(shared, "positive"))) || Directory.Exists(Full(rulesDirectory, Join(shared, "negative"))) || File.Exists(Full(rulesDirectory, Join(shared, CasesFile)))))
            {
                problems.Add(new PackProblem(shared, 0, 0, ProblemSeverity.Warning,
                    $"samples beside several rules ({string.Join(", ", rules.Select(r => r.Id))}) belong to none of them: put each rule's samples in {Join(shared, "<ID>")}/"));
            }

            foreach (var rule in rules)
            {
                var own = Join(shared, rule.Id);
                var chosen = rules.Count == 1 && !Directory.Exists(Full(rulesDirectory, own)) ? shared : own;
                layout._folders[rule.Id] = chosen;
                ReadRule(rulesDirectory, rule, chosen, samples, problems);
            }
        }

        layout.Samples = samples.OrderBy(s => s.RuleId, StringComparer.Ordinal).ToArray(); // stable: positive files, negative files, then cases in file order
        layout.Problems = problems;
        return layout;
    }

    private static void ReadRule(string root, RuleDescriptor rule, string folder, List<RuleSample> samples, List<PackProblem> problems)
    {
        foreach (var kind in new[] { SampleKind.Positive, SampleKind.Negative })
        {
            var relative = Join(folder, kind == SampleKind.Positive ? "positive" : "negative");
            var directory = Full(root, relative);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            var names = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = true };
            var files = Directory.EnumerateFiles(directory, "*", names).Select(Path.GetFileName).OfType<string>()
                .Where(n => !n.StartsWith('.')).Take(MaxSampleFiles).Order(StringComparer.Ordinal).ToArray();
            var logs = files.Where(n => !n.EndsWith(ExpectationSuffix, StringComparison.OrdinalIgnoreCase)).ToArray();
            foreach (var expectation in files.Except(logs))
            {
                var stem = expectation[..^ExpectationSuffix.Length];
                var owners = logs.Where(l => Path.GetFileNameWithoutExtension(l) == stem || l == stem).ToArray();
                if (owners.Length != 1)
                {
                    problems.Add(new PackProblem(Join(relative, expectation), 0, 0, ProblemSeverity.Error, owners.Length == 0
                        ? $"expectations for a sample that does not exist (no '{stem}.*' beside it)"
                        : $"expectations for more than one sample ({string.Join(", ", owners)}): give the samples different names"));
                }
            }

            foreach (var log in logs)
            {
                // A FIFO or device would block whoever reads the sample (rules test, rules docs): refused, never opened.
                if (IO.FileTree.IsSpecial(Full(root, Join(relative, log))))
                {
                    problems.Add(new PackProblem(Join(relative, log), 0, 0, ProblemSeverity.Error, "a sample must be a regular file, not a FIFO, device or socket"));
                    continue;
                }

                var stem = Path.GetFileNameWithoutExtension(log);
                var expectation = Join(relative, stem + ExpectationSuffix);
                var sample = new RuleSample { RuleId = rule.Id, Kind = kind, Name = Join(relative, log), LogPath = Full(root, Join(relative, log)) };
                if (File.Exists(Full(root, expectation)))
                {
                    sample = ReadExpectation(root, expectation, sample, problems);
                }

                samples.Add(sample);
            }
        }

        var cases = Join(folder, CasesFile);
        if (File.Exists(Full(root, cases)))
        {
            ReadCases(root, rule.Id, cases, samples, problems);
        }
    }

    private static RuleSample ReadExpectation(string root, string relative, RuleSample sample, List<PackProblem> problems)
    {
        if (ReadYaml(root, relative, problems) is not { } node || MapReader.Of(node, problems, "a sample's expectations") is not { } m)
        {
            return sample;
        }

        var count = m.Int("count", 1, int.MaxValue);
        var line = m.Int("line", 1, int.MaxValue);
        var column = m.Int("column", 1, int.MaxValue);
        var result = sample with { Model = m.String("model"), Firmware = VersionOf(m, node), Patches = PatchesOf(m), ExpectedCount = count, ExpectedLine = line, ExpectedColumn = column };
        if (sample.Kind == SampleKind.Negative && (count ?? line ?? column) is not null)
        {
            m.Error(node, "a negative sample expects the rule not to be reported: 'count', 'line' and 'column' are for positive samples");
        }

        m.Finish();
        return result;
    }

    private static void ReadCases(string root, string ruleId, string relative, List<RuleSample> samples, List<PackProblem> problems)
    {
        if (ReadYaml(root, relative, problems) is not { } node || MapReader.Of(node, problems, "the device cases") is not { } m)
        {
            return;
        }

        foreach (var (key, kind) in new[] { ("positive", SampleKind.Positive), ("negative", SampleKind.Negative) })
        {
            foreach (var item in m.List(key))
            {
                if (MapReader.Of(item, problems, "a device case") is not { } c)
                {
                    continue;
                }

                samples.Add(new RuleSample
                {
                    RuleId = ruleId, Kind = kind, Name = $"{relative}({item.Line},{item.Column})", Model = c.String("model"), Firmware = VersionOf(c, item),
                    Patches = PatchesOf(c),
                });
                c.Finish();
            }
        }

        m.Finish();
    }

    /// <summary>The product version: <c>version</c> (the general name) or <c>firmware</c> (the AR pack's), not both.</summary>
    private static string? VersionOf(MapReader m, YNode node)
    {
        var version = m.String("version");
        var firmware = m.String("firmware");
        if (version is not null && firmware is not null)
        {
            m.Error(node, "give 'version' or 'firmware' (the same thing), not both");
        }

        return version ?? firmware;
    }

    /// <summary>The installed patches (<c>patches: [ID, ...]</c>, an empty list for none), or null when the key is absent.</summary>
    private static IReadOnlyList<string>? PatchesOf(MapReader m) =>
        m.Has("patches") ? m.StringList("patches").Select(p => p.Trim()).ToArray() : null;

    /// <summary>The file's single YAML document, or null (an empty file, or one with problems, which are reported).</summary>
    private static YNode? ReadYaml(string root, string relative, List<PackProblem> problems)
    {
        string text;
        try
        {
            var info = new FileInfo(Full(root, relative));
            if (info.Length > PackFiles.MaxFileBytes)
            {
                problems.Add(new PackProblem(relative, 0, 0, ProblemSeverity.Error, "the file is larger than 2 MiB; sample files of expectations and cases are small"));
                return null;
            }

            text = File.ReadAllText(info.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new PackProblem(relative, 0, 0, ProblemSeverity.Error, "cannot read the file: " + e.Message));
            return null;
        }

        var before = problems.Count;
        var documents = YamlTree.Read(relative, text, problems);
        if (problems.Count > before)
        {
            return null;
        }

        if (documents.Count > 1)
        {
            MapReader.Error(problems, documents[1], "one document expected; this file has more than one");
        }

        return documents.FirstOrDefault();
    }

    private static string Folder(string sourceFile)
    {
        var slash = sourceFile.Replace('\\', '/').LastIndexOf('/');
        return slash < 0 ? "" : sourceFile[..slash];
    }

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    private static string Full(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
}
