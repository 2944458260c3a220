using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Text;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Loading;

/// <summary>
/// Turns the YAML documents of a pack into a <see cref="RulePack"/>: reads every document, checks every
/// key, value and cross-reference, collects all problems, and only then compiles. A pack with any error
/// throws one <see cref="RulePackException"/>; nothing is half-loaded.
/// </summary>
internal sealed partial class PackLoader
{
    public const int SupportedSchemaVersion = 1;

    /// <summary>Placeholders every message may use, besides captures, facts and parameters.</summary>
    internal static readonly IReadOnlySet<string> BuiltInPlaceholders = new HashSet<string>(StringComparer.Ordinal)
    {
        "model", "firmware", "fixedIn", "status", "note", "count", "source", "line", "firmwareSource",
        "version", "patch", "patches",
    };

    /// <summary>The justification labels of CSAF 2.0 flags (VEX), for <c>vulnerabilities[].flags[].label</c>.</summary>
    internal static readonly IReadOnlyList<string> FlagLabels =
    [
        "component_not_present", "inline_mitigations_already_exist", "vulnerable_code_cannot_be_controlled_by_adversary",
        "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present",
    ];

    private readonly List<PackProblem> _problems = [];
    private readonly List<PackProblem> _warnings = [];
    private HashSet<string>? _factNames; // the manifest's facts, which every rule's message may name

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex TagSyntax();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{1,15}$")]
    private static partial Regex RuleIdSyntax();

    [GeneratedRegex(@"^[a-z][a-z0-9.-]{0,63}$")]
    private static partial Regex NameSyntax();

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[^{}]*)\}")]
    internal static partial Regex Placeholder();

    public static RulePack Load(IReadOnlyList<PackFile> files, string origin) =>
        LoadReadingRulesAsParsed(files, origin) ?? LoadParsingAllFirst(files, origin);

    /// <summary>Loads reading each rule as it is parsed; null when the pack's layout needs <see cref="LoadParsingAllFirst"/>.</summary>
    internal static RulePack? LoadReadingRulesAsParsed(IReadOnlyList<PackFile> files, string origin) => new PackLoader().Run(files, origin, rulesAsParsed: true);

    /// <summary>Loads with every document parsed before any rule is read: the way for any layout (and the tests' reference).</summary>
    internal static RulePack LoadParsingAllFirst(IReadOnlyList<PackFile> files, string origin) => new PackLoader().Run(files, origin, rulesAsParsed: false)!;

    /// <summary>A document of the pack, its kind, and where it is (for the rule's definition hash).</summary>
    private readonly record struct PackDocument(YMapping Node, string Kind, FileDocuments File, int Index);

    /// <summary>
    /// Loads the pack. With <paramref name="rulesAsParsed"/>, the files that look as if they hold the manifest or the
    /// model matrix are parsed first, then each rule is read as soon as its document is parsed, so its tree dies
    /// young instead of surviving every collection until all files are parsed (most of loading 10,000 rules was the
    /// collector copying those trees). A manifest or matrix found only later, or none, needs every document first:
    /// then this returns null and the caller loads again that way. Problems come out in the same order
    /// either way: syntax and document problems in file order, then the pack's structure, then manifest, matrix and
    /// rules in document order.
    /// </summary>
    private RulePack? Run(IReadOnlyList<PackFile> files, string origin, bool rulesAsParsed)
    {
        var parsed = new List<PackDocument>?[files.Count];
        var parseProblems = new List<PackProblem>[files.Count];
        var sources = files.Select(f => new FileDocuments(f)).ToArray(); // parsed again, once per file, for definition hashes
        var manifests = new List<YMapping>();
        var matrices = new List<YMapping>();
        var remediationsFound = new List<(int File, YMapping Node)>(); // in the order parsed, not file order
        var manifest = (Manifest?)null;
        var matrix = (ModelMatrix?)null;
        var rulesBuilt = new List<(CompiledRule Rule, IReadOnlyList<(string Id, YNode Node)> Suppresses)>();
        var seenIds = new Dictionary<string, YNode>(StringComparer.OrdinalIgnoreCase);
        var ruleDocuments = 0;
        for (var i = 0; i < files.Count; i++)
        {
            if (!rulesAsParsed || MayHoldManifestOrMatrix(files[i].Text))
            {
                parsed[i] = Parse(i);
            }
        }

        if (rulesAsParsed && manifests.Count == 0)
        {
            return null;
        }

        if (rulesAsParsed)
        {
            ReadManifestAndMatrix();
        }

        // Rules in file and document order, whichever way they were parsed.
        for (var i = 0; i < files.Count; i++)
        {
            if (parsed[i] is null && (parsed[i] = Parse(i, readRules: true)) is { } late && late.Exists(d => d.Kind is "pack" or "models"))
            {
                return null; // rules before it were read without it
            }

            if (rulesAsParsed)
            {
                ReadRuleDocuments(parsed[i]!);
                parsed[i] = [];
            }
        }

        var remediations = remediationsFound.OrderBy(r => r.File).Select(r => r.Node).ToList(); // stable: file, then document order
        var structure = new List<PackProblem>();
        foreach (var extra in manifests.Skip(1))
        {
            MapReader.Error(structure, extra, "a second pack manifest; a pack has exactly one");
        }

        foreach (var extra in matrices.Skip(1))
        {
            MapReader.Error(structure, extra, "a second model matrix; a pack has at most one");
        }

        foreach (var extra in remediations.Skip(1))
        {
            MapReader.Error(structure, extra, "a second remediation document; a pack has at most one");
        }

        var readSoFar = _problems.ToArray();
        _problems.Clear();
        foreach (var list in parseProblems)
        {
            _problems.AddRange(list);
        }

        if (manifests.Count == 0 && _problems.Count == 0) // before the structure's problems, which do not hide it
        {
            _problems.Add(new PackProblem(origin, 0, 0, ProblemSeverity.Error, "no pack manifest (a document with 'kind: pack') was found"));
        }

        _problems.AddRange(structure);

        _problems.AddRange(readSoFar);
        if (!rulesAsParsed)
        {
            ReadManifestAndMatrix();
            foreach (var documents in parsed)
            {
                ReadRuleDocuments(documents!);
            }
        }

        var compiled = FinishRules(rulesBuilt, manifest);
        _someRuleUnread = compiled.Count < ruleDocuments || _problems.Count > 0; // a file that did not parse may hold the rule
        return Build(files, origin, manifests, remediations, manifest, matrix!, compiled);

        // Parses file i; with readRules, reads each rule as soon as it is parsed and takes all back if the file fails.
        List<PackDocument> Parse(int i, bool readRules = false)
        {
            var file = files[i];
            var problems = parseProblems[i] = [];
            var documents = new List<PackDocument>();
            if (file.Text.Length > PackFiles.MaxFileChars)
            {
                problems.Add(new PackProblem(file.Path, 1, 1, ProblemSeverity.Error, "the file is too large to be a rule file"));
                return documents;
            }

            var before = (Problems: _problems.Count, Warnings: _warnings.Count, Rules: rulesBuilt.Count, RuleDocuments: ruleDocuments,
                Manifests: manifests.Count, Matrices: matrices.Count, Remediations: remediationsFound.Count);
            var documentProblems = new List<PackProblem>();
            var idsAdded = new List<string>();
            var index = 0;
            if (!YamlTree.ReadEach(file.Path, file.Text, problems, Document))
            {
                // The file counts as if it had no documents, as when every document was read after all parsing.
                documents.Clear();
                _problems.RemoveRange(before.Problems, _problems.Count - before.Problems);
                _warnings.RemoveRange(before.Warnings, _warnings.Count - before.Warnings);
                rulesBuilt.RemoveRange(before.Rules, rulesBuilt.Count - before.Rules);
                ruleDocuments = before.RuleDocuments;
                manifests.RemoveRange(before.Manifests, manifests.Count - before.Manifests);
                matrices.RemoveRange(before.Matrices, matrices.Count - before.Matrices);
                remediationsFound.RemoveRange(before.Remediations, remediationsFound.Count - before.Remediations);
                foreach (var id in idsAdded)
                {
                    seenIds.Remove(id); // only what this file added: another file may have the same path
                }

                return documents;
            }

            problems.AddRange(documentProblems);
            return documents;

            void Document(YNode node)
            {
                var at = index++;
                if (MapReader.Of(node, documentProblems, "a rule-pack document") is not { } reader)
                {
                    return;
                }

                var kind = reader.String("kind", required: true);
                switch (kind)
                {
                    case null: break;
                    case "pack": manifests.Add((YMapping)node); break;
                    case "models": matrices.Add((YMapping)node); break;
                    case "rule": break;
                    case "remediation": remediationsFound.Add((i, (YMapping)node)); break;
                    default:
                        reader.Error(reader.Get("kind")!, $"unknown document kind '{Shorten(kind)}' (expected pack, models, rule or remediation)");
                        break;
                }

                if (kind is "pack" or "models" || (kind is "rule" && !readRules))
                {
                    documents.Add(new PackDocument((YMapping)node, kind, sources[i], at));
                }
                else if (kind is "rule")
                {
                    var ids = seenIds.Count;
                    ReadRuleDocument(new PackDocument((YMapping)node, kind, sources[i], at));
                    if (seenIds.Count > ids)
                    {
                        idsAdded.Add(((YMapping)node).Entries.First(e => e.Key.Value == "id").Value is YScalar { Value: var id } ? id : "");
                    }
                }
            }
        }

        void ReadManifestAndMatrix()
        {
            manifest = manifests.Count > 0 ? ReadManifest(manifests[0]) : null;
            matrix = matrices.Count > 0 ? ReadMatrix(matrices[0], manifest?.Product.VersionScheme ?? VersionScheme.ArFirmware) : new ModelMatrix([], new Dictionary<string, LocalizedText>());
            if (manifest is not null && matrices.Count > 0)
            {
                // Flags name notes of the model matrix; a manifest loaded without a matrix keeps them unchecked (they reach no model).
                foreach (var (note, node) in manifest.FlagNotes)
                {
                    if (!matrix.Notes.ContainsKey(note))
                    {
                        MapReader.Error(_problems, node, $"unknown note '{note}' (the model matrix defines: {string.Join(", ", matrix.Notes.Keys)})");
                    }
                }
            }
        }

        void ReadRuleDocuments(List<PackDocument> documents)
        {
            foreach (var document in documents)
            {
                if (document.Kind == "rule")
                {
                    ReadRuleDocument(document);
                }
            }
        }

        void ReadRuleDocument(PackDocument document)
        {
            ruleDocuments++;
            if (ReadRule(document, manifest, matrix!, seenIds) is { } rule)
            {
                rulesBuilt.Add(rule);
            }
        }
    }

    /// <summary>
    /// Whether a file's text may hold a manifest or model matrix, so that it is parsed before the rules are read. A
    /// document written otherwise (an escaped kind, say) is found when its file is parsed, and the pack loaded again.
    /// </summary>
    private static bool MayHoldManifestOrMatrix(string text) => ManifestOrMatrixKind().IsMatch(text);

    [GeneratedRegex("""kind['"]?\s*:\s*['"]?(pack|models)\b""")]
    private static partial Regex ManifestOrMatrixKind();

    private RulePack Build(IReadOnlyList<PackFile> files, string origin, List<YMapping> manifests, List<YMapping> remediations,
        Manifest? manifest, ModelMatrix matrix, List<CompiledRule> compiled)
    {
        var remediation = remediations.Count > 0 ? ReadRemediation(remediations[0], compiled, manifest?.Facts ?? []) : [];

        if (_problems.Count > 0 || manifest is null)
        {
            throw new RulePackException([.. _problems, .. _warnings]);
        }

        PhraseWarnings(manifests[0], manifest, compiled);
        var identity = new PackIdentity(manifest.Id, manifest.Version, Hash(files));
        return new RulePack(identity, manifest.SchemaVersion, manifest.Title, manifest.Advisory, manifest.References, manifest.Vulnerabilities, matrix,
            compiled, manifest.Records, manifest.Facts, remediation, manifest.Verdicts, _warnings)
        {
            Phrases = manifest.Phrases,
            CommandEcho = _commandEcho,
            DoneNote = _doneNote,
            Timestamps = manifest.Timestamps.ToArray(),
            Origin = origin,
            Files = files,
            Definition = manifest.Definition with
            {
                Identity = identity,
                Models = _modelDefinitions, ModelNotes = _modelNotes,
                Rules = compiled.Select(r => r.Definition).OfType<RuleDefinition>().ToArray(),
                Remediation = remediation.Select(s => s.Definition).ToArray(),
                CommandEcho = _commandEcho is null ? null : new CommandEchoDefinition
                {
                    Prompts = _commandEcho.Prompts.Select(DefinitionOf).ToArray(), Confirmation = _commandEcho.Confirmation is { } c ? DefinitionOf(c) : null,
                    ConfirmationWithin = _commandEcho.ConfirmationWithin, IgnoreCase = _commandEchoIgnoreCase,
                },
                DoneNote = _doneNote,
            },
            Product = manifest.Product,
            ColumnSets = manifest.ColumnSets.ToArray(),
        };
    }

    /// <summary>SHA-256 over the files in path order, line endings normalized so a checkout's settings do not change it.</summary>
    internal static string Hash(IReadOnlyList<PackFile> files)
    {
        var sha = new Sha256(); // managed: the platform's would load OpenSSL into every process (Sha256.cs)
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var text = file.Text.Replace("\r\n", "\n", StringComparison.Ordinal);
            sha.Append(Encoding.UTF8.GetBytes($"{file.Path}\n{text.Length}\n"));
            sha.Append(Encoding.UTF8.GetBytes(text));
        }

        return Convert.ToHexString(sha.Finish()).ToLowerInvariant();
    }

    private sealed class Manifest
    {
        public required PackDefinition Definition { get; init; }
        public required string Id { get; init; }
        public required string Version { get; init; }
        public required int SchemaVersion { get; init; }
        public required LocalizedText Title { get; init; }
        public required AdvisoryInfo Advisory { get; init; }
        public required IReadOnlyList<PackReference> References { get; init; }
        public required IReadOnlyList<VulnerabilityInfo> Vulnerabilities { get; init; }
        public required IReadOnlyList<(string Note, YNode Node)> FlagNotes { get; init; }
        public required string HelpUri { get; init; }
        public required IReadOnlyDictionary<string, LocalizedText> Caveats { get; init; }
        public required IReadOnlyList<RecordSpec> Records { get; init; }
        public required IReadOnlyList<FactSpec> Facts { get; init; }
        public required IReadOnlyDictionary<string, VerdictSpec> Verdicts { get; init; }
        public ReportPhrases Phrases { get; init; } = ReportPhrases.BuiltIn;
        public IReadOnlyList<TimestampSpec> Timestamps { get; init; } = [];
        public CalendarSpec? Calendar { get; init; }
        public ProductInfo Product { get; init; } = ProductInfo.Default;
        public IReadOnlyList<ColumnSetSpec> ColumnSets { get; init; } = [];
    }

    private Manifest? ReadManifest(YMapping node)
    {
        var m = MapReader.Of(node, _problems, "the pack manifest")!;
        m.String("kind");
        var schema = m.Int("schemaVersion", 1, 1000);
        if (schema is null && !m.Has("schemaVersion"))
        {
            m.Error(node, "the pack manifest is missing the required key 'schemaVersion'");
        }
        else if (schema is > SupportedSchemaVersion)
        {
            m.Error(m.Get("schemaVersion")!, $"schema version {schema} is newer than this engine understands ({SupportedSchemaVersion}); update CodeRed.Rules");
        }

        var id = m.String("id", required: true);
        if (id is not null && !NameSyntax().IsMatch(id))
        {
            m.Error(m.Get("id")!, $"pack id '{Shorten(id)}' must be lower-case letters, digits, dots and hyphens (at most 64)");
        }

        var version = m.String("version", required: true);
        if (version is not null && !SemVer().IsMatch(version))
        {
            m.Error(m.Get("version")!, $"pack version '{Shorten(version)}' must be a semantic version such as 1.2.0");
        }

        var title = Text(m, "title", required: true);
        var publisher = m.String("publisher") ?? "";
        CheckDisplayText(m.Get("publisher"), "publisher", null, publisher);
        AdvisoryInfo? advisory = null;
        if (m.Get("advisory") is { } advisoryNode && MapReader.Of(advisoryNode, _problems, "advisory") is { } a)
        {
            var first = Date(a, "firstEdition", required: true);
            var revised = Date(a, "revised", required: false);
            var advisoryTitle = Text(a, "title", required: true);
            var language = a.String("language");
            a.String("source");
            var summary = Text(a, "summary", required: false);
            var publisherNamespace = a.String("publisherNamespace");
            if (publisherNamespace is not null && !IsWebAddress(publisherNamespace))
            {
                a.Error(a.Get("publisherNamespace")!, $"'publisherNamespace' must be an absolute http or https URL, not '{Shorten(publisherNamespace)}'");
                publisherNamespace = null;
            }

            var tlp = a.String("tlp");
            if (tlp is not null && !TlpLabels.Contains(tlp))
            {
                a.Error(a.Get("tlp")!, $"'tlp' must be one of {string.Join(", ", TlpLabels)}, not '{Shorten(tlp)}'");
                tlp = null;
            }

            // CSAF names the document after its tracking id, the pack id (lower case, other characters as '_').
            var canonicalUrl = a.String("canonicalUrl");
            var fileName = id is null ? null : CsafFileName().Replace(id.ToLowerInvariant(), "_") + ".json";
            if (canonicalUrl is not null && (!canonicalUrl.StartsWith("https://", StringComparison.Ordinal) || !IsWebAddress(canonicalUrl)
                || fileName is not null && !canonicalUrl.EndsWith("/" + fileName, StringComparison.Ordinal)))
            {
                a.Error(a.Get("canonicalUrl")!, $"'canonicalUrl' must be an https URL ending with the CSAF file name '/{fileName ?? "<id>.json"}', not '{Shorten(canonicalUrl)}'");
                canonicalUrl = null;
            }

            a.Finish();
            if (first is not null && revised is not null && revised < first)
            {
                a.Error(a.Get("revised")!, "the revision date is before the first edition");
            }

            if (first is not null)
            {
                advisory = new AdvisoryInfo(advisoryTitle ?? LocalizedText.Empty, publisher, first.Value, revised)
                {
                    PublisherNamespace = publisherNamespace, Language = language, Summary = summary, Tlp = tlp, CanonicalUrl = canonicalUrl,
                };
            }
        }
        else
        {
            m.Error(node, "the pack manifest is missing the required key 'advisory'");
        }

        var references = new List<PackReference>();
        foreach (var item in m.List("references"))
        {
            if (MapReader.Of(item, _problems, "a reference") is { } r)
            {
                var refTitle = r.String("title", required: true);
                CheckDisplayText(r.Get("title"), "title", null, refTitle);
                var url = r.String("url");
                r.Finish();
                if (refTitle is not null)
                {
                    references.Add(new PackReference(refTitle, url));
                }
            }
        }

        var vulnerabilities = new List<VulnerabilityInfo>();
        var flagNotes = new List<(string, YNode)>();
        foreach (var item in m.List("vulnerabilities"))
        {
            if (MapReader.Of(item, _problems, "a vulnerability") is not { } vr)
            {
                continue;
            }

            var cve = vr.String("cve", required: true);
            if (cve is not null && !CveSyntax().IsMatch(cve))
            {
                vr.Error(vr.Get("cve")!, $"'{Shorten(cve)}' is not a CVE id (expected CVE-YYYY-NNNN)");
                cve = null;
            }
            else if (cve is not null && vulnerabilities.Any(x => x.Cve == cve))
            {
                vr.Error(vr.Get("cve")!, $"duplicate vulnerability '{cve}'");
                cve = null;
            }

            var vulnerabilityTitle = Text(vr, "title", required: true);
            var notes = Text(vr, "notes", required: false);
            var flags = new List<VulnerabilityFlag>();
            foreach (var flagNode in vr.List("flags"))
            {
                if (MapReader.Of(flagNode, _problems, "a flag") is not { } f)
                {
                    continue;
                }

                var note = f.String("note", required: true);
                var label = f.String("label", required: true);
                f.Finish();
                if (label is not null && !FlagLabels.Contains(label))
                {
                    f.Error(f.Get("label")!, $"'label' must be one of {string.Join(", ", FlagLabels)}, not '{Shorten(label)}'");
                    continue;
                }

                if (note is null || label is null)
                {
                    continue;
                }

                if (flags.Any(x => x.Note == note))
                {
                    f.Error(f.Get("note")!, $"note '{note}' has a flag already; a product has at most one flag per vulnerability");
                    continue;
                }

                flagNotes.Add((note, f.Get("note")!));
                flags.Add(new VulnerabilityFlag(note, label));
            }

            CweInfo? cwe = null;
            if (vr.Get("cwe") is { } cweNode && MapReader.Of(cweNode, _problems, "'cwe'") is { } cw)
            {
                var cweId = cw.String("id", required: true);
                var cweName = cw.String("name", required: true);
                cw.Finish();
                if (cweId is not null && !CweSyntax().IsMatch(cweId))
                {
                    cw.Error(cw.Get("id")!, $"'{Shorten(cweId)}' is not a CWE id (expected CWE-NNN)");
                }
                else if (cweId is not null && cweName is not null)
                {
                    cwe = new CweInfo(cweId, cweName);
                }
            }

            CvssV2Score? cvss = null;
            if (vr.Get("cvssV2") is { } cvssNode && MapReader.Of(cvssNode, _problems, "'cvssV2'") is { } s)
            {
                var vector = s.String("vector", required: true);
                var score = CvssScore(s, "baseScore");
                s.Finish();
                if (vector is not null && !CvssV2Syntax().IsMatch(vector))
                {
                    s.Error(s.Get("vector")!, $"'{Shorten(vector)}' is not a CVSS v2 base vector (such as AV:N/AC:L/Au:N/C:C/I:C/A:C)");
                }
                else if (vector is not null && score is not null)
                {
                    cvss = new CvssV2Score(vector, score.Value);
                }
            }

            vr.Finish();
            if (cve is not null && vulnerabilityTitle is not null)
            {
                vulnerabilities.Add(new VulnerabilityInfo(cve, vulnerabilityTitle, notes, flags) { Cwe = cwe, CvssV2 = cvss });
            }
        }

        var helpUri = m.String("helpUri") ?? "docs/rules/{id}.md";

        var caveats = new Dictionary<string, LocalizedText>(StringComparer.Ordinal);
        if (m.Get("caveats") is { } caveatsNode && MapReader.Of(caveatsNode, _problems, "caveats") is { } c)
        {
            foreach (var (key, _) in ((YMapping)caveatsNode).Entries)
            {
                if (Text(c, key.Value, required: true) is { } text)
                {
                    caveats[key.Value] = text;
                }
            }

            c.Finish();
        }

        var records = new List<RecordSpec>();
        foreach (var item in m.List("records"))
        {
            if (MapReader.Of(item, _problems, "a record") is not { } r)
            {
                continue;
            }

            var name = r.String("name", required: true);
            var start = PatternOf(r, "start", required: true);
            var maxLines = r.Int("maxLines", 1, 100) ?? 2;
            r.Finish();
            if (name is not null && start is not null)
            {
                if (records.Any(x => x.Name == name))
                {
                    r.Error(r.Get("name")!, $"duplicate record name '{Shorten(name)}'");
                }

                SlowPathWarning(item, $"record {Shorten(name)}", start);
                records.Add(new RecordSpec { Name = name, Start = start, MaxLines = maxLines });
            }
        }

        var facts = new List<FactSpec>();
        var factDefinitions = new List<FactDefinition>();
        foreach (var item in m.List("facts"))
        {
            if (MapReader.Of(item, _problems, "a fact") is not { } f)
            {
                continue;
            }

            var name = f.String("name", required: true);
            var pattern = PatternOf(f, "pattern", required: true);
            var take = f.String("take") ?? "last";
            var provides = f.String("provides");
            if (provides is not null and not ("version" or "patch" or "model"))
            {
                f.Error(f.Get("provides")!, $"'provides' must be model, version or patch, not '{Shorten(provides)}'");
                provides = null;
            }

            var shape = FactShape(f, out var writtenShape);
            var shapeDescription = Text(f, "shapeDescription", required: false);
            if (take is not ("first" or "last"))
            {
                f.Error(f.Get("take")!, $"'take' must be first or last, not '{Shorten(take)}'");
            }

            f.Finish();
            if (name is null || pattern is null)
            {
                continue;
            }

            if (!pattern.CaptureNames.Contains("value"))
            {
                f.Error(f.Get("pattern")!, $"the pattern of fact '{Shorten(name)}' must capture a group named 'value'");
            }

            if (facts.Any(x => x.Name == name))
            {
                f.Error(f.Get("name")!, $"duplicate fact name '{Shorten(name)}'");
            }
            else if (BuiltInPlaceholders.Contains(name) && name != "firmware")
            {
                f.Error(f.Get("name")!, $"fact name '{Shorten(name)}' is taken by a built-in value");
            }

            SlowPathWarning(item, $"fact {Shorten(name)}", pattern);
            // A schema-1 fact named 'firmware' provides the version, as it always did.
            provides ??= name == "firmware" ? "version" : null;
            if (provides == "version" && facts.FirstOrDefault(x => x.Provides == "version") is { } other)
            {
                f.Error(f.Get("name")!, $"fact '{Shorten(name)}' provides the version, as fact '{other.Name}' does; one fact provides it");
            }

            facts.Add(new FactSpec { Name = name, Pattern = pattern, TakeLast = take == "last", Shape = shape, ShapeDescription = shapeDescription, Provides = provides });
            factDefinitions.Add(new FactDefinition(name, DefinitionOf(pattern))
            {
                TakeLast = take == "last", Provides = provides, Shape = writtenShape is null ? null : DefinitionOf(writtenShape), ShapeDescription = shapeDescription,
            });
        }

        var verdicts = new Dictionary<string, VerdictSpec>(StringComparer.Ordinal);
        if (m.Get("verdicts") is { } verdictsNode && MapReader.Of(verdictsNode, _problems, "verdicts") is { } v)
        {
            foreach (var level in new[] { "error", "warning", "info", "none" })
            {
                if (v.Get(level) is { } levelNode && MapReader.Of(levelNode, _problems, $"verdict '{level}'") is { } l)
                {
                    var word = l.String("word", required: true);
                    CheckDisplayText(l.Get("word"), "word", null, word);
                    var text = Text(l, "text", required: true);
                    l.Finish();
                    if (word is not null && text is not null)
                    {
                        verdicts[level] = new VerdictSpec(word, text);
                    }
                }
                else
                {
                    v.Error(verdictsNode, $"verdicts is missing the level '{level}'");
                }
            }

            v.Finish();
        }
        else
        {
            m.Error(node, "the pack manifest is missing the required key 'verdicts'");
        }

        var columnSets = ReadColumnSets(m);
        var product = ReadProduct(m);
        var phrases = ReadPhrases(m);
        var timestamps = ReadTimestamps(m);
        var calendar = ReadCalendar(m);
        m.Finish();
        if (id is null || version is null || title is null || advisory is null || schema is null)
        {
            return null;
        }

        var definition = new PackDefinition
        {
            Identity = new PackIdentity(id, version, ""), SchemaVersion = schema.Value, Title = title, Advisory = advisory,
            References = references, Vulnerabilities = vulnerabilities, Product = product, HelpUri = helpUri,
            Caveats = caveats.Select(x => new CaveatDefinition(x.Key, x.Value)).ToArray(), Phrases = _phraseDefinitions,
            Timestamps = timestamps.Select(t => new TimestampDefinition(t.Name, DefinitionOf(t.Pattern))).ToArray(),
            Calendar = calendar is null ? null : new CalendarDefinition(calendar.Title, calendar.Source)
            {
                Url = calendar.Url, Phases = calendar.Phases.Select(x => new CalendarPhaseDefinition(x.FromDay, x.ToDay, x.Text)).ToArray(),
            },
            ColumnSets = columnSets.Select(c => new ColumnSetDefinition(c.Id, DefinitionOf(c.Header)) { Comment = c.Comment is null ? null : DefinitionOf(c.Comment), Separator = c.Separator }).ToArray(),
            Records = records.Select(r => new RecordDefinition(r.Name, DefinitionOf(r.Start), r.MaxLines)).ToArray(),
            Facts = factDefinitions,
            Verdicts = verdicts.Select(v => new VerdictDefinition(v.Key == "none" ? null : SeverityNames.ByName[v.Key], v.Value.Word, v.Value.Text)).ToArray(),
        };
        return new Manifest
        {
            Definition = definition,
            Id = id, Version = version, SchemaVersion = schema.Value, Title = title, Advisory = advisory, References = references,
            Vulnerabilities = vulnerabilities, FlagNotes = flagNotes, HelpUri = helpUri, Caveats = caveats, Records = records, Facts = facts, Verdicts = verdicts,
            Phrases = phrases.WithTerms(product.Terms), Timestamps = timestamps, Calendar = calendar, Product = product,
            ColumnSets = columnSets,
        };
    }

    /// <summary>The manifest's <c>product</c>: the version scheme and the product's words.</summary>
    private ProductInfo ReadProduct(MapReader m)
    {
        if (m.Get("product") is not { } node || MapReader.Of(node, _problems, "product") is not { } p)
        {
            return ProductInfo.Default;
        }

        var scheme = VersionScheme.ArFirmware;
        if (p.String("versionScheme") is { } name)
        {
            scheme = VersionScheme.Find(name) ?? VersionScheme.ArFirmware;
            if (VersionScheme.Find(name) is null)
            {
                p.Error(p.Get("versionScheme")!, $"unknown version scheme '{Shorten(name)}' (known: {string.Join(", ", VersionScheme.All.Select(s => s.Name))})");
            }
        }

        var terms = ProductTerms.Neutral;
        if (p.Get("terms") is { } termsNode && MapReader.Of(termsNode, _problems, "product.terms") is { } t)
        {
            terms = new ProductTerms(
                Text(t, "device", required: false) ?? terms.Device,
                Text(t, "model", required: false) ?? terms.Model,
                Text(t, "version", required: false) ?? terms.Version,
                Text(t, "patch", required: false) ?? terms.Patch,
                Text(t, "commands", required: false));
            t.Finish();
        }

        p.Finish();
        return new ProductInfo(scheme, terms);
    }

    /// <summary>The manifest's <c>timestamps</c>: named patterns with the groups day, hour and minute (and optionally second, month, year).</summary>
    private List<TimestampSpec> ReadTimestamps(MapReader m)
    {
        var timestamps = new List<TimestampSpec>();
        foreach (var item in m.List("timestamps"))
        {
            if (MapReader.Of(item, _problems, "a timestamp") is not { } t)
            {
                continue;
            }

            var name = t.String("name", required: true);
            var pattern = PatternOf(t, "pattern", required: true);
            t.Finish();
            if (name is null || pattern is null)
            {
                continue;
            }

            var missing = TimestampSpec.RequiredGroups.Where(g => !pattern.CaptureNames.Contains(g)).ToList();
            if (missing.Count > 0)
            {
                t.Error(t.Get("pattern")!, $"the pattern of timestamp '{Shorten(name)}' must capture the groups day, hour and minute (missing: {string.Join(", ", missing)}; second, month and year are optional)");
            }
            else if (timestamps.Any(x => x.Name == name))
            {
                t.Error(t.Get("name")!, $"duplicate timestamp name '{Shorten(name)}'");
            }
            else
            {
                // No slow-path warning: timestamps are read from hit lines only, never from every line.
                timestamps.Add(new TimestampSpec { Name = name, Pattern = pattern });
            }
        }

        return timestamps;
    }

    /// <summary>The manifest's <c>calendar</c>: day spans of the month, each with its text, and the source that describes them.</summary>
    private CalendarSpec? ReadCalendar(MapReader m)
    {
        if (m.Get("calendar") is not { } node || MapReader.Of(node, _problems, "calendar") is not { } c)
        {
            return null;
        }

        var title = Text(c, "title", required: true);
        var source = c.String("source", required: true);
        CheckDisplayText(c.Get("source"), "source", null, source);
        var url = c.String("url");
        if (url is not null && !IsWebAddress(url))
        {
            c.Error(c.Get("url")!, $"'url' must be an absolute http or https URL, not '{Shorten(url)}'");
            url = null;
        }

        var phases = new List<CalendarPhase>();
        foreach (var item in c.List("phases"))
        {
            if (MapReader.Of(item, _problems, "a calendar phase") is not { } p)
            {
                continue;
            }

            var from = p.Int("from", 1, 31);
            var to = p.Int("to", 1, 31);
            var text = Text(p, "text", required: true);
            if (!p.Has("from") || !p.Has("to"))
            {
                p.Error(item, "a calendar phase needs 'from' and 'to' (days of the month, 1 to 31)");
            }

            p.Finish();
            if (from is null || to is null || text is null)
            {
                continue;
            }

            if (from > to)
            {
                p.Error(item, $"a calendar phase runs from day {from} to day {to}: 'from' must not be after 'to'");
            }
            else if (phases.FirstOrDefault(x => x.FromDay <= to && from <= x.ToDay) is { } overlap)
            {
                p.Error(item, $"the calendar phase of days {from}-{to} overlaps the one of days {overlap.FromDay}-{overlap.ToDay}");
            }
            else
            {
                phases.Add(new CalendarPhase(from.Value, to.Value, text));
            }
        }

        c.Finish();
        return title is null || source is null ? null : new CalendarSpec(title, source, url, phases);
    }

    /// <summary>A language the pack carries (as <see cref="RulePack.Languages"/> counts) whose phrases fall back to English.</summary>
    private void PhraseWarnings(YMapping node, Manifest manifest, List<CompiledRule> rules)
    {
        var languages = manifest.Title.Languages
            .Concat(rules.SelectMany(r => r.Descriptor.Title.Languages.Concat(r.Descriptor.MessageFormat.Languages)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var language in languages)
        {
            var missing = ReportPhrases.Known.Keys.Where(k => !manifest.Phrases.Has(k, language)).ToList();
            if (missing.Count > 0)
            {
                _warnings.Add(new PackProblem(node.File, node.Line, node.Column, ProblemSeverity.Warning,
                    $"the pack carries '{language}', but the engine's phrases {string.Join(", ", missing)} have no '{language}' text; reports in '{language}' would show them in English (give them under 'phrases')"));
            }
        }
    }

    /// <summary>
    /// The manifest's <c>phrases</c>: the engine's words in the pack's languages (or reworded), each a known phrase with
    /// only its own placeholders.
    /// </summary>
    private readonly List<PhraseDefinition> _phraseDefinitions = [];

    private ReportPhrases ReadPhrases(MapReader manifest)
    {
        if (manifest.Get("phrases") is not { } node || MapReader.Of(node, _problems, "phrases") is not { } p)
        {
            return ReportPhrases.BuiltIn;
        }

        var phrases = new Dictionary<string, LocalizedText>(StringComparer.Ordinal);
        foreach (var (key, _) in ((YMapping)node).Entries)
        {
            var phrase = ReportPhrases.FormerNames.GetValueOrDefault(key.Value, key.Value);
            if (!ReportPhrases.Known.TryGetValue(phrase, out var known))
            {
                p.Error(key, $"unknown phrase '{Shorten(key.Value)}' (the engine's phrases: {string.Join(", ", ReportPhrases.Known.Keys)})");
                p.Get(key.Value); // reported here, not again as an unknown key
                continue;
            }

            if (Text(p, key.Value, required: true) is not { } text)
            {
                continue;
            }

            foreach (var language in text.Languages)
            {
                foreach (var name in MessageTemplate.ParseOnce(text.Get(CultureInfo.GetCultureInfo(language))).Names)
                {
                    if (!known.Placeholders.Contains(name, StringComparer.Ordinal))
                    {
                        p.Error(p.Get(key.Value)!, $"phrase '{key.Value}' uses '{{{Shorten(name)}}}', which it does not have ({(known.Placeholders.Length == 0 ? "it takes no placeholders" : "it has " + string.Join(", ", known.Placeholders.Select(x => "{" + x + "}")))})");
                    }
                }
            }

            if (!phrases.TryAdd(phrase, text))
            {
                var other = key.Value == phrase ? ReportPhrases.FormerNames.First(f => f.Value == phrase).Key : phrase;
                p.Error(key, $"phrases '{key.Value}' and '{other}' are the same ('{other}' is its {(key.Value == phrase ? "former" : "current")} name); keep '{phrase}'");
            }
        }

        p.Finish();
        _phraseDefinitions.AddRange(phrases.Select(x => new PhraseDefinition(x.Key, x.Value)));
        return new ReportPhrases(phrases);
    }

    [GeneratedRegex(@"^\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.-]{1,32})?$")]
    private static partial Regex SemVer();

    [GeneratedRegex(@"^CVE-[0-9]{4}-[0-9]{4,19}$")]
    private static partial Regex CveSyntax();

    [GeneratedRegex(@"^CWE-[1-9][0-9]{0,5}$")]
    private static partial Regex CweSyntax();

    /// <summary>A CVSS v2 base vector in NVD's form (the six base metrics, no prefix), as CSAF's cvss_v2.vectorString takes it.</summary>
    [GeneratedRegex(@"^AV:[LAN]/AC:[HML]/Au:[MSN]/C:[NPC]/I:[NPC]/A:[NPC]$")]
    private static partial Regex CvssV2Syntax();

    /// <summary>What CSAF's file-name rule replaces in a tracking id.</summary>
    [GeneratedRegex(@"[^+\-a-z0-9]+")]
    private static partial Regex CsafFileName();

    /// <summary>The TLP 1.0 labels of CSAF 2.0's document.distribution.tlp.</summary>
    internal static readonly IReadOnlyList<string> TlpLabels = ["AMBER", "GREEN", "RED", "WHITE"];

    /// <summary>A required CVSS score: a number from 0 to 10 with at most one decimal.</summary>
    private static double? CvssScore(MapReader map, string key)
    {
        var text = map.String(key, required: true);
        if (text is null)
        {
            return null;
        }

        if (map.Get(key) is YScalar { IsPlain: true } && CvssScoreSyntax().IsMatch(text)
            && double.Parse(text, CultureInfo.InvariantCulture) is var score and >= 0 and <= 10)
        {
            return score;
        }

        map.Error(map.Get(key)!, $"'{key}' must be a number from 0.0 to 10.0 with one decimal, not '{Shorten(text)}'");
        return null;
    }

    [GeneratedRegex(@"^\d{1,2}(?:\.\d)?$")]
    private static partial Regex CvssScoreSyntax();

    private static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static FirmwareVersion? RangeBound(MapReader v, string key, VersionScheme scheme)
    {
        var text = v.String(key);
        if (text is null)
        {
            return null;
        }

        if (!scheme.TryParse(text, out var version, out var error))
        {
            v.Error(v.Get(key)!, $"{error} (the pack's version scheme is {scheme.Name})");
        }

        return version;
    }

    // The model matrix's rows and notes as written, for the pack's definition.
    private readonly List<ModelDefinition> _modelDefinitions = [];
    private readonly List<ModelNoteDefinition> _modelNotes = [];

    private ModelMatrix ReadMatrix(YMapping node, VersionScheme scheme)
    {
        var m = MapReader.Of(node, _problems, "the model matrix")!;
        m.String("kind");
        var notes = new Dictionary<string, LocalizedText>(StringComparer.Ordinal);
        if (m.Get("notes") is { } notesNode && MapReader.Of(notesNode, _problems, "notes") is { } n)
        {
            foreach (var (key, _) in ((YMapping)notesNode).Entries)
            {
                if (Text(n, key.Value, required: true) is { } text)
                {
                    notes[key.Value] = text;
                    _modelNotes.Add(new ModelNoteDefinition(key.Value, text));
                }
            }

            n.Finish();
        }

        var models = new List<ModelEntry>();
        foreach (var item in m.List("models"))
        {
            if (MapReader.Of(item, _problems, "a model") is not { } r)
            {
                continue;
            }

            var name = r.String("name", required: true);
            var status = r.Enum("status", WireNames.ModelStatus.ByName, required: true);
            var note = r.String("note", required: true);
            var workaround = r.Bool("workaround");
            if (workaround is null && !r.Has("workaround"))
            {
                r.Error(item, "a model is missing the required key 'workaround'");
            }

            FirmwareVersion? fixedIn = null;
            string? fixPatch = null;
            IReadOnlyList<string> patchAliases = [];
            if (r.Get("fixedIn") is YMapping fixMap && MapReader.Of(fixMap, _problems, "'fixedIn'") is { } f)
            {
                // { version: "2.0.4 PL 7" } or { patch: MS01-033 }: exactly one.
                var version = f.String("version");
                fixPatch = f.String("patch");
                patchAliases = f.StringList("aliases");
                if (patchAliases.Count > 0 && fixPatch is null)
                {
                    f.Error(f.Get("aliases")!, "'aliases' names other ids of the fixing patch; it needs 'patch'");
                }
                else if (patchAliases.FirstOrDefault(a => a.Trim().Length == 0 || a.Length > 64 || a.Any(char.IsControl)) is { } badAlias)
                {
                    f.Error(f.Get("aliases")!, $"a patch alias must be 1 to 64 characters without control characters, not '{Shorten(badAlias)}'");
                }

                f.Finish();
                if ((version is null) == (fixPatch is null))
                {
                    f.Error(fixMap, "'fixedIn' must have exactly one of 'version' or 'patch' (or be 'pending' or a version)");
                }
                else if (version is not null && !scheme.TryParse(version, out fixedIn, out var error))
                {
                    f.Error(f.Get("version")!, $"{error} (the pack's version scheme is {scheme.Name})");
                }
                else if (fixPatch is not null && (fixPatch.Trim().Length == 0 || fixPatch.Length > 64 || fixPatch.Any(char.IsControl)))
                {
                    f.Error(f.Get("patch")!, "a patch id must be 1 to 64 characters without control characters");
                    fixPatch = null;
                }
            }
            else
            {
                var fix = r.String("fixedIn", required: true);
                if (fix is not null && fix != WireNames.FixName(false))
                {
                    if (!scheme.TryParse(fix, out fixedIn, out var error))
                    {
                        r.Error(r.Get("fixedIn")!, error + " (or 'pending' while no fix exists)");
                    }
                }
            }

            FirmwareVersion? from = null, before = null;
            if (r.Get("versions") is { } rangeNode && MapReader.Of(rangeNode, _problems, "'versions'") is { } v)
            {
                from = RangeBound(v, "from", scheme);
                before = RangeBound(v, "before", scheme);
                v.Finish();
                if (from is null && before is null && !v.Has("from") && !v.Has("before"))
                {
                    v.Error(rangeNode, "'versions' must have 'from', 'before' or both");
                }
                else if (from is not null && before is not null && from >= before)
                {
                    v.Error(rangeNode, $"'versions' is empty: 'from' {from} is not before 'before' {before}");
                }
            }

            var aliases = r.StringList("aliases");
            r.Finish();
            if (note is not null && !notes.ContainsKey(note))
            {
                r.Error(r.Get("note")!, $"unknown note '{Shorten(note)}' (defined notes: {string.Join(", ", notes.Keys)})");
            }

            if (name is null || status is null || note is null || workaround is null)
            {
                continue;
            }

            var entry = new ModelEntry(name, status.Value, note, notes.GetValueOrDefault(note) ?? LocalizedText.Empty, workaround.Value, fixedIn)
            {
                FixPatch = fixPatch?.Trim(), FixPatchAliases = [.. patchAliases.Select(a => a.Trim())], VersionsFrom = from, VersionsBefore = before, Aliases = aliases,
            };
            var clash = aliases.FirstOrDefault(a => models.Any(x => x.Key == ModelName.Normalize(a) || x.Aliases.Any(y => ModelName.Normalize(y) == ModelName.Normalize(a))));
            if (clash is not null)
            {
                r.Error(r.Get("aliases")!, $"alias '{Shorten(clash)}' is already a name or alias of another model");
            }

            if (models.Any(x => x.Key == entry.Key || x.Aliases.Any(a => ModelName.Normalize(a) == entry.Key)))
            {
                r.Error(r.Get("name")!, $"model '{Shorten(name)}' is listed twice (names compare without case, spaces and hyphens)");
                continue;
            }

            models.Add(entry);
            _modelDefinitions.Add(new ModelDefinition(name, status.Value, note, workaround.Value)
            {
                FixedIn = fixedIn?.ToString(), FixPatch = entry.FixPatch, FixPatchAliases = entry.FixPatchAliases,
                VersionsFrom = from?.ToString(), VersionsBefore = before?.ToString(), Aliases = aliases,
            });
        }

        m.Finish();
        return new ModelMatrix(models, notes);
    }

    /// <summary>Orders the rules by ID and resolves what they name of each other.</summary>
    private List<CompiledRule> FinishRules(List<(CompiledRule Rule, IReadOnlyList<(string Id, YNode Node)> Suppresses)> built, Manifest? manifest)
    {
        built.Sort((a, b) => string.CompareOrdinal(a.Rule.Descriptor.Id, b.Rule.Descriptor.Id));
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = built.Select(b => b.Rule).ToList();
        for (var i = 0; i < result.Count; i++)
        {
            result[i].Index = i; // rules are indexed in ID order
            byId[result[i].Descriptor.Id] = i;
        }

        for (var i = 0; i < built.Count; i++)
        {
            var suppressed = new List<int>();
            foreach (var (id, node) in built[i].Suppresses)
            {
                if (!byId.TryGetValue(id, out var target))
                {
                    MapReader.Error(_problems, node, $"'suppresses' names rule '{Shorten(id)}', which is not in the pack");
                }
                else if (manifest is not null && (result[target].Record != result[i].Record || result[i].Record is null))
                {
                    MapReader.Error(_problems, node, $"rule {result[i].Descriptor.Id} can only suppress '{Shorten(id)}' on a record both rules share ('record' must be set and equal)");
                }
                else
                {
                    suppressed.Add(target);
                }
            }

            result[i].SuppressedRules = suppressed;
        }

        if (manifest is not null)
        {
            foreach (var rule in result)
            {
                if (rule.Descriptor.ReplacedBy is { } replacement && !byId.ContainsKey(replacement))
                {
                    _problems.Add(new PackProblem(rule.Descriptor.SourceFile, 1, 1, ProblemSeverity.Error,
                        $"rule {rule.Descriptor.Id} is replaced by '{Shorten(replacement)}', which is not in the pack"));
                }
            }
        }

        return result;
    }

    private (CompiledRule Rule, IReadOnlyList<(string Id, YNode Node)> Suppresses)? ReadRule(
        PackDocument document, Manifest? manifest, ModelMatrix matrix, Dictionary<string, YNode> seen)
    {
        var node = document.Node;
        var r = MapReader.Of(node, _problems, "a rule")!;
        r.String("kind");
        var id = r.String("id", required: true);
        var idNode = r.Get("id");
        if (id is not null && !RuleIdSyntax().IsMatch(id))
        {
            r.Error(idNode!, $"rule id '{Shorten(id)}' must be a letter followed by 1 to 15 letters or digits (e.g. CR2001)");
            id = null;
        }
        else if (id is not null && seen.TryGetValue(id, out var first))
        {
            r.Error(idNode!, $"duplicate rule id '{id}' (first defined at {first.File}({first.Line},{first.Column}))");
            id = null;
        }
        else if (id is not null)
        {
            seen[id] = idNode!;
        }

        var what = id is null ? "a rule" : $"rule {id}";
        var title = Text(r, "title", required: true);
        var message = Text(r, "message", required: true);
        var description = Text(r, "description", required: false) ?? LocalizedText.Empty;
        var category = r.String("category", required: true);
        CheckDisplayText(r.Get("category"), "category", null, category);
        var severity = r.Enum("severity", SeverityNames.ByName, required: true);
        var enabled = r.Bool("enabled") ?? true;
        var status = r.Enum("status", WireNames.RuleStatus.ByName) ?? RuleStatus.Stable;
        var replacedBy = r.String("replacedBy");
        if (status == RuleStatus.Deprecated && replacedBy is null)
        {
            r.Error(node, $"{what} is deprecated and must name its replacement in 'replacedBy'");
        }

        var version = r.Int("version", 1, 100000) ?? 1;
        var introducedIn = r.String("introducedIn") ?? manifest?.Version ?? "1.0.0";
        var helpUri = r.String("helpUri") ?? manifest?.HelpUri.Replace("{id}", id, StringComparison.Ordinal) ?? "";
        var tags = r.StringList("tags");
        foreach (var tag in tags.Where(t => !TagSyntax().IsMatch(t)))
        {
            r.Error(r.Get("tags")!, $"tag '{Shorten(tag)}' must be a lower-case letter, then up to 31 lower-case letters, digits or hyphens");
        }

        var references = r.StringList("references");

        var caveats = new List<LocalizedText>();
        var caveatNames = new List<string>();
        foreach (var item in r.List("caveats"))
        {
            if (item is YScalar s && manifest?.Caveats.TryGetValue(s.Value, out var caveat) == true)
            {
                caveats.Add(caveat);
                caveatNames.Add(s.Value);
            }
            else if (manifest is not null)
            {
                r.Error(item, $"unknown caveat '{Shorten((item as YScalar)?.Value ?? "")}' (the pack manifest defines: {string.Join(", ", manifest.Caveats.Keys)})");
            }
        }

        HashSet<string>? modelKeys = null;
        var models = new List<string>();
        var modelsWritten = new List<string>();
        foreach (var item in r.List("models"))
        {
            if (item is not YScalar s)
            {
                r.Error(item, "items of 'models' must be model names");
                continue;
            }

            if (matrix.Find(s.Value) is { } entry)
            {
                (modelKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(entry.Key);
                models.Add(entry.Name);
                modelsWritten.Add(s.Value);
            }
            else
            {
                r.Error(item, $"unknown model '{Shorten(s.Value)}' (not in the model matrix)");
            }
        }

        var parametersRead = new Dictionary<string, int>(StringComparer.Ordinal);
        if (r.Get("parameters") is { } parametersNode && MapReader.Of(parametersNode, _problems, "parameters") is { } p)
        {
            foreach (var (key, _) in ((YMapping)parametersNode).Entries)
            {
                if (p.Int(key.Value, 0, 1_000_000) is { } value)
                {
                    parametersRead[key.Value] = value;
                }
            }

            p.Finish();
        }

        var suppresses = new List<(string, YNode)>();
        foreach (var item in r.List("suppresses"))
        {
            if (item is YScalar s)
            {
                suppresses.Add((s.Value, item));
            }
            else
            {
                r.Error(item, "items of 'suppresses' must be rule IDs");
            }
        }

        RecordSpec? record = null;
        if (r.String("record") is { } recordName)
        {
            record = manifest?.Records.FirstOrDefault(x => x.Name == recordName);
            if (record is null && manifest is not null)
            {
                r.Error(r.Get("record")!, $"unknown record '{Shorten(recordName)}' (the pack manifest defines: {string.Join(", ", manifest.Records.Select(x => x.Name))})");
            }
        }

        // Exactly one way of matching: device conditions, line patterns, or a counted section.
        DeviceConditionDefinition? device = null;
        var patterns = new List<Pattern>();
        SectionSpec? section = null;
        var captures = new HashSet<string>(StringComparer.Ordinal);
        var kinds = new[] { "when", "match", "section" }.Where(r.Has).ToList();
        if (kinds.Count != 1)
        {
            r.Error(node, $"{what} must have exactly one of 'when' (device rule), 'match' (line patterns) or 'section' (counted section); it has {(kinds.Count == 0 ? "none" : string.Join(" and ", kinds))}");
        }

        if (r.Get("when") is { } whenNode)
        {
            device = ReadDeviceCondition(whenNode, matrix);
        }

        var columnClauses = new List<ColumnClause>();
        var matchOrder = new List<int>();
        foreach (var item in r.List("match"))
        {
            if (IsColumnClause(item))
            {
                if (ReadColumnClause(item, manifest, what, captures) is { } clause)
                {
                    matchOrder.Add(~columnClauses.Count);
                    columnClauses.Add(clause);
                }
            }
            else if (ReadPattern(item) is { } pattern)
            {
                matchOrder.Add(patterns.Count);
                patterns.Add(pattern);
                captures.UnionWith(pattern.CaptureNames);
            }
        }

        if (r.Get("match") is YSequence { Items.Count: 0 } emptyMatch)
        {
            r.Error(emptyMatch, "'match' must list at least one pattern");
        }

        if (r.Get("section") is { } sectionNode && MapReader.Of(sectionNode, _problems, "section") is { } s2)
        {
            var start = PatternOf(s2, "start", required: true);
            var row = PatternOf(s2, "row", required: true);
            var count = PatternOf(s2, "count", required: true);
            var header = s2.Int("maxHeaderLines", 0, 50) ?? 4;
            s2.Finish();
            if (!parametersRead.TryGetValue("threshold", out var threshold))
            {
                r.Error(sectionNode, $"{what} counts a section and needs a 'threshold' in 'parameters'");
            }
            else if (threshold < 1)
            {
                r.Error(r.Get("parameters")!, $"the threshold of {what} must be at least 1");
            }

            if (start is not null && row is not null && count is not null)
            {
                section = new SectionSpec { Start = start, Row = row, Count = count, Threshold = threshold, MaxHeaderLines = header };
                captures.UnionWith(count.CaptureNames);
                captures.Add("rows");
            }
        }

        var counting = ReadCounting(r, what, kinds is ["match"], captures);
        if (kinds.Count == 1 && r.Get("parameters") is YMapping given)
        {
            CheckParameters(r, what, KindOfKey(kinds[0]), given);
        }

        r.Finish();
        IReadOnlyDictionary<string, int> parameters = parametersRead.Count == 0 ? NoParameters : parametersRead;

        if (id is null || title is null || message is null || category is null || severity is null)
        {
            return null;
        }

        // Every placeholder must have something behind it: a capture, a fact, a parameter or a built-in value (asked of
        // each, not gathered into a set per rule: that set was a tenth of loading 10,000 rules).
        _factNames ??= manifest?.Facts.Select(f => f.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var language in message.Languages)
        {
            foreach (var name in MessageTemplate.ParseOnce(message.Get(CultureInfo.GetCultureInfo(language))).Names)
            {
                if (!captures.Contains(name) && !BuiltInPlaceholders.Contains(name) && !parameters.ContainsKey(name)
                    && !(counting is not null && CountingPlaceholders.Contains(name)) && !_factNames.Contains(name))
                {
                    r.Error(r.Get("message")!, $"the message of {id} uses '{{{Shorten(name)}}}', but no capture, fact or parameter of that name exists");
                }
            }
        }

        if (patterns.Count > 0 || section is not null)
        {
            // Only patterns tried on every line matter for speed; section rows are tried inside a section only.
            foreach (var pattern in patterns.Append(section?.Start))
            {
                if (pattern is not null)
                {
                    SlowPathWarning(node, $"rule {id}", pattern);
                }
            }
        }

        var descriptor = new RuleDescriptor
        {
            Id = id, Title = title, MessageFormat = message, Description = description, Category = category,
            DefaultSeverity = severity.Value, IsEnabledByDefault = enabled, HelpUri = helpUri,
            Kind = device is not null ? RuleKind.Device : section is not null ? RuleKind.Section : RuleKind.Line,
            Status = status, ReplacedBy = replacedBy, Version = version, IntroducedIn = introducedIn, Models = Kept(models),
            Caveats = Kept(caveats), References = references, Parameters = parameters,
            Suppresses = suppresses.Count == 0 ? [] : suppresses.Select(x => x.Item1).ToArray(), Tags = tags, SourceFile = node.File,
            PackId = manifest?.Id ?? "", SourceLine = idNode?.Line ?? node.Line, SourceColumn = idNode?.Column ?? node.Column,
            DefinitionHash = DefinitionHash.Of(document.File, document.Index, caveats),
        };
        var definition = new RuleDefinition
        {
            Id = id, Version = version, IntroducedIn = r.String("introducedIn"), Status = status, ReplacedBy = replacedBy,
            Title = title, Message = message, Description = r.Has("description") ? description : null, Category = category,
            Severity = severity.Value, Enabled = enabled, HelpUri = r.String("helpUri"), Tags = descriptor.Tags, References = descriptor.References,
            Caveats = Kept(caveatNames), Models = Kept(modelsWritten), Parameters = parameters, Suppresses = descriptor.Suppresses,
            Record = record?.Name, When = device,
            Match = (columnClauses.Count == 0 ? patterns.Select((_, i) => i) : matchOrder)
                .Select(i => i >= 0 ? MatchDefinition.Of(DefinitionOf(patterns[i])) : MatchDefinition.Of(DefinitionOf(columnClauses[~i]))).ToArray(),
            Section = section is null ? null : new SectionDefinition(DefinitionOf(section.Start), DefinitionOf(section.Row), DefinitionOf(section.Count)) { MaxHeaderLines = section.MaxHeaderLines },
            Count = counting is null ? null : new CountDefinition { By = counting.By, Threshold = counting.Threshold, Window = counting.Window, RecursAfterRestart = counting.RecursAfterRestart },
        };
        var rule = new CompiledRule
        {
            Descriptor = descriptor, Device = device, Patterns = Kept(patterns), Columns = Kept(columnClauses), MatchOrder = columnClauses.Count == 0 ? [] : Kept(matchOrder), Section = section, Record = record, ModelKeys = modelKeys,
            Counting = counting, Definition = definition,
        };
        return (rule, suppresses);
    }

    private static readonly IReadOnlyDictionary<string, int> NoParameters = new Dictionary<string, int>();

    /// <summary>An empty list as the shared empty array, a full one as an array: a large pack keeps many of both.</summary>
    private static IReadOnlyList<T> Kept<T>(List<T> list) => list.Count == 0 ? [] : list.ToArray();

    /// <summary>
    /// The parameters the engine honours, by rule kind. Any other is a load error: a parameter that does nothing would
    /// still read as a promise in the message ("threshold 5" on a rule that fires on every hit).
    /// </summary>
    internal static readonly IReadOnlyDictionary<RuleKind, IReadOnlyList<string>> HonouredParameters = new Dictionary<RuleKind, IReadOnlyList<string>>
    {
        [RuleKind.Device] = [],
        [RuleKind.Line] = [],
        [RuleKind.Section] = ["threshold"],
    };

    private static RuleKind KindOfKey(string key) => key switch
    {
        "when" => RuleKind.Device,
        "section" => RuleKind.Section,
        _ => RuleKind.Line,
    };

    private static void CheckParameters(MapReader r, string what, RuleKind kind, YMapping parameters)
    {
        var honoured = HonouredParameters[kind];
        foreach (var (key, _) in parameters.Entries)
        {
            if (honoured.Contains(key.Value, StringComparer.Ordinal))
            {
                continue;
            }

            var users = HonouredParameters.Where(p => p.Value.Contains(key.Value, StringComparer.Ordinal)).Select(p => KindName(p.Key) + " rules").ToList();
            var known = honoured.Count == 0 ? $"a {KindName(kind)} rule takes no parameters" : $"a {KindName(kind)} rule takes only {string.Join(", ", honoured.Select(h => $"'{h}'"))}";
            r.Error(key, $"{what}: parameter '{Shorten(key.Value)}' is not used by the engine here ({known}{(users.Count > 0 ? $"; '{Shorten(key.Value)}' is for {string.Join(" and ", users)}" : "")}); remove it");
        }
    }

    private static string KindName(RuleKind kind) => kind switch
    {
        RuleKind.Device => "device",
        RuleKind.Section => "counted-section",
        _ => "line",
    };

    private void SlowPathWarning(YNode node, string owner, Pattern pattern)
    {
        if (pattern.RequiredLiteral is null)
        {
            _warnings.Add(new PackProblem(node.File, node.Line, node.Column, ProblemSeverity.Warning,
                $"{owner}: pattern '{Shorten(pattern.Source)}' has no literal every match must contain, so every line runs the full regex (slow path)"));
        }
    }

    private DeviceConditionDefinition? ReadDeviceCondition(YNode node, ModelMatrix matrix)
    {
        if (MapReader.Of(node, _problems, "'when'") is not { } w)
        {
            return null;
        }

        var condition = new DeviceConditionDefinition
        {
            ModelKnown = w.Bool("modelKnown"),
            Status = w.Enum("status", WireNames.ModelStatus.ByName),
            Note = w.String("note"),
            FixAvailable = w.Enum("fix", WireNames.FixState),
            Version = w.Enum("firmware", WireNames.VersionState.ByName) ?? w.Enum("version", WireNames.VersionState.ByName),
            Patch = w.Enum("patch", WireNames.PatchState.ByName),
        };
        if (w.Get("firmware") is not null && w.Get("version") is { } both)
        {
            w.Error(both, "'when' has both 'firmware' and 'version', which mean the same; keep one");
        }
        if (condition.Note is { } note && !matrix.Notes.ContainsKey(note))
        {
            w.Error(w.Get("note")!, $"unknown note '{Shorten(note)}' (the model matrix defines: {string.Join(", ", matrix.Notes.Keys)})");
        }

        w.Finish();
        if (condition.ModelKnown is null && condition.Status is null && condition.Note is null && condition.FixAvailable is null && condition.Version is null && condition.Patch is null)
        {
            w.Error(node, "'when' must state at least one condition (modelKnown, status, note, fix, firmware or version, patch)");
        }

        return condition;
    }

    private static ColumnClauseDefinition DefinitionOf(ColumnClause c) => new()
    {
        ColumnSet = c.Set.Id,
        Where = c.Where.Select(w => new ColumnCondition(w.Column, DefinitionOf(w.Pattern))).ToArray(),
        Capture = c.Capture.Select(x => new ColumnCapture(x.Name, x.Column)).ToArray(),
        Absent = c.Absent,
    };

    private Pattern? PatternOf(MapReader reader, string key, bool required)
    {
        var node = reader.Get(key);
        if (node is null)
        {
            if (required)
            {
                reader.Error(reader.Node, $"missing the required pattern '{key}'");
            }

            return null;
        }

        return ReadPattern(node);
    }

    /// <summary>A pattern is <c>{regex: ...}</c> or <c>{literal: ...}</c>, optionally with <c>ignoreCase: true</c>.</summary>
    private Pattern? ReadPattern(YNode node)
    {
        if (MapReader.Of(node, _problems, "a pattern") is not { } p)
        {
            return null;
        }

        var regex = p.String("regex");
        var literal = p.String("literal");
        var ignoreCase = p.Bool("ignoreCase") ?? false;
        p.Finish();
        if ((regex is null) == (literal is null))
        {
            p.Error(node, "a pattern must have exactly one of 'regex' or 'literal'");
            return null;
        }

        if (literal is not null)
        {
            if (literal.Length == 0)
            {
                p.Error(node, "a literal pattern must not be empty");
                return null;
            }

            if (literal.AsSpan().ContainsAny('\r', '\n'))
            {
                p.Error(p.Get("literal")!, "a literal pattern must not contain a line break: evidence is matched line by line, so it could never match");
                return null;
            }

            return Pattern.FromLiteral(literal, ignoreCase);
        }

        if (regex!.Length is 0 or > 1000)
        {
            p.Error(p.Get("regex")!, "a regex must have 1 to 1000 characters");
            return null;
        }

        // Counted repetitions are unrolled by the linear-time engine; bound them before compiling.
        var size = RegexLimits.Measure(regex);
        if (size.LargestCount > RegexLimits.MaxRepetition)
        {
            p.Error(p.Get("regex")!, $"the regex repeats something {size.LargestCount} times ('{Shorten(size.LargestQuantifier!)}'); counts are limited to {RegexLimits.MaxRepetition}, because the linear-time engine unrolls every counted repetition (use + or * for 'any number')");
            return null;
        }

        if (size.UnrolledSize > RegexLimits.MaxUnrolledSize && size.UnrolledSize > regex.Length)
        {
            p.Error(p.Get("regex")!, $"the regex is too large once its counted repetitions are unrolled: about {size.UnrolledSize} automaton nodes, more than {RegexLimits.MaxUnrolledSize}; nested or large counts such as '{Shorten(size.LargestQuantifier ?? "{n,m}")}' make the linear-time engine slow on every line (use smaller counts, or + and *)");
            return null;
        }

        if (size.UnrolledSize > RegexLimits.SlowUnrolledSize && size.UnrolledSize > regex.Length)
        {
            var at = p.Get("regex")!;
            _warnings.Add(new PackProblem(at.File, at.Line, at.Column, ProblemSeverity.Warning,
                $"pattern '{Shorten(regex)}' unrolls to about {size.UnrolledSize} automaton nodes because of its counted repetitions; matching long lines may be slow (keep counts small)"));
        }

        var pattern = Pattern.FromRegex(regex, ignoreCase, out var error);
        if (pattern is null)
        {
            p.Error(p.Get("regex")!, error!);
        }
        else if (pattern.Regex!.IsMatch(""))
        {
            p.Error(p.Get("regex")!, "the regex matches the empty string, so it would match every line");
            return null;
        }

        return pattern;
    }

    /// <summary>A pattern as written: its source text is kept verbatim, so nothing is lost.</summary>
    internal static PatternDefinition DefinitionOf(Pattern pattern) =>
        new(pattern.Source, pattern.Regex is null ? PatternSyntax.Literal : PatternSyntax.Regex, pattern.Comparison == StringComparison.OrdinalIgnoreCase);

    private RemediationSpec[] ReadRemediation(YMapping node, List<CompiledRule> rules, IReadOnlyList<FactSpec> facts)
    {
        var m = MapReader.Of(node, _problems, "the remediation document")!;
        m.String("kind");
        _commandEcho = m.Get("commandEcho") is { } echoNode ? ReadCommandEcho(echoNode) : null;
        _doneNote = Text(m, "doneNote", required: false);
        var result = new List<RemediationSpec>();
        var ids = rules.Select(r => r.Descriptor.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var item in m.List("steps"))
        {
            if (MapReader.Of(item, _problems, "a remediation step") is not { } s)
            {
                continue;
            }

            var id = s.String("id", required: true);
            var command = s.String("command");
            CheckDisplayText(s.Get("command"), "command", null, command);
            var text = Text(s, "text", required: true);
            var detail = Text(s, "detail", required: false);
            var hint = Text(s, "hintIfMissing", required: false);
            CheckRemediationPlaceholders(s, "command", command is null ? [] : [command], rules, facts);
            CheckRemediationPlaceholders(s, "text", AllLanguages(text), rules, facts);
            CheckRemediationPlaceholders(s, "detail", AllLanguages(detail), rules, facts);
            var doneBy = CommandForms(s, "doneBy", facts);
            var undoneBy = CommandForms(s, "undoneBy", facts);
            var needsConfirmation = s.Bool("needsConfirmation") ?? true;
            if (undoneBy.Count > 0 && doneBy.Count == 0)
            {
                s.Error(s.Get("undoneBy")!, "'undoneBy' needs 'doneBy': a step that is never done cannot be undone");
            }

            var ruleIds = new List<string>();
            DiagnosticSeverity? minSeverity = null;
            var workaround = false;
            if (s.Get("when") is { } whenNode && MapReader.Of(whenNode, _problems, "'when' of a remediation step") is { } w)
            {
                foreach (var ruleNode in w.List("rules"))
                {
                    if (ruleNode is YScalar r && ids.Contains(r.Value))
                    {
                        ruleIds.Add(r.Value);
                    }
                    else
                    {
                        w.Error(ruleNode, $"unknown rule '{Shorten((ruleNode as YScalar)?.Value ?? "")}' in a remediation trigger");
                    }
                }

                minSeverity = w.Enum("minSeverity", SeverityNames.ByName);
                workaround = w.Bool("workaroundModel") ?? false;
                w.Finish();
                if (ruleIds.Count == 0 && minSeverity is null)
                {
                    w.Error(whenNode, "a remediation trigger needs 'rules' or 'minSeverity'");
                }
            }
            else
            {
                s.Error(item, "a remediation step is missing the required key 'when'");
            }

            if (doneBy.Count > 0 && _commandEcho is null && m.Get("commandEcho") is null)
            {
                s.Error(s.Get("doneBy")!, "'doneBy' needs the remediation document's 'commandEcho' (the prompt a command typed at the device is echoed after)");
            }

            s.Finish();
            if (id is not null && text is not null)
            {
                result.Add(new RemediationSpec
                {
                    DoneBy = doneBy, UndoneBy = undoneBy,
                    Definition = new RemediationStepDefinition
                    {
                        Id = id, Command = command, Text = text, Detail = detail, HintIfMissing = hint, Rules = ruleIds,
                        MinSeverity = minSeverity, WorkaroundModel = workaround,
                        DoneBy = doneBy.Select(f => f.Template).ToArray(), UndoneBy = undoneBy.Select(f => f.Template).ToArray(),
                        NeedsConfirmation = needsConfirmation,
                    },
                });
            }
        }

        m.Finish();
        return result.ToArray();
    }

    /// <summary>Text is a plain string (English) or a mapping of language to string, which must include <c>en</c>.</summary>
    private LocalizedText? Text(MapReader reader, string key, bool required)
    {
        var node = reader.Get(key);
        switch (node)
        {
            case null:
                if (required)
                {
                    reader.Error(reader.Node, $"missing the required key '{Shorten(key)}'");
                }

                return null;
            case YScalar scalar:
                if (required && scalar.Value.Length == 0)
                {
                    reader.Error(node, $"'{Shorten(key)}' must not be empty");
                    return null;
                }

                CheckDisplayText(node, key, null, scalar.Value);
                return LocalizedText.Of(scalar.Value);
            case YMapping map:
                var byLanguage = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (language, value) in map.Entries)
                {
                    if (language.Value.Length != 2 || !char.IsAsciiLetterLower(language.Value[0]) || !char.IsAsciiLetterLower(language.Value[1]))
                    {
                        reader.Error(language, $"'{Shorten(language.Value)}' is not a two-letter language code (such as en or ja)");
                    }
                    else if (value is YScalar { IsNull: false } text)
                    {
                        byLanguage[language.Value] = text.Value;
                        CheckDisplayText(text, key, language.Value, text.Value);
                    }
                    else
                    {
                        reader.Error(value, $"the {language.Value} text of '{Shorten(key)}' must be text");
                    }
                }

                if (!byLanguage.ContainsKey("en"))
                {
                    reader.Error(node, $"'{Shorten(key)}' must have English text (en); other languages fall back to it");
                    return null;
                }

                return new LocalizedText(byLanguage);
            default:
                reader.Error(node, $"'{Shorten(key)}' must be text or a mapping of language to text, not a {node.KindName}");
                return null;
        }
    }

    private static DateOnly? Date(MapReader reader, string key, bool required)
    {
        var text = reader.String(key, required);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        reader.Error(reader.Get(key)!, $"'{key}' must be a date written yyyy-MM-dd, not '{Shorten(text)}'");
        return null;
    }

    private static string Shorten(string text) => ProblemText.Shorten(text);
}
