using System.Globalization;

namespace CodeRed.Rules.Loading;

/// <summary>
/// Reads one YAML mapping into typed values, collecting problems instead of stopping at the first.
/// Every key read is remembered, so <see cref="Finish"/> can report the keys nobody asked for.
/// </summary>
internal sealed class MapReader
{
    private readonly YMapping _map;
    private readonly List<PackProblem> _problems;
    private readonly string _what;
    private readonly List<string> _known = new(16); // the keys asked for, named when a key is unknown
    private ulong _asked; // the entries asked for, by index: compared with the keys of the mapping, not every key asked
    private bool[]? _askedBeyond64;

    private MapReader(YMapping map, List<PackProblem> problems, string what)
    {
        _map = map;
        _problems = problems;
        _what = what;
    }

    public YNode Node => _map;

    /// <summary>Returns a reader when <paramref name="node"/> is a mapping; otherwise reports it and returns null.</summary>
    public static MapReader? Of(YNode node, List<PackProblem> problems, string what)
    {
        if (node is YMapping map)
        {
            return new MapReader(map, problems, what);
        }

        Error(problems, node, $"{what} must be a mapping, not a {node.KindName}");
        return null;
    }

    public static void Error(List<PackProblem> problems, YNode node, string message) =>
        problems.Add(new PackProblem(node.File, node.Line, node.Column, ProblemSeverity.Error, message));

    public void Error(YNode node, string message) => Error(_problems, node, message);

    public YNode? Get(string key)
    {
        // Keys are the reading code's literals, so a reference comparison finds a repeat (List.Contains's comparer was a
        // tenth of reading 10,000 rules); an equal key from elsewhere is added again and named once (Finish).
        var known = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_known);
        var repeat = false;
        foreach (var k in known)
        {
            if (ReferenceEquals(k, key))
            {
                repeat = true;
                break;
            }
        }

        if (!repeat)
        {
            _known.Add(key);
        }

        // Indexed, not foreach: over the IReadOnlyList a foreach boxes an enumerator per key asked (a pack of 10,000
        // rules: 20 MB of them).
        var entries = _map.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key.Value == key)
            {
                if (i < 64)
                {
                    _asked |= 1UL << i;
                }
                else
                {
                    _askedBeyond64 ??= new bool[entries.Count];
                    _askedBeyond64[i] = true;
                }

                return entries[i].Value is YScalar { IsNull: true } ? null : entries[i].Value;
            }
        }

        return null;
    }

    public bool Has(string key) => Get(key) is not null;

    public string? String(string key, bool required = false)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
            {
                Error(_map, $"{_what} is missing the required key '{Q(key)}'");
            }

            return null;
        }

        if (node is YScalar scalar)
        {
            if (required && scalar.Value.Length == 0)
            {
                Error(node, $"'{Q(key)}' must not be empty");
                return null;
            }

            return scalar.Value;
        }

        Error(node, $"'{Q(key)}' must be text, not a {node.KindName}");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YScalar { IsPlain: true, Value: "true" or "True" or "false" or "False" } scalar)
        {
            return scalar.Value is "true" or "True";
        }

        Error(node, $"'{Q(key)}' must be true or false");
        return null;
    }

    public int? Int(string key, int min, int max)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YScalar { IsPlain: true } scalar &&
            int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min || value > max)
            {
                Error(node, $"'{Q(key)}' must be between {min} and {max}, not {value}");
                return null;
            }

            return value;
        }

        if (node is YScalar { IsPlain: true } big && IsWholeNumber(big.Value))
        {
            // Too many digits for a 32-bit number: out of range, not "not a number".
            Error(node, $"'{Q(key)}' must be between {min} and {max}, not {Q(big.Value)}");
            return null;
        }

        Error(node, $"'{Q(key)}' must be a whole number");
        return null;
    }

    public IReadOnlyList<YNode> List(string key)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                return [];
            case YSequence seq:
                return seq.Items;
            default:
                Error(node, $"'{Q(key)}' must be a list, not a {node.KindName}");
                return [];
        }
    }

    public IReadOnlyList<string> StringList(string key)
    {
        var result = new List<string>();
        foreach (var item in List(key))
        {
            if (item is YScalar { IsNull: false } s)
            {
                result.Add(s.Value);
            }
            else
            {
                Error(item, $"items of '{key}' must be text, not a {item.KindName}");
            }
        }

        return result.Count == 0 ? [] : result.ToArray(); // kept by what was read: no list around the array
    }

    public T? Enum<T>(string key, IReadOnlyDictionary<string, T> values, bool required = false)
        where T : struct
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        if (values.TryGetValue(text, out var value))
        {
            return value;
        }

        Error(Get(key)!, $"'{Q(key)}' must be one of {string.Join(", ", values.Keys)}, not '{Q(text)}'");
        return null;
    }

    private static string Q(string text) => ProblemText.Shorten(text);

    private static bool IsWholeNumber(string text)
    {
        var digits = text.AsSpan(text.StartsWith('-') || text.StartsWith('+') ? 1 : 0);
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Reports every key of the mapping that no reader asked for.</summary>
    public void Finish()
    {
        var entries = _map.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (i < 64 ? (_asked & (1UL << i)) == 0 : _askedBeyond64?[i] != true)
            {
                var k = entries[i].Key;
                Error(k, $"unknown key '{Q(k.Value)}' in {_what} (known keys: {string.Join(", ", _known.Distinct().Order(StringComparer.Ordinal))})");
            }
        }
    }
}
