using CodeRed.Rules.Model;
using CodeRed.Rules.Products;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CodeRed.Cli.Watch;

/// <summary>One device of the inventory: what the evaluation is told about it.</summary>
/// <param name="Name">The device's name (a syslog HOSTNAME), matched without case.</param>
/// <param name="Model">The device's model, or null.</param>
/// <param name="Firmware">The device's version (key <c>firmware</c> or its general name <c>version</c>).</param>
/// <param name="Patches">The patches installed; empty for <c>none</c>; null when not stated (unknown).</param>
internal sealed record InventoryDevice(string Name, string? Model, string? Firmware, IReadOnlyList<string>? Patches = null);

/// <summary>A bad inventory file: the message starts with FILE:LINE:COL.</summary>
internal sealed class InventoryException(string message) : Exception(message);

/// <summary>
/// <c>--devices FILE</c>: YAML (<c>devices: [{name, model, firmware}]</c>) or, for a <c>.csv</c> file, CSV with a
/// header naming the columns <c>name</c>, <c>model</c>, <c>firmware</c>. <c>version</c> is <c>firmware</c>'s general
/// name, and <c>patches</c> lists the patches installed (a YAML list, or in CSV and as YAML text separated by spaces or
/// semicolons; <c>none</c> for none), as <c>--patch</c> does. Versions are checked in the pack's version scheme. Names are
/// matched without case (host names).
/// </summary>
internal sealed class DeviceInventory
{
    // name, model, version (also 'firmware'), patches: the order of the CSV columns' meanings below.
    private static readonly string[] Columns = ["name", "model", "firmware", "patches"];
    private const string Keys = "name, model, firmware (or version), patches";
    private readonly Dictionary<string, InventoryDevice> _devices;

    private DeviceInventory(Dictionary<string, InventoryDevice> devices) => _devices = devices;

    public static DeviceInventory Empty { get; } = new(new Dictionary<string, InventoryDevice>(StringComparer.OrdinalIgnoreCase));

    public int Count => _devices.Count;

    public InventoryDevice? Find(string name) => _devices.GetValueOrDefault(name);

    /// <summary>Reads the file. <see cref="InventoryException"/> (FILE:LINE:COL: what is wrong) or IO errors.</summary>
    public static DeviceInventory Load(string path, VersionScheme scheme)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InventoryException($"{path}: cannot read the device inventory: {e.Message}");
        }

        var devices = new Dictionary<string, InventoryDevice>(StringComparer.OrdinalIgnoreCase);
        var entries = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, text) : ReadYaml(path, text);
        foreach (var (device, line, column) in entries)
        {
            if (device.Firmware is { } firmware && !scheme.TryParse(firmware, out _, out var error))
            {
                throw new InventoryException($"{path}:{line}:{column}: device '{device.Name}': {error}");
            }

            if (!devices.TryAdd(device.Name, device))
            {
                throw new InventoryException($"{path}:{line}:{column}: device '{device.Name}' is listed twice");
            }
        }

        return new DeviceInventory(devices);
    }

    private static List<(InventoryDevice Device, long Line, long Column)> ReadYaml(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InventoryException($"{path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }

        var result = new List<(InventoryDevice, long, long)>();
        if (stream.Documents.Count == 0)
        {
            return result;
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode mapping)
        {
            throw Error(path, root, "the inventory must be a mapping with a 'devices' list");
        }

        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: "devices" })
            {
                throw Error(path, key, $"unknown key '{(key as YamlScalarNode)?.Value}' (expected 'devices')");
            }

            if (value is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                continue;
            }

            if (value is not YamlSequenceNode list)
            {
                throw Error(path, value, $"'devices' must be a list of {{{Keys}}}");
            }

            foreach (var item in list.Children)
            {
                if (item is not YamlMappingNode entry)
                {
                    throw Error(path, item, $"each device must be a mapping {{{Keys}}}");
                }

                var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
                IReadOnlyList<string>? patches = null;
                foreach (var (fieldKey, fieldValue) in entry.Children)
                {
                    var written = (fieldKey as YamlScalarNode)?.Value ?? "";
                    var name = written == "version" ? "firmware" : written;
                    if (!Columns.Contains(name))
                    {
                        throw Error(path, fieldKey, $"unknown key '{written}' (expected {Keys})");
                    }

                    if (fields.ContainsKey(name) || name == "patches" && patches is not null)
                    {
                        throw Error(path, fieldKey, name == "firmware" ? "'firmware' and 'version' are the same; give one" : $"'{written}' is given twice");
                    }

                    if (name == "patches" && fieldValue is YamlSequenceNode patchList)
                    {
                        var items = new List<string>();
                        foreach (var patch in patchList.Children)
                        {
                            items.Add(patch is YamlScalarNode { Value: { } id } ? id : throw Error(path, patch, "each patch must be a text (an id such as MS01-033)"));
                        }

                        patches = Patches(items, message => Error(path, patchList, message));
                        continue;
                    }

                    if (fieldValue is not YamlScalarNode scalar)
                    {
                        throw Error(path, fieldValue, $"'{written}' must be a text");
                    }

                    if (name == "patches")
                    {
                        patches = Patches(Split(scalar.Value), message => Error(path, scalar, message));
                        continue;
                    }

                    fields[name] = string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value.Trim();
                }

                if (fields.GetValueOrDefault("name") is not { } deviceName)
                {
                    throw Error(path, entry, "a device needs a 'name'");
                }

                result.Add((new InventoryDevice(deviceName, fields.GetValueOrDefault("model"), fields.GetValueOrDefault("firmware"), patches), entry.Start.Line, entry.Start.Column));
            }
        }

        return result;
    }

    private static InventoryException Error(string path, YamlNode node, string message) =>
        new($"{path}:{node.Start.Line}:{node.Start.Column}: {message}");

    private static IEnumerable<string> Split(string? text) =>
        (text ?? "").Split([' ', ';', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A patch list as <c>--patch</c> reads it: ids, or <c>none</c> alone for an empty list; nothing at all is unknown.</summary>
    private static IReadOnlyList<string>? Patches(IEnumerable<string> ids, Func<string, InventoryException> error)
    {
        var list = ids.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        if (list.Count == 0)
        {
            return null;
        }

        if (list.Any(p => p.Equals("none", StringComparison.OrdinalIgnoreCase)))
        {
            return list.Count == 1 ? [] : throw error("'none' says no patch is installed; it cannot be listed with patches");
        }

        return list.Any(p => p.Length > 64 || p.Any(char.IsControl))
            ? throw error("a patch id has 1 to 64 characters (MS01-033)")
            : list;
    }

    private static List<(InventoryDevice Device, long Line, long Column)> ReadCsv(string path, string text)
    {
        var result = new List<(InventoryDevice, long, long)>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int[]? order = null;
        var headerCount = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var cells = SplitCsv(path, i + 1, line);
            if (order is null)
            {
                order = new int[Columns.Length];
                for (var c = 0; c < Columns.Length; c++)
                {
                    order[c] = cells.FindIndex(cell => string.Equals(cell.Text, Columns[c], StringComparison.OrdinalIgnoreCase));
                }

                var version = cells.FindIndex(cell => string.Equals(cell.Text, "version", StringComparison.OrdinalIgnoreCase));
                if (version >= 0 && order[2] >= 0)
                {
                    throw new InventoryException($"{path}:{i + 1}:{cells[version].Column}: the columns 'firmware' and 'version' are the same; give one");
                }

                order[2] = Math.Max(order[2], version);
                if (cells.FirstOrDefault(cell => !Columns.Contains(cell.Text, StringComparer.OrdinalIgnoreCase) && !cell.Text.Equals("version", StringComparison.OrdinalIgnoreCase)) is { Text.Length: > 0 } unknown)
                {
                    throw new InventoryException($"{path}:{i + 1}:{unknown.Column}: unknown column '{unknown.Text}' (expected {Keys})");
                }

                headerCount = cells.Count;
                if (order[0] < 0)
                {
                    throw new InventoryException($"{path}:{i + 1}:1: the header must name the columns {Keys} (found: {string.Join(", ", cells.Select(c => c.Text))})");
                }

                continue;
            }

            if (cells.Count != headerCount)
            {
                throw new InventoryException($"{path}:{i + 1}:{(cells.Count > headerCount ? cells[headerCount].Column : line.Length + 1)}: {cells.Count} columns, the header has {headerCount}");
            }

            string? Cell(int column) => order[column] >= 0 && order[column] < cells.Count && cells[order[column]].Text.Length > 0 ? cells[order[column]].Text : null;
            if (Cell(0) is not { } name)
            {
                throw new InventoryException($"{path}:{i + 1}:{cells[Math.Max(0, order[0])].Column}: a device needs a name");
            }

            var patchCell = order[3] >= 0 ? cells[order[3]] : default;
            var patches = Patches(Split(patchCell.Text), message => new InventoryException($"{path}:{i + 1}:{patchCell.Column}: {message}"));
            result.Add((new InventoryDevice(name, Cell(1), Cell(2), patches), i + 1, 1));
        }

        return result;
    }

    /// <summary>Cells of one CSV line: comma-separated, optionally in double quotes ("" is a quote); trimmed.</summary>
    private static List<(string Text, int Column)> SplitCsv(string path, int lineNumber, string line)
    {
        var cells = new List<(string, int)>();
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            string cell;
            if (i < line.Length && line[i] == '"')
            {
                var quoteColumn = i + 1;
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new InventoryException($"{path}:{lineNumber}:{quoteColumn}: a quoted cell is not closed");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            text.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(line[i++]);
                }

                while (i < line.Length && line[i] == ' ')
                {
                    i++;
                }

                if (i < line.Length && line[i] != ',')
                {
                    throw new InventoryException($"{path}:{lineNumber}:{i + 1}: text after a quoted cell");
                }

                cell = text.ToString();
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                cell = line[i..end].Trim();
                i = end;
            }

            cells.Add((cell, start + 1));
            if (i >= line.Length)
            {
                return cells;
            }

            i++; // the comma
        }
    }
}
