namespace CodeRed.Rules.Matching;

/// <summary>
/// A pack's column set (manifest <c>columns</c>): a line matching <see cref="Header"/> names, in its <c>names</c> group,
/// the columns of the data lines after it in the same source; a later header replaces it. Lines matching
/// <see cref="Comment"/> are not data. Values and names are split on runs of whitespace, or on each
/// <see cref="Separator"/> when one is given.
/// </summary>
internal sealed class ColumnSetSpec
{
    public required string Id { get; init; }

    /// <summary>Position in the manifest's list: the index of this set's current header in a source's state.</summary>
    public required int Index { get; init; }

    public required Pattern Header { get; init; }

    public Pattern? Comment { get; init; }

    /// <summary>The one character between columns, or null for runs of spaces and tabs.</summary>
    public char? Separator { get; init; }

    /// <summary>The names a header line gives, or null when the line is not this set's header (or names nothing).</summary>
    public ColumnHeader? ReadHeader(string line, long number)
    {
        if (!Header.TryMatch(line, out _, out var match) || match?.Groups["names"] is not { Success: true } names)
        {
            return null;
        }

        var fields = new List<string>();
        foreach (var (start, length) in Split(names.Value, Separator))
        {
            fields.Add(names.Value.Substring(start, length).Trim());
        }

        return fields.Count == 0 ? null : new ColumnHeader(fields.ToArray(), number);
    }

    /// <summary>Whether a line is data for this set: not its header, not a comment.</summary>
    public bool IsData(string line) =>
        !(Comment is { } comment && comment.TryFind(line, out _, out _)) && !Header.TryFind(line, out _, out _);

    /// <summary>
    /// The fields of <paramref name="text"/>: (start, length) pairs. Without a separator, runs of spaces and tabs separate
    /// them and leading and trailing ones are ignored; with one, every separator ends a field (empty fields count).
    /// </summary>
    public static List<(int Start, int Length)> Split(string text, char? separator)
    {
        var fields = new List<(int, int)>();
        if (separator is { } sep)
        {
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i == text.Length || text[i] == sep)
                {
                    fields.Add((start, i - start));
                    start = i + 1;
                }
            }

            return fields;
        }

        var pos = 0;
        while (pos < text.Length)
        {
            while (pos < text.Length && text[pos] is ' ' or '\t')
            {
                pos++;
            }

            var begin = pos;
            while (pos < text.Length && text[pos] is not (' ' or '\t'))
            {
                pos++;
            }

            if (pos > begin)
            {
                fields.Add((begin, pos - begin));
            }
        }

        return fields;
    }
}

/// <summary>The column names a header line gave (the current header of a source, per column set), and its line number.</summary>
internal sealed class ColumnHeader
{
    private readonly Dictionary<string, int> _positions = new(StringComparer.OrdinalIgnoreCase);

    public ColumnHeader(string[] names, long line)
    {
        Names = names;
        Line = line;
        for (var i = 0; i < names.Length; i++)
        {
            _positions.TryAdd(names[i], i); // a name given twice: its first column
        }
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The line of the source the header was read from.</summary>
    public long Line { get; }

    /// <summary>The position of a column by name (ignoring case, as W3C-style field names are written either way), or -1.</summary>
    public int PositionOf(string name) => _positions.TryGetValue(name, out var position) ? position : -1;
}

/// <summary>
/// A line rule's clause on named columns (<c>match: - columns: ID</c>): every <see cref="Where"/> pattern must match the
/// whole value of its column (as a regex matches a line: anywhere, unless anchored), and <see cref="Capture"/> takes
/// named values from columns.
/// </summary>
internal sealed class ColumnClause
{
    public required ColumnSetSpec Set { get; init; }

    public required IReadOnlyList<(string Column, Pattern Pattern)> Where { get; init; }

    /// <summary>Columns the current header must not name (<c>absent</c>): for what a log shows when it does not log a field.</summary>
    public IReadOnlyList<string> Absent { get; init; } = [];

    /// <summary>Capture name, then the column whose value it takes.</summary>
    public IReadOnlyList<(string Name, string Column)> Capture { get; init; } = [];

    /// <summary>
    /// What the prefilter searches for: the where pattern with the rarest usable fragment, its fragments unanchored (a
    /// value's start is not the line's). Every matching line holds that pattern's fragments in order. Null when no where
    /// pattern has a fragment: then there is no prefilter.
    /// </summary>
    public Pattern? Prefilter { get; init; }

    /// <summary>
    /// The prefilter's pattern for a clause: of its where patterns, the one with the rarest fragment long enough to
    /// search for, its fragments unanchored. All of that pattern's fragments are in every line the clause matches, in
    /// order (they are in the column's value), though not at the offsets an anchor gives them inside the value.
    /// </summary>
    public static Pattern? SearchPatternFor(IEnumerable<Pattern> where)
    {
        Pattern? searched = null;
        var rarest = double.MaxValue;
        foreach (var pattern in where)
        {
            var unanchored = pattern.Unanchored();
            if (!Matching.Prefilter.CanSearch(unanchored))
            {
                continue;
            }

            var caseless = pattern.Comparison == StringComparison.OrdinalIgnoreCase;
            var rarity = unanchored.Fragments.Where(f => f.Text.Length >= Matching.Prefilter.MinimumSearchLength || unanchored.Literal == f.Text)
                .Min(f => ByteFrequency.Rarity(f.Text, caseless));
            if (rarity < rarest)
            {
                (searched, rarest) = (unanchored, rarity);
            }
        }

        return searched;
    }

    /// <summary>
    /// Matches a data line against the current header: the line must have as many fields as the header names, every
    /// where column must exist and match, every captured column must exist. The column is that of the first where
    /// field (1-based, in the line).
    /// </summary>
    public bool TryMatch(string line, ColumnHeader header, out int column, out (string Name, string Value)[] captures)
    {
        column = 0;
        captures = [];
        foreach (var name in Absent)
        {
            if (header.PositionOf(name) >= 0)
            {
                return false;
            }
        }

        var fields = ColumnSetSpec.Split(line, Set.Separator);
        if (fields.Count != header.Names.Count)
        {
            return false;
        }

        for (var i = 0; i < Where.Count; i++)
        {
            var (name, pattern) = Where[i];
            var position = header.PositionOf(name);
            if (position < 0)
            {
                return false;
            }

            var (start, length) = fields[position];
            if (!pattern.TryFind(line.Substring(start, length), out _, out _))
            {
                return false;
            }

            if (i == 0)
            {
                column = start + 1;
            }
        }

        if (Capture.Count > 0)
        {
            captures = new (string, string)[Capture.Count];
            for (var i = 0; i < Capture.Count; i++)
            {
                var position = header.PositionOf(Capture[i].Column);
                if (position < 0)
                {
                    return false;
                }

                var (start, length) = fields[position];
                captures[i] = (Capture[i].Name, line.Substring(start, length));
            }
        }

        return true;
    }
}
