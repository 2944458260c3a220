using System.Globalization;
using System.Text.Json;
using System.Text;
using CodeRed.Rules.Definitions;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Output;

/// <summary>Which CSAF 2.0 profile a document follows.</summary>
public enum CsafDocumentKind
{
    /// <summary><c>csaf_security_advisory</c>: the advisory with its products, status, remediation and notes.</summary>
    SecurityAdvisory,

    /// <summary><c>csaf_vex</c>: the same facts as a Vulnerability Exploitability eXchange document.</summary>
    Vex,
}

/// <summary>The pack lacks data that a CSAF document needs (such as the publisher's namespace or a vulnerability).</summary>
public sealed class CsafExportException(string message) : Exception(message);

/// <summary>
/// Writes the pack's advisory as a CSAF 2.0 document. Every fact comes from the pack: the publisher, dates, TLP label,
/// canonical URL and references of the advisory, the vulnerabilities (CWE, CVSS v2 score), the model matrix (products
/// and their model numbers, status, fixed firmware, notes), the remediation steps (workaround commands) and the texts
/// of the device rules. Only the CSAF structure is fixed here. Every object's keys are written in alphabetical order,
/// as CSAF recommends (6.2.13).
/// </summary>
public static class CsafWriter
{
    /// <summary>The prefix of every product id.</summary>
    public const string ProductIdPrefix = "CSAFPID-";

    /// <summary>Writes the pack as a CSAF document of the given kind. Throws <see cref="CsafExportException"/> when data is missing.</summary>
    public static void Write(Stream output, RulePack pack, CsafDocumentKind kind)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pack);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(pack.Advisory.Publisher))
        {
            problems.Add("the pack manifest has no 'publisher'");
        }

        if (pack.Advisory.PublisherNamespace is null)
        {
            problems.Add("the advisory has no 'publisherNamespace' (a URL of the publisher)");
        }

        if (pack.Vulnerabilities.Count == 0)
        {
            problems.Add("the pack manifest lists no 'vulnerabilities'");
        }

        if (pack.Models.Models.Count == 0)
        {
            problems.Add("the pack has no model matrix, so there are no products");
        }

        if (problems.Count > 0)
        {
            throw new CsafExportException("the pack cannot be written as CSAF: " + string.Join("; ", problems));
        }

        var products = Products(pack);
        using var json = new Utf8JsonWriter(output, JsonReportWriter.Options);
        json.WriteStartObject();
        WriteDocument(json, pack, kind);
        WriteProductTree(json, pack, products);
        json.WriteStartArray("vulnerabilities");
        foreach (var vulnerability in pack.Vulnerabilities)
        {
            WriteVulnerability(json, pack, vulnerability, products);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One product of the product tree.</summary>
    private sealed record Product(string Id, string Name);

    /// <summary>
    /// A model's products: the whole model when the status does not depend on the firmware (not affected, or no fix
    /// yet); otherwise the firmware before the fix (a version range) and the fixed firmware.
    /// </summary>
    private sealed record ModelProducts(ModelEntry Model, Product? Whole, Product? BeforeFix, Product? Fixed)
    {
        /// <summary>The products that are affected: the whole model or its firmware before the fix.</summary>
        public Product? Affected => Model.Status == ModelStatus.Affected ? Whole ?? BeforeFix : null;

        /// <summary>The whole model when it is not affected.</summary>
        public Product? NotAffected => Model.Status == ModelStatus.NotAffected ? Whole : null;
    }

    private static List<ModelProducts> Products(RulePack pack)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        string Id(string text)
        {
            var id = ProductIdPrefix + new string(text.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').ToArray());
            var unique = id;
            for (var n = 2; !used.Add(unique); n++)
            {
                unique = $"{id}-{n.ToString(CultureInfo.InvariantCulture)}";
            }

            return unique;
        }

        var result = new List<ModelProducts>();
        foreach (var model in pack.Models.Models)
        {
            if (model.Status == ModelStatus.Affected && model.FixedIn is { } fix)
            {
                var version = Compact(fix);
                result.Add(new ModelProducts(
                    model,
                    null,
                    new Product(Id($"{model.Name}-BEFORE-{version}"), $"{model.Name} {pack.Product.Terms.Version.English} before {fix}"),
                    new Product(Id($"{model.Name}-{version}"), $"{model.Name} {fix}")));
            }
            else
            {
                result.Add(new ModelProducts(model, new Product(Id(model.Name), model.Name), null, null));
            }
        }

        return result;
    }

    private static void WriteDocument(Utf8JsonWriter json, RulePack pack, CsafDocumentKind kind)
    {
        var advisory = pack.Advisory;
        json.WriteStartObject("document");
        json.WriteString("category", kind == CsafDocumentKind.Vex ? "csaf_vex" : "csaf_security_advisory");
        json.WriteString("csaf_version", "2.0");
        if (advisory.Tlp is { } tlp)
        {
            json.WriteStartObject("distribution");
            json.WriteStartObject("tlp");
            json.WriteString("label", tlp);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteString("lang", "en");
        json.WriteStartArray("notes");
        WriteNote(json, "summary", "Summary", (advisory.Summary ?? pack.Title).English);
        foreach (var caveat in pack.Rules.SelectMany(r => r.Caveats).Select(c => c.English).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal))
        {
            WriteNote(json, "general", "Caveat", caveat);
        }

        WriteNote(json, "other", "Source",
            $"Generated by {SarifWriter.ToolName} from the rule pack {pack.Identity.Id} {pack.Identity.Version} (sha256 {pack.Identity.Sha256}).");
        json.WriteEndArray();

        json.WriteStartObject("publisher");
        json.WriteString("category", "vendor");
        json.WriteString("name", advisory.Publisher);
        json.WriteString("namespace", advisory.PublisherNamespace);
        json.WriteEndObject();

        // The canonical URL first, as the document's 'self' reference (CSAF 6.2.11), then the advisory's references.
        var references = pack.References.Where(r => r.Url is not null && Uri.TryCreate(r.Url, UriKind.Absolute, out _)).ToList();
        if (references.Count > 0 || advisory.CanonicalUrl is not null)
        {
            json.WriteStartArray("references");
            if (advisory.CanonicalUrl is { } canonical)
            {
                json.WriteStartObject();
                json.WriteString("category", "self");
                json.WriteString("summary", "Canonical URL of this document");
                json.WriteString("url", canonical);
                json.WriteEndObject();
            }

            foreach (var reference in references)
            {
                json.WriteStartObject();
                json.WriteString("category", "external");
                json.WriteString("summary", reference.Title);
                json.WriteString("url", reference.Url);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (advisory.Language is { Length: 2 or 3 } language && language.All(char.IsAsciiLetter) && language != "en")
        {
            json.WriteString("source_lang", language);
        }

        json.WriteString("title", advisory.Title.English);

        // The document's versions are the advisory's editions, numbered 1, 2, … (integer versioning): CSAF requires
        // tracking.version to be the number of the last revision (6.1.16) and one versioning scheme throughout (6.1.30).
        var revisions = new List<(string Number, DateOnly Date, string Summary)> { ("1", advisory.FirstEdition, "First edition.") };
        if (advisory.Revised is { } revised)
        {
            revisions.Add(("2", revised, "Revised edition."));
        }

        json.WriteStartObject("tracking");
        json.WriteString("current_release_date", Timestamp(revisions[^1].Date));
        json.WriteStartObject("generator");
        json.WriteStartObject("engine");
        json.WriteString("name", SarifWriter.ToolName);
        json.WriteString("version", SarifWriter.LibraryVersion());
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("id", pack.Identity.Id);
        json.WriteString("initial_release_date", Timestamp(advisory.FirstEdition));
        json.WriteStartArray("revision_history");
        foreach (var (number, date, summary) in revisions)
        {
            json.WriteStartObject();
            json.WriteString("date", Timestamp(date));
            json.WriteString("number", number);
            json.WriteString("summary", summary);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("status", "final");
        json.WriteString("version", revisions[^1].Number);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteProductTree(Utf8JsonWriter json, RulePack pack, List<ModelProducts> products)
    {
        json.WriteStartObject("product_tree");
        json.WriteStartArray("branches");
        json.WriteStartObject();
        json.WriteStartArray("branches");
        foreach (var p in products)
        {
            json.WriteStartObject();
            if (p.Whole is { } whole)
            {
                json.WriteString("category", "product_name");
                json.WriteString("name", p.Model.Name);
                WriteProduct(json, whole, p.Model);
            }
            else
            {
                // Version names are exact (CSAF 6.1.31): the firmware before the fix is a range, written in vers.
                json.WriteStartArray("branches");
                json.WriteStartObject();
                json.WriteString("category", "product_version_range");
                json.WriteString("name", $"vers:generic/<{BannerForm(p.Model.FixedIn!)}");
                WriteProduct(json, p.BeforeFix!, p.Model);
                json.WriteEndObject();
                json.WriteStartObject();
                json.WriteString("category", "product_version");
                json.WriteString("name", p.Model.FixedIn!.ToString());
                WriteProduct(json, p.Fixed!, p.Model);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteString("category", "product_name");
                json.WriteString("name", p.Model.Name);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("category", "vendor");
        json.WriteString("name", pack.Advisory.Publisher);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A product, identified by its model's name from the model matrix as its model number (CSAF 6.2.16).</summary>
    private static void WriteProduct(Utf8JsonWriter json, Product product, ModelEntry model)
    {
        json.WriteStartObject("product");
        json.WriteString("name", product.Name);
        json.WriteString("product_id", product.Id);
        json.WriteStartObject("product_identification_helper");
        JsonReportWriter.WriteStrings(json, "model_numbers", [model.Name]);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteVulnerability(Utf8JsonWriter json, RulePack pack, VulnerabilityInfo vulnerability, List<ModelProducts> products)
    {
        json.WriteStartObject();
        json.WriteString("cve", vulnerability.Cve);
        if (vulnerability.Cwe is { } cwe)
        {
            json.WriteStartObject("cwe");
            json.WriteString("id", cwe.Id);
            json.WriteString("name", cwe.Name);
            json.WriteEndObject();
        }

        var notAffected = products.Where(p => p.NotAffected is not null).ToList();
        var flags = vulnerability.Flags
            .Select(f => (f.Label, Ids: notAffected.Where(p => p.Model.NoteId == f.Note).Select(p => p.NotAffected!.Id).ToList()))
            .Where(f => f.Ids.Count > 0)
            .ToList();
        if (flags.Count > 0)
        {
            json.WriteStartArray("flags");
            foreach (var (label, ids) in flags)
            {
                json.WriteStartObject();
                json.WriteString("label", label);
                JsonReportWriter.WriteStrings(json, "product_ids", ids);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("notes");
        WriteNote(json, "description", "Description", (vulnerability.Notes ?? vulnerability.Title).English);
        json.WriteEndArray();

        json.WriteStartObject("product_status");
        WriteIds(json, "fixed", products.Select(p => p.Fixed));
        WriteIds(json, "known_affected", products.Select(p => p.Affected));
        WriteIds(json, "known_not_affected", products.Select(p => p.NotAffected));
        WriteIds(json, "recommended", products.Select(p => p.Fixed));
        json.WriteEndObject();

        var remediations = Remediations(pack, products);
        if (remediations.Count > 0)
        {
            json.WriteStartArray("remediations");
            foreach (var (category, details, ids) in remediations)
            {
                json.WriteStartObject();
                json.WriteString("category", category);
                json.WriteString("details", details);
                JsonReportWriter.WriteStrings(json, "product_ids", ids);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        // The CVE's published CVSS v2 base score, for every affected product (CSAF 6.2.3).
        var affected = products.Where(p => p.Affected is not null).Select(p => p.Affected!.Id).ToList();
        if (vulnerability.CvssV2 is { } cvss && affected.Count > 0)
        {
            json.WriteStartArray("scores");
            json.WriteStartObject();
            json.WriteStartObject("cvss_v2");
            json.WriteNumber("baseScore", cvss.BaseScore);
            json.WriteString("vectorString", cvss.Vector);
            json.WriteString("version", "2.0");
            json.WriteEndObject();
            JsonReportWriter.WriteStrings(json, "products", affected);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        // Impact statements: the matrix note behind each model's status, for its affected or not-affected products.
        var threats = products
            .Select(p => (Note: p.Model.NoteId, Text: p.Model.Note.English, Product: p.Affected ?? p.NotAffected))
            .Where(t => t.Product is not null && t.Text.Length > 0)
            .GroupBy(t => t.Note, StringComparer.Ordinal)
            .ToList();
        if (threats.Count > 0)
        {
            json.WriteStartArray("threats");
            foreach (var group in threats)
            {
                json.WriteStartObject();
                json.WriteString("category", "impact");
                json.WriteString("details", group.First().Text);
                JsonReportWriter.WriteStrings(json, "product_ids", group.Select(t => t.Product!.Id));
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteString("title", vulnerability.Title.English);
        json.WriteEndObject();
    }

    /// <summary>
    /// The remediations: the workaround commands for the affected products of workaround models; per fixed firmware,
    /// a vendor fix for the firmware before it; per model without a fix, "none available" in the words of the rule
    /// that reports such models.
    /// </summary>
    private static List<(string Category, string Details, List<string> Ids)> Remediations(RulePack pack, List<ModelProducts> products)
    {
        var result = new List<(string, string, List<string>)>();

        var commands = pack.Definition.Remediation.Where(s => s.Command is not null && s.WorkaroundModel).ToList();
        var workaroundIds = products.Where(p => p.Model.WorkaroundApplies && p.Affected is not null).Select(p => p.Affected!.Id).ToList();
        if (commands.Count > 0 && workaroundIds.Count > 0)
        {
            // The pack's words for the product ("Enter these commands on the router"), else neutral ones.
            var details = new StringBuilder((pack.Product.Terms.Commands?.English ?? "Enter these commands") + ", in this order:");
            var n = 0;
            foreach (var step in commands)
            {
                var hasPlaceholder = false;
                var command = MessageTemplate.Render(step.Command!, name =>
                {
                    hasPlaceholder = true;
                    return $"<{name}>";
                });
                details.Append(CultureInfo.InvariantCulture, $"\n{++n}. {command}: {step.Text.English}");
                if (hasPlaceholder && step.HintIfMissing is { } hint)
                {
                    details.Append(' ').Append(hint.English);
                }
            }

            result.Add(("workaround", details.ToString(), workaroundIds));
        }

        var rules = pack.Definition.Rules;
        var belowFixRules = rules.Where(r => r.When?.Version == VersionCondition.BelowFix).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var upgrade = pack.Definition.Remediation.FirstOrDefault(s => s.Command is null && s.Rules.Any(belowFixRules.Contains));
        foreach (var group in products.Where(p => p.BeforeFix is not null && p.Model.Status == ModelStatus.Affected).GroupBy(p => p.Model.FixedIn!))
        {
            var models = group.Select(p => p.Model).ToList();
            var template = upgrade?.Text.English ?? $"Upgrade the {pack.Product.Terms.Version.English} to {{fixedIn}} or later.";
            result.Add(("vendor_fix", Render(template, models, group.Key), group.Select(p => p.BeforeFix!.Id).ToList()));
        }

        var pendingRule = rules.FirstOrDefault(r => r.When is { FixAvailable: false, Status: ModelStatus.Affected or null });
        // A fix that is a patch: the vendor's fix for the whole model, in the words of the step that asks for it.
        var missingPatchRules = rules.Where(r => r.When?.Patch is PatchCondition.Missing or PatchCondition.Unknown).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var install = pack.Definition.Remediation.FirstOrDefault(s => s.Command is null && s.Rules.Any(missingPatchRules.Contains));
        foreach (var p in products.Where(p => p.Model.Status == ModelStatus.Affected && p.Model.FixedIn is null && p.Model.FixPatch is not null))
        {
            var template = install?.Text.English ?? $"Install the {pack.Product.Terms.Patch.English} {{patch}}.";
            result.Add(("vendor_fix", Render(template, [p.Model], null), [p.Whole!.Id]));
        }

        foreach (var p in products.Where(p => p.Model.Status == ModelStatus.Affected && !p.Model.HasFix))
        {
            var template = pendingRule?.Message.English ?? "No fix is available for {model} yet.";
            result.Add(("none_available", Render(template, [p.Model], null), [p.Whole!.Id]));
        }

        return result;
    }

    /// <summary>Fills the model placeholders of a pack text for one model or a group of models sharing a fix.</summary>
    private static string Render(string template, IReadOnlyList<ModelEntry> models, FirmwareVersion? fixedIn) =>
        MessageTemplate.Render(template, name => name switch
        {
            "model" => string.Join(", ", models.Select(m => m.Name)),
            "fixedIn" => (fixedIn ?? models[0].FixedIn)?.ToString() ?? models[0].FixPatch,
            "patch" => models[0].FixPatch,
            "status" => models[0].Status.Name(),
            "note" => models[0].Note.English,
            _ => null,
        });

    private static void WriteNote(Utf8JsonWriter json, string category, string title, string text)
    {
        json.WriteStartObject();
        json.WriteString("category", category);
        json.WriteString("text", text);
        json.WriteString("title", title);
        json.WriteEndObject();
    }

    private static void WriteIds(Utf8JsonWriter json, string name, IEnumerable<Product?> products)
    {
        var ids = products.Where(p => p is not null).Select(p => p!.Id).ToList();
        if (ids.Count > 0)
        {
            JsonReportWriter.WriteStrings(json, name, ids);
        }
    }

    /// <summary>A date as CSAF's date-time, at midnight UTC.</summary>
    private static string Timestamp(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";

    /// <summary><c>2.0.4 PL 7</c> → <c>2.0.4PL7</c>, for product ids.</summary>
    private static string Compact(FirmwareVersion version) => version.ToString().Replace(" ", "", StringComparison.Ordinal);

    /// <summary><c>2.0.4 PL 7</c> → <c>2.0.4-7</c>, the startup banner's form, for vers ranges.</summary>
    private static string BannerForm(FirmwareVersion version) =>
        string.Join('.', version.Release.Select(c => c.ToString(CultureInfo.InvariantCulture))) + "-" + version.PatchLevel.ToString(CultureInfo.InvariantCulture);
}
