using System.Security.Cryptography;
using System.Text.Json;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Loading;

/// <summary>
/// The SHA-256 of a rule's definition, for <c>rules.lock.json</c>: its YAML document in a canonical form (mapping keys
/// in ordinal order, comments, quoting and layout ignored) and the texts of the pack's caveats it names, in every
/// language. Made from what the author wrote, not from any output, so a catalogue or report format that grows leaves
/// every lock entry where it was. Computed when first asked for, by parsing the rule's document again: a pack keeps its
/// files' text anyway, and keeping every rule's tree until then made loading 10,000 rules copy them through each
/// collection (docs/performance.md).
/// </summary>
internal sealed class DefinitionHash(FileDocuments file, int document, LocalizedText[] caveats)
{
    private string? _value;

    /// <summary>The name lock files give this way of hashing (a lock without it hashed the JSON catalogue entry).</summary>
    public const string Scheme = "definition-v1";

    /// <summary>The hash of the rule that is document number <paramref name="document"/> (counting those
    /// <see cref="YamlTree.Read"/> returns) of <paramref name="file"/>.</summary>
    public static DefinitionHash Of(FileDocuments file, int document, IEnumerable<LocalizedText> caveats) => new(file, document, caveats.ToArray());

    /// <summary>The hash (computing it twice on two threads at once gives the same string).</summary>
    public string Value => _value ??= Compute((YMapping)file.Documents[document], caveats);

    private static string Compute(YMapping rule, IReadOnlyList<LocalizedText> caveats)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WritePropertyName("rule");
            Write(json, rule);
            json.WriteStartArray("caveats");
            foreach (var caveat in caveats)
            {
                json.WriteStartObject();
                foreach (var language in caveat.Languages.Order(StringComparer.Ordinal))
                {
                    json.WriteString(language, caveat.Get(System.Globalization.CultureInfo.GetCultureInfo(language)));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Convert.ToHexString(SHA256.HashData(stream.ToArray())).ToLowerInvariant();
    }

    private static void Write(Utf8JsonWriter json, YNode node)
    {
        switch (node)
        {
            case YMapping mapping:
                json.WriteStartObject();
                foreach (var (key, value) in mapping.Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                {
                    json.WritePropertyName(key.Value);
                    Write(json, value);
                }

                json.WriteEndObject();
                break;
            case YSequence sequence:
                json.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;
            case YScalar { IsNull: true }:
                json.WriteNullValue();
                break;
            case YScalar scalar:
                json.WriteStringValue(scalar.Value);
                break;
        }
    }
}

/// <summary>
/// A pack file's documents, parsed again when a definition hash first asks (once per file, not once per rule: a file of
/// 3,000 rules would be parsed 3,000 times) and kept from then on.
/// </summary>
internal sealed class FileDocuments(PackFile file)
{
    private readonly Lazy<IReadOnlyList<YNode>> _documents = new(() => YamlTree.Read(file.Path, file.Text, []));

    public IReadOnlyList<YNode> Documents => _documents.Value;
}
