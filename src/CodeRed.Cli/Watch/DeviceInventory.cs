using CodeRed.Rules.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CodeRed.Cli.Watch;

/// <summary>One device of the inventory: what the evaluation is told about it.</summary>
internal sealed record InventoryDevice(string Name, string? Model, string? Firmware);

/// <summary>A bad inventory file: the message starts with FILE:LINE:COL.</summary>
internal sealed class InventoryException(string message) : Exception(message);

/// <summary>
/// <c>--devices FILE</c>: YAML (<c>devices: [{name, model, firmware}]</c>) or, for a <c>.csv</c> file, CSV with a
/// header naming the columns <c>name</c>, <c>model</c>, <c>firmware</c>. Names are matched without case (host names).
/// </summary>
internal sealed class DeviceInventory
{
    private static readonly string[] Columns = ["name", "model", "firmware"];
    private readonly Dictionary<string, InventoryDevice> _devices;

    private DeviceInventory(Dictionary<string, InventoryDevice> devices) => _devices = devices;

    public static DeviceInventory Empty { get; } = new(new Dictionary<string, InventoryDevice>(StringComparer.OrdinalIgnoreCase));

    public int Count => _devices.Count;

    public InventoryDevice? Find(string name) => _devices.GetValueOrDefault(name);

    /// <summary>Reads the file. <see cref="InventoryException"/> (FILE:LINE:COL: what is wrong) or IO errors.</summary>
    public static DeviceInventory Load(string path)
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
            if (device.Firmware is { } firmware && !FirmwareVersion.TryParse(firmware, out _, out var error))
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
                throw Error(path, value, "'devices' must be a list of {name, model, firmware}");
            }

            foreach (var item in list.Children)
            {
                if (item is not YamlMappingNode entry)
                {
                    throw Error(path, item, "each device must be a mapping {name, model, firmware}");
                }

                var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var (fieldKey, fieldValue) in entry.Children)
                {
                    var name = (fieldKey as YamlScalarNode)?.Value ?? "";
                    if (!Columns.Contains(name))
                    {
                        throw Error(path, fieldKey, $"unknown key '{name}' (expected name, model or firmware)");
                    }

                    if (fieldValue is not YamlScalarNode scalar)
                    {
                        throw Error(path, fieldValue, $"'{name}' must be a text");
                    }

                    fields[name] = string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value.Trim();
                }

                if (fields.GetValueOrDefault("name") is not { } deviceName)
                {
                    throw Error(path, entry, "a device needs a 'name'");
                }

                result.Add((new InventoryDevice(deviceName, fields.GetValueOrDefault("model"), fields.GetValueOrDefault("firmware")), entry.Start.Line, entry.Start.Column));
            }
        }

        return result;
    }

    private static InventoryException Error(string path, YamlNode node, string message) =>
        new($"{path}:{node.Start.Line}:{node.Start.Column}: {message}");

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

                headerCount = cells.Count;
                if (order[0] < 0)
                {
                    throw new InventoryException($"{path}:{i + 1}:1: the header must name the columns name, model, firmware (found: {string.Join(", ", cells.Select(c => c.Text))})");
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

            result.Add((new InventoryDevice(name, Cell(1), Cell(2)), i + 1, 1));
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
