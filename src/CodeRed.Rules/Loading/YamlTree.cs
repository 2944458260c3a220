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
        return ReadEach(file, text, problems, documents.Add) ? documents : [];
    }

    /// <summary>
    /// Hands each document to <paramref name="each"/> as soon as it is parsed, so that a caller can read it and let its
    /// tree go. False when the file has an error (in <paramref name="problems"/>): then the documents already handed over
    /// do not count, since a file is taken whole or not at all.
    /// </summary>
    public static bool ReadEach(string file, string text, List<PackProblem> problems, Action<YNode> each)
    {
        var multiLineScalars = new List<(long First, long Last)>();
        Parser? parser = null;
        var handing = false; // an exception from the caller's reading is its own, not a syntax error
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

                var document = ReadNode(parser, file, 0, multiLineScalars);
                handing = true;
                each(document);
                handing = false;
                parser.Consume<DocumentEnd>();
            }
        }
        catch (YamlException e)
        {
            // The parser reports a tab where the scalar or mapping before it began; point at the tab itself.
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) &&
                TabIndentedLines(text, multiLineScalars, fromLine: e.Start.Line).FirstOrDefault() is { Line: > 0 } tab)
            {
                problems.Add(new PackProblem(file, tab.Line, tab.Column, ProblemSeverity.Error,
                    $"{TabMessage} (YAML syntax error: {TrimYamlMessage(e)})"));
                return false;
            }

            problems.Add(new PackProblem(file, (int)e.Start.Line, (int)e.Start.Column, ProblemSeverity.Error,
                "YAML syntax error: " + TrimYamlMessage(e)));
            return false;
        }
        catch (RefusedYamlException e)
        {
            problems.Add(new PackProblem(file, e.Line, e.Column, ProblemSeverity.Error, e.Message));
            return false;
        }
        catch (Exception e) when (!handing && e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The YAML library can fail outside its own exception type on malformed input; report it, never crash.
            var mark = parser?.Current?.Start;
            problems.Add(new PackProblem(file, (int)(mark?.Line ?? 1), (int)(mark?.Column ?? 1), ProblemSeverity.Error,
                "YAML syntax error: the text after this point could not be parsed (check brackets, quotes and indentation)"));
            return false;
        }

        // The parser lets some tabs in indentation through (a tab before a top-level key); YAML indents with spaces.
        var tabs = TabIndentedLines(text, multiLineScalars, fromLine: 1).ToList();
        if (tabs.Count > 0)
        {
            problems.AddRange(tabs.Select(t => new PackProblem(file, t.Line, t.Column, ProblemSeverity.Error, TabMessage)));
            return false;
        }

        return true;
    }

    private const string TabMessage = "a tab is used for indentation; YAML indents with spaces only";

    /// <summary>
    /// Lines whose indentation holds a tab, with the tab's 1-based column, from <paramref name="fromLine"/> on.
    /// Content lines of multi-line scalars (block scalars, quoted text) are skipped: a tab there is text. So are
    /// blank lines and comment lines.
    /// </summary>
    private static IEnumerable<(int Line, int Column)> TabIndentedLines(string text, List<(long First, long Last)> multiLineScalars, long fromLine)
    {
        // Scalars never overlap, so marking the lines inside them costs one pass over the lines.
        var inside = new bool[text.Count('\n') + text.Count('\r') + 2];
        foreach (var (first, last) in multiLineScalars)
        {
            for (var l = first + 1; l <= last && l < inside.Length; l++)
            {
                inside[l] = true;
            }
        }

        var line = 1;
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOfAny(['\r', '\n'], start);
            var length = (end < 0 ? text.Length : end) - start;
            if (line >= fromLine)
            {
                var content = text.AsSpan(start, length);
                var indent = content.IndexOfAnyExcept(' ', '\t');
                var tab = content.IndexOf('\t');
                if (indent > 0 && tab >= 0 && tab < indent && content[indent] != '#' &&
                    !inside[line])
                {
                    yield return (line, tab + 1);
                }
            }

            if (end < 0)
            {
                yield break;
            }

            start = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            line++;
        }
    }

    private static YNode ReadNode(IParser parser, string file, int depth, List<(long First, long Last)> multiLineScalars)
    {
        var current = parser.Current!;
        if (depth > MaxDepth)
        {
            throw new RefusedYamlException(current.Start, $"nesting is deeper than {MaxDepth} levels");
        }

        switch (current)
        {
            case AnchorAlias alias:
                throw new RefusedYamlException(alias.Start, $"YAML aliases (*{ProblemText.Shorten(alias.Value.Value)}) are not allowed in rule packs");
            case NodeEvent { Anchor.IsEmpty: false } anchored:
                throw new RefusedYamlException(anchored.Start, $"YAML anchors (&{ProblemText.Shorten(anchored.Anchor.Value)}) are not allowed in rule packs");
            case NodeEvent { Tag.IsEmpty: false } tagged when !tagged.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal):
                throw new RefusedYamlException(tagged.Start, $"YAML tags ({ProblemText.Shorten(tagged.Tag.Value)}) are not allowed in rule packs");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            if (scalar.End.Line > scalar.Start.Line)
            {
                multiLineScalars.Add((scalar.Start.Line, scalar.End.Line));
            }

            return new YScalar(file, scalar.Start, scalar.Value, scalar.Style == ScalarStyle.Plain);
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, file, depth + 1, multiLineScalars));
            }

            return new YSequence(file, sequenceStart.Start, items);
        }

        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<KeyValuePair<YScalar, YNode>>();
            HashSet<string>? seen = null; // only for a large mapping: a rule's few keys are compared one by one
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (ReadNode(parser, file, depth + 1, multiLineScalars) is not YScalar key)
                {
                    throw new RefusedYamlException(mappingStart.Start, "mapping keys must be plain text");
                }

                if (entries.Count >= 16)
                {
                    seen ??= entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal);
                }

                if (seen is null ? Holds(entries, key.Value) : !seen.Add(key.Value))
                {
                    throw new RefusedYamlException(key.Line, key.Column, $"duplicate key '{ProblemText.Shorten(key.Value)}'");
                }

                entries.Add(new(key, ReadNode(parser, file, depth + 1, multiLineScalars)));
            }

            return new YMapping(file, mappingStart.Start, entries);
        }

        throw new RefusedYamlException(current.Start, $"unexpected YAML event {current.GetType().Name}");
    }

    private static bool Holds(List<KeyValuePair<YScalar, YNode>> entries, string key)
    {
        foreach (var entry in entries)
        {
            if (entry.Key.Value == key)
            {
                return true;
            }
        }

        return false;
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
