using System.Globalization;
using System.Text;
using CodeRed.Rules.IO;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Tooling;

/// <summary>
/// Generates the documentation pages from a pack, in the shape of Roslyn's rule reference pages: one page
/// per rule ID (cause, description, how to fix, false positives, examples, related rules) and an index.
/// The committed pages under docs/ are this output; a test fails when they are stale.
/// </summary>
public static class MarkdownDocsWriter
{
    private const int ExampleLines = 12;
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    /// <summary>
    /// Every page, by path relative to the docs folder (<c>catalogue.md</c>, <c>rules/CR2001.md</c>, ...).
    /// <paramref name="rulesDirectory"/>, when given, supplies each rule's samples as examples.
    /// </summary>
    /// <exception cref="RulePackException">A sample file of <paramref name="rulesDirectory"/> cannot be read as a sample.</exception>
    /// <remarks>The pages name the pack's folder <c>rules</c> (a built-in pack: its folder in the repository, <c>rules/webserver</c>).</remarks>
    public static IReadOnlyDictionary<string, string> Generate(RulePack pack, string? rulesDirectory) =>
        Generate([new DocsPack(pack, rulesDirectory, RulesPathOf(pack, null))]);

    /// <summary>
    /// The pages of several packs: one page per rule (rule IDs are unique across the packs) and one catalogue with a
    /// section per pack, in order of pack id.
    /// </summary>
    /// <exception cref="RulePackException">A sample file cannot be read as a sample, or two packs share a rule ID or are the same pack.</exception>
    internal static IReadOnlyDictionary<string, string> Generate(IReadOnlyList<DocsPack> packs)
    {
        RulePack.EnsureDistinct(packs.Select(p => p.Pack).ToArray());
        var pages = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [CatalogueFile] = CatalogueFrame(packs.Select(p => CatalogueSection(p)).ToList()),
        };
        foreach (var docs in packs)
        {
            var samples = docs.RulesDirectory is { } dir && Directory.Exists(dir) ? SampleLayout.Read(docs.Pack, dir) : null;
            if (samples?.Problems.Where(p => p.Severity == ProblemSeverity.Error).ToList() is { Count: > 0 } errors)
            {
                throw new RulePackException(errors); // pages from samples that do not read would show less than the rules have
            }

            foreach (var rule in docs.Pack.Rules)
            {
                pages[$"rules/{rule.Id}.md"] = RulePage(docs, rule, samples);
            }
        }

        return pages;
    }

    /// <summary>Writes every page under <paramref name="outputDirectory"/> and removes rule pages no rule has.</summary>
    /// <remarks>
    /// Only this pack's output is touched: the sections of other packs in <c>catalogue.md</c> and pages that name
    /// another pack stay. The pages name the pack's folder as <see cref="Generate(RulePack, string?)"/> does.
    /// </remarks>
    public static int WriteTo(RulePack pack, string? rulesDirectory, string outputDirectory) =>
        WriteTo([new DocsPack(pack, rulesDirectory, RulesPathOf(pack, null))], outputDirectory);

    /// <summary>
    /// Writes the pages of <paramref name="packs"/> under <paramref name="outputDirectory"/>. Only these packs' output is
    /// touched: their catalogue sections are replaced (the sections of other packs already in <c>catalogue.md</c> stay),
    /// their pages rewritten, and a page is removed only when it names one of these packs and that pack no longer has
    /// its rule. A page that names another pack is never overwritten (two packs with one rule ID): that is refused.
    /// </summary>
    /// <exception cref="IOException">A page would overwrite another pack's page, or a file cannot be written.</exception>
    internal static int WriteTo(IReadOnlyList<DocsPack> packs, string outputDirectory)
    {
        var pages = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (relative, text) in Generate(packs))
        {
            pages[relative] = text;
        }

        var ids = packs.Select(p => p.Pack.Identity.Id).ToHashSet(StringComparer.Ordinal);
        var rulesDir = Path.Combine(outputDirectory, "rules");
        var stale = new List<string>();
        if (Directory.Exists(rulesDir))
        {
            foreach (var existing in Directory.EnumerateFiles(rulesDir, "*.md"))
            {
                var owner = PageOwner(File.ReadAllText(existing));
                var relative = "rules/" + Path.GetFileName(existing);
                if (pages.ContainsKey(relative))
                {
                    if (owner is not null && !ids.Contains(owner))
                    {
                        throw new IOException($"{existing} is the page of rule {Path.GetFileNameWithoutExtension(existing)} of pack '{owner}'; a rule of the same ID in this run would overwrite it (write the packs' pages to different folders)");
                    }
                }
                else if (owner is not null && ids.Contains(owner))
                {
                    stale.Add(existing); // a page of a pack of this run whose rule is gone
                }
            }
        }

        // The catalogue keeps the sections of the packs this run does not cover.
        var catalogue = Path.Combine(outputDirectory, CatalogueFile);
        if (File.Exists(catalogue))
        {
            var kept = Sections(File.ReadAllText(catalogue).Replace("\r\n", "\n", StringComparison.Ordinal)).Where(s => !ids.Contains(s.Id));
            pages[CatalogueFile] = CatalogueFrame(packs.Select(p => CatalogueSection(p)).Concat(kept).ToList());
        }

        foreach (var file in stale)
        {
            File.Delete(file);
        }

        foreach (var (relative, text) in pages)
        {
            var path = Path.Combine(outputDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Whole or not at all (never half a page on a full disk); control and bidi characters from pack texts
            // are shown escaped, so 'cat' of a page cannot forge or hide a line.
            AtomicFile.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(TerminalText.EscapeKeepingLines(text)));
        }

        return pages.Count;
    }

    /// <summary>
    /// <paramref name="pack"/> loaded from <paramref name="rulesDirectory"/> (named <paramref name="rulesPath"/> in the
    /// pages) and every pack nested in that folder (a folder below it with its own manifest, loaded on its own), each
    /// named by its path below <paramref name="rulesPath"/>.
    /// </summary>
    /// <exception cref="RulePackException">A nested pack does not load.</exception>
    internal static IReadOnlyList<DocsPack> WithNested(RulePack pack, string rulesDirectory, string rulesPath)
    {
        var packs = new List<DocsPack> { new(pack, rulesDirectory, rulesPath) };
        void Walk(string folder, string shown, int depth)
        {
            if (depth > MaxNesting)
            {
                return;
            }

            foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(sub);
                if (name == "samples" || name.StartsWith('.') || new DirectoryInfo(sub).LinkTarget is not null)
                {
                    continue; // samples are no packs; links are not followed (a loop or another pack's folder)
                }

                var subShown = shown + "/" + name;
                if (PackFiles.IsPackRoot(sub))
                {
                    packs.Add(new DocsPack(RulePack.LoadFrom(sub), sub, subShown));
                }

                Walk(sub, subShown, depth + 1);
            }
        }

        Walk(rulesDirectory, rulesPath.TrimEnd('/'), 1);
        return packs;
    }

    /// <summary>
    /// How the pages name the folder of a pack's files: a built-in pack's folder in the repository (<c>rules</c>,
    /// <c>rules/webserver</c>), else <paramref name="rulesDirectory"/> relative to the current directory when it lies
    /// below it, else as given (with <c>/</c>); <c>rules</c> when neither is known.
    /// </summary>
    internal static string RulesPathOf(RulePack pack, string? rulesDirectory)
    {
        if (rulesDirectory is null && pack.Origin.StartsWith("embedded:", StringComparison.Ordinal))
        {
            var prefix = pack.Origin["embedded:".Length..] + "/";
            return prefix.StartsWith(PackFiles.NestedPrefix, StringComparison.Ordinal)
                ? (PackFiles.DefaultPrefix + prefix[PackFiles.NestedPrefix.Length..]).TrimEnd('/')
                : PackFiles.DefaultPrefix.TrimEnd('/');
        }

        if (rulesDirectory is null)
        {
            return PackFiles.DefaultPrefix.TrimEnd('/');
        }

        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(rulesDirectory));
        var shown = relative == "." ? Path.GetFileName(Path.GetFullPath(rulesDirectory).TrimEnd(Path.DirectorySeparatorChar))
            : relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? rulesDirectory : relative;
        return shown.Replace('\\', '/').TrimEnd('/');
    }

    private const string CatalogueFile = "catalogue.md";
    private const int MaxNesting = 8;
    private const string SectionStart = "<!-- pack ";
    private const string SectionEnd = "<!-- end pack ";

    private static string CatalogueFrame(IReadOnlyList<(string Id, string Text)> sections)
    {
        var md = new StringBuilder();
        md.Append("# Rule catalogue\n\n");
        md.Append("Generated by `codered rules docs docs --rules rules` (the pack in `rules/` and every pack nested in it); do not edit by hand. ");
        md.Append("One section per pack; `codered rules docs docs --pack ID` (or `--rules PATH`) rewrites that pack's section and pages only.\n\n");
        var ordered = sections.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        foreach (var (id, _) in ordered)
        {
            md.Append(CultureInfo.InvariantCulture, $"- [`{id}`](#{Anchor(id)})\n");
        }

        md.Append('\n');
        foreach (var (_, text) in ordered)
        {
            md.Append(text).Append('\n');
        }

        return md.ToString().TrimEnd('\n') + "\n";
    }

    // The heading '## Pack `codered.webserver`' has the anchor GitHub gives it: lower case, punctuation dropped.
    private static string Anchor(string id) => "pack-" + new string(id.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is '-' or '_').ToArray());

    /// <summary>The sections of a catalogue this writer wrote, each from its start marker to its end marker.</summary>
    private static IEnumerable<(string Id, string Text)> Sections(string catalogue)
    {
        var at = 0;
        while ((at = catalogue.IndexOf(SectionStart, at, StringComparison.Ordinal)) >= 0)
        {
            var idEnd = catalogue.IndexOf(" -->", at, StringComparison.Ordinal);
            if (idEnd < 0)
            {
                yield break;
            }

            var id = catalogue[(at + SectionStart.Length)..idEnd];
            var endMarker = SectionEnd + id + " -->\n";
            var end = catalogue.IndexOf(endMarker, idEnd, StringComparison.Ordinal);
            if (end < 0)
            {
                yield break; // a section cut short (edited by hand): not kept
            }

            yield return (id, catalogue[at..(end + endMarker.Length)]);
            at = end + endMarker.Length;
        }
    }

    /// <summary>The pack a rule page names in its Pack row, or null for a page without one.</summary>
    private static string? PageOwner(string page)
    {
        foreach (var line in page.Split('\n'))
        {
            var row = line.TrimEnd('\r');
            if (row.StartsWith("| Pack | `", StringComparison.Ordinal) && row.EndsWith("` |", StringComparison.Ordinal))
            {
                return row["| Pack | `".Length..^"` |".Length];
            }

            if (row.StartsWith("## ", StringComparison.Ordinal))
            {
                break; // the property table is above the first section
            }
        }

        return null;
    }

    private static (string Id, string Text) CatalogueSection(DocsPack docs)
    {
        var pack = docs.Pack;
        var id = pack.Identity.Id;
        var md = new StringBuilder();
        md.Append(SectionStart).Append(id).Append(" -->\n");
        md.Append(CultureInfo.InvariantCulture, $"## Pack `{id}`\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Pack `{id}` {pack.Identity.Version}: {pack.Title.English}. ");
        md.Append(CultureInfo.InvariantCulture, $"Advisory by {pack.Advisory.Publisher}, first edition {pack.Advisory.FirstEdition:yyyy-MM-dd}");
        md.Append(pack.Advisory.Revised is { } revised ? $", revised {revised:yyyy-MM-dd}.\n\n" : ".\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Rule files: `{docs.RulesPath}/`.\n\n");
        md.Append("| ID | Title | Category | Severity | Enabled | Status | Models |\n|---|---|---|---|---|---|---|\n");
        foreach (var r in pack.Rules)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| [{r.Id}](rules/{r.Id}.md) | {Cell(r.Title.English)} | {r.Category} | {r.DefaultSeverity.ToName()} | {(r.IsEnabledByDefault ? "yes" : "no")} | {Status(r)} | {Models(r)} |\n");
        }

        md.Append("\n### Model matrix\n\n| Model | Status | Workaround commands | Fixed in | Note |\n|---|---|---|---|---|\n");
        foreach (var m in pack.Models.Models)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {m.Name} | {(m.Status == ModelStatus.Affected ? "affected" : "not affected")} | {(m.WorkaroundApplies ? "yes" : "no")} | {m.FixText} | {Cell(m.Note.English)} |\n");
        }

        md.Append(SectionEnd).Append(id).Append(" -->\n");
        return (id, md.ToString());
    }

    private static string RulePage(DocsPack docs, RuleDescriptor r, SampleLayout? samples)
    {
        var pack = docs.Pack;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# {r.Id}: {r.Title.English}\n\n");
        md.Append("| Property | Value |\n|---|---|\n");
        md.Append(CultureInfo.InvariantCulture, $"| Rule ID | {r.Id} |\n| Pack | `{pack.Identity.Id}` |\n| Title | {Cell(r.Title.English)} |\n| Category | {r.Category} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| Default severity | {r.DefaultSeverity.ToName()} |\n| Enabled by default | {(r.IsEnabledByDefault ? "yes" : "no")} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| Status | {Status(r)} |\n| Rule version | {r.Version} (introduced in pack {r.IntroducedIn}) |\n");
        md.Append(CultureInfo.InvariantCulture, $"| Applies to | {Models(r)} |\n| Rule file | `{docs.RulesPath}/{r.SourceFile}` |\n\n");

        md.Append("## Cause\n\n").Append(r.Title.English).Append(".\n\nMessage: ").Append(Code(r.MessageFormat.English)).Append("\n\n");
        md.Append("## Rule description\n\n").Append(r.Description.English).Append("\n\n");
        if (r.Parameters.Count > 0)
        {
            md.Append("Parameters: ").Append(string.Join(", ", r.Parameters.Select(p => $"`{p.Key}` = {p.Value}"))).Append(".\n\n");
        }

        md.Append("## How to fix\n\n");
        var steps = pack.Definition.Remediation.Where(s => s.Rules.Contains(r.Id) || s.MinSeverity is { } min && r.DefaultSeverity >= min).ToList();
        if (steps.Count == 0)
        {
            md.Append("Nothing to fix: the finding informs.\n\n");
        }
        else
        {
            md.Append("Remediation the report gives for this finding, in order:\n\n");
            var n = 0;
            foreach (var step in steps)
            {
                md.Append(CultureInfo.InvariantCulture, $"{++n}. ");
                md.Append(step.Command is null ? step.Text.English : $"`{step.Command}`: {step.Text.English}");
                if (step.WorkaroundModel)
                {
                    md.Append(" (only on models the workaround applies to: ")
                        .Append(string.Join(", ", pack.Models.Models.Where(m => m.WorkaroundApplies).Select(m => m.Name))).Append(')');
                }

                if (step.HintIfMissing is { } hint)
                {
                    md.Append(" If the evidence does not show the name: ").Append(hint.English);
                }

                md.Append('\n');
            }

            md.Append('\n');
        }

        md.Append("## When to suppress\n\n");
        if (r.Caveats.Count > 0)
        {
            md.Append("The advisory warns that a finding is not proof:\n\n");
            foreach (var caveat in r.Caveats)
            {
                md.Append("- ").Append(caveat.English).Append('\n');
            }

            md.Append('\n');
        }

        md.Append(CultureInfo.InvariantCulture,
            $"To turn the rule off: `codered analyze --severity {r.Id}=none`, or `dotnet_diagnostic.{r.Id}.severity = none` in a `--config` file.\n\n");

        md.Append("## Examples\n\n");
        var examples = samples is null ? "" : Examples(samples, r.Id, docs.RulesPath);
        md.Append(examples.Length > 0 ? examples : "No samples.\n\n");

        md.Append("## Related rules\n\n");
        var related = new List<string>();
        related.AddRange(r.Suppresses.Select(id => $"[{id}]({id}.md): suppressed by this rule on the same record"));
        related.AddRange(pack.Rules.Where(o => o.Suppresses.Contains(r.Id)).Select(o => $"[{o.Id}]({o.Id}.md): suppresses this rule on the same record"));
        if (r.ReplacedBy is { } replacement)
        {
            related.Add($"[{replacement}]({replacement}.md): replaces this rule");
        }

        related.AddRange(pack.Rules.Where(o => o.Id != r.Id && o.Category == r.Category && !r.Suppresses.Contains(o.Id) && !o.Suppresses.Contains(r.Id))
            .Select(o => $"[{o.Id}]({o.Id}.md): {o.Title.English}"));
        foreach (var line in related)
        {
            md.Append("- ").Append(line).Append('\n');
        }

        md.Append("\n## 日本語\n\n");
        md.Append("**").Append(r.Title.Get(Japanese)).Append("**\n\n");
        md.Append("メッセージ: ").Append(Code(r.MessageFormat.Get(Japanese))).Append("\n\n");
        md.Append(r.Description.Get(Japanese)).Append('\n');
        return md.ToString();
    }

    /// <summary>The rule's samples as the layout finds them ('codered rules test' runs the same ones).</summary>
    private static string Examples(SampleLayout samples, string id, string rulesPath)
    {
        var md = new StringBuilder();
        foreach (var kind in new[] { SampleKind.Positive, SampleKind.Negative })
        {
            foreach (var sample in samples.Of(id).Where(s => s.Kind == kind && s.LogPath is not null))
            {
                md.Append(CultureInfo.InvariantCulture, $"{(kind == SampleKind.Positive ? "Reported" : "Not reported")}: `{rulesPath}/{sample.Name}`{Expected(sample)}\n\n```\n");
                // Streamed: a large sample costs its reading time, not its size in memory.
                var total = 0L;
                foreach (var line in File.ReadLines(sample.LogPath!, Encoding.Latin1))
                {
                    if (++total <= ExampleLines)
                    {
                        md.Append(line.TrimEnd()).Append('\n');
                    }
                }

                if (total > ExampleLines)
                {
                    md.Append(CultureInfo.InvariantCulture, $"... ({total - ExampleLines} more lines)\n");
                }

                md.Append("```\n\n");
            }
        }

        var cases = Path.Combine(samples.RulesDirectory, samples.FolderOf(id), "cases.yaml");
        if (samples.Of(id).Any(s => s.LogPath is null) && File.Exists(cases))
        {
            md.Append(CultureInfo.InvariantCulture, $"Device cases (`{rulesPath}/{samples.FolderOf(id)}/cases.yaml`):\n\n```yaml\n");
            foreach (var line in File.ReadAllLines(cases).Where(l => !l.StartsWith('#')))
            {
                md.Append(line).Append('\n');
            }

            md.Append("```\n\n");
        }

        return md.ToString();
    }

    private static string Expected(RuleSample sample)
    {
        var parts = new List<string>();
        if (sample.ExpectedCount is { } count)
        {
            parts.Add($"{count} time(s)");
        }

        if (sample.ExpectedLine is { } line)
        {
            parts.Add(sample.ExpectedColumn is { } column ? $"first at line {line}, column {column}" : $"first at line {line}");
        }

        if (sample.Model is { } model)
        {
            parts.Add($"model {model}");
        }

        if (sample.Patches is { } patches)
        {
            parts.Add(patches.Count == 0 ? "no patch installed" : $"patches {string.Join(", ", patches)}");
        }

        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    private static string Status(RuleDescriptor r) =>
        r.Status.Name() + (r.ReplacedBy is { } by ? $" (replaced by {by})" : "");

    private static string Models(RuleDescriptor r) => r.Models.Count == 0 ? "all" : string.Join(", ", r.Models);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Code(string text) => text.Contains('`', StringComparison.Ordinal) ? text : $"`{text}`";
}

/// <summary>A pack to document: the pack, the folder its samples are read from (or null), and how the pages name that folder (<c>rules/webserver</c>).</summary>
internal sealed record DocsPack(RulePack Pack, string? RulesDirectory, string RulesPath);
