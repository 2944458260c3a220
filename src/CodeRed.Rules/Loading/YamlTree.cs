using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CodeRed.Rules.Loading;

/// <summary>A YAML node with the place it came from. Packs are plain data, so there are only three kinds.</summary>
internal abstract class YNode(string file, Mark start)
{
    public string File { get; } = file;
    public int Line { get; } = (int)start.Line;
    public int Column { get; } = (int)start.Column;
    public abstract string KindName { get; }
}

internal sealed class YScalar(string file, Mark start, string value, bool isPlain) : YNode(file, start)
{
    public string Value { get; } = value;

    /// <summary>Plain (unquoted) scalars may mean null or booleans; quoted ones are always strings.</summary>
    public bool IsPlain { get; } = isPlain;

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
    public override string KindName => IsNull ? "null" : "scalar";
}

internal sealed class YSequence(string file, Mark start, IReadOnlyList<YNode> items) : YNode(file, start)
{
    public IReadOnlyList<YNode> Items { get; } = items;
    public override string KindName => "list";
}

internal sealed class YMapping(string file, Mark start, IReadOnlyList<KeyValuePair<YScalar, YNode>> entries) : YNode(file, start)
{
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; } = entries;
    public override string KindName => "mapping";
}

/// <summary>
/// Reads YAML text into <see cref="YNode"/> documents with the parser's event stream. Declarative packs
/// need no anchors, aliases or tags, so they are refused: that closes "billion laughs" alias bombs at the
/// door. Depth is bounded so that deeply nested input cannot exhaust the stack.
/// </summary>
internal static class YamlTree
{
    public const int MaxDepth = 32;

    public static IReadOnlyList<YNode> Read(string file, string text, List<PackProblem> problems)
    {
        var documents = new List<YNode>();
        Parser? parser = null;
        try
        {
            parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            while (!parser.Accept<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                if (parser.Accept<DocumentEnd>(out _))
                {
                    parser.Consume<DocumentEnd>();
                    continue;
                }

                documents.Add(ReadNode(parser, file, 0));
                parser.Consume<DocumentEnd>();
            }
        }
        catch (YamlException e)
        {
            problems.Add(new PackProblem(file, (int)e.Start.Line, (int)e.Start.Column, ProblemSeverity.Error,
                "YAML syntax error: " + TrimYamlMessage(e)));
            return [];
        }
        catch (RefusedYamlException e)
        {
            problems.Add(new PackProblem(file, e.Line, e.Column, ProblemSeverity.Error, e.Message));
            return [];
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The YAML library can fail outside its own exception type on malformed input; report it, never crash.
            var mark = parser?.Current?.Start;
            problems.Add(new PackProblem(file, (int)(mark?.Line ?? 1), (int)(mark?.Column ?? 1), ProblemSeverity.Error,
                "YAML syntax error: the text after this point could not be parsed (check brackets, quotes and indentation)"));
            return [];
        }

        return documents;
    }

    private static YNode ReadNode(IParser parser, string file, int depth)
    {
        var current = parser.Current!;
        if (depth > MaxDepth)
        {
            throw new RefusedYamlException(current.Start, $"nesting is deeper than {MaxDepth} levels");
        }

        switch (current)
        {
            case AnchorAlias alias:
                throw new RefusedYamlException(alias.Start, $"YAML aliases (*{alias.Value}) are not allowed in rule packs");
            case NodeEvent { Anchor.IsEmpty: false } anchored:
                throw new RefusedYamlException(anchored.Start, $"YAML anchors (&{anchored.Anchor}) are not allowed in rule packs");
            case NodeEvent { Tag.IsEmpty: false } tagged when !tagged.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal):
                throw new RefusedYamlException(tagged.Start, $"YAML tags ({tagged.Tag}) are not allowed in rule packs");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return new YScalar(file, scalar.Start, scalar.Value, scalar.Style == ScalarStyle.Plain);
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, file, depth + 1));
            }

            return new YSequence(file, sequenceStart.Start, items);
        }

        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<KeyValuePair<YScalar, YNode>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (ReadNode(parser, file, depth + 1) is not YScalar key)
                {
                    throw new RefusedYamlException(mappingStart.Start, "mapping keys must be plain text");
                }

                if (!seen.Add(key.Value))
                {
                    throw new RefusedYamlException(key.Line, key.Column, $"duplicate key '{key.Value}'");
                }

                entries.Add(new(key, ReadNode(parser, file, depth + 1)));
            }

            return new YMapping(file, mappingStart.Start, entries);
        }

        throw new RefusedYamlException(current.Start, $"unexpected YAML event {current.GetType().Name}");
    }

    private static string TrimYamlMessage(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the place is reported separately.
        var message = e.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }

    private sealed class RefusedYamlException : Exception
    {
        public RefusedYamlException(Mark mark, string message) : this((int)mark.Line, (int)mark.Column, message) { }

        public RefusedYamlException(int line, int column, string message) : base(message)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }
        public int Column { get; }
    }
}
