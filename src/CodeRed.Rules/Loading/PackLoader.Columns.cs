using System.Text.RegularExpressions;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Loading;

/// <summary>
/// The manifest's <c>columns</c> (header lines that name the columns of the data lines after them) and a line rule's
/// column clauses (<c>match: - columns: ID, where: {...}, capture: {...}</c>).
/// </summary>
internal sealed partial class PackLoader
{
    /// <summary>The most columns a clause may test or capture.</summary>
    internal const int MaxClauseColumns = 32;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex CaptureNameSyntax();

    /// <summary>Reads the manifest's <c>columns</c>: a list of column sets, each with an id, a header pattern and an optional comment pattern.</summary>
    private List<ColumnSetSpec> ReadColumnSets(MapReader m)
    {
        var sets = new List<ColumnSetSpec>();
        foreach (var item in m.List("columns"))
        {
            if (MapReader.Of(item, _problems, "a column set") is not { } c)
            {
                continue;
            }

            var id = c.String("id", required: true);
            var header = PatternOf(c, "header", required: true);
            var comment = PatternOf(c, "comment", required: false);
            var separatorText = c.String("separator");
            c.Finish();
            char? separator = null;
            if (separatorText is not null)
            {
                if (separatorText.Length != 1 || separatorText[0] is '\r' or '\n')
                {
                    c.Error(c.Get("separator")!, $"'separator' must be one character other than a line break, not '{Shorten(separatorText)}' (leave it out for runs of spaces and tabs)");
                }
                else
                {
                    separator = separatorText[0];
                }
            }

            if (id is not null && !NameSyntax().IsMatch(id))
            {
                c.Error(c.Get("id")!, $"column set id '{Shorten(id)}' must be lower-case letters, digits, dots and hyphens (at most 64)");
                continue;
            }

            if (id is not null && sets.Any(s => s.Id == id))
            {
                c.Error(c.Get("id")!, $"duplicate column set id '{Shorten(id)}'");
                continue;
            }

            if (header is not null && !header.CaptureNames.Contains("names", StringComparer.Ordinal))
            {
                c.Error(c.Get("header")!, $"the header pattern of column set '{Shorten(id ?? "")}' must capture the column names in a group named 'names'");
                continue;
            }

            if (id is null || header is null)
            {
                continue;
            }

            SlowPathWarning(item, $"column set {Shorten(id)}", header);
            sets.Add(new ColumnSetSpec { Id = id, Index = sets.Count, Header = header, Comment = comment, Separator = separator });
        }

        return sets;
    }

    /// <summary>Whether an item of <c>match</c> is a column clause rather than a pattern.</summary>
    private static bool IsColumnClause(YNode item) => item is YMapping map && map.Entries.Any(e => e.Key.Value == "columns");

    /// <summary>Reads a column clause of <paramref name="what"/>; its captures go into <paramref name="captures"/>.</summary>
    private ColumnClause? ReadColumnClause(YNode item, Manifest? manifest, string what, HashSet<string> captures)
    {
        var c = MapReader.Of(item, _problems, "a column clause")!;
        var setId = c.String("columns", required: true);
        var whereNode = c.Get("where");
        var captureNode = c.Get("capture");
        var absent = c.StringList("absent");
        c.Finish();

        ColumnSetSpec? set = null;
        if (setId is not null && manifest is not null)
        {
            set = manifest.ColumnSets.FirstOrDefault(s => s.Id == setId);
            if (set is null)
            {
                c.Error(c.Get("columns")!, $"{what}: unknown column set '{Shorten(setId)}' " +
                    (manifest.ColumnSets.Count == 0 ? "(the pack manifest defines no 'columns')" : $"(the pack manifest defines: {string.Join(", ", manifest.ColumnSets.Select(s => s.Id))})"));
            }
        }

        var where = new List<(string, Pattern)>();
        var valid = true;
        if (whereNode is null)
        {
            c.Error(item, $"{what}: a column clause needs 'where', a mapping of column names to patterns");
            valid = false;
        }
        else if (whereNode is not YMapping whereMap)
        {
            c.Error(whereNode, $"{what}: 'where' must be a mapping of column names to patterns, not a {whereNode.KindName}");
            valid = false;
        }
        else if (whereMap.Entries.Count == 0)
        {
            c.Error(whereNode, $"{what}: 'where' must name at least one column");
            valid = false;
        }
        else if (whereMap.Entries.Count > MaxClauseColumns)
        {
            c.Error(whereNode, $"{what}: 'where' names {whereMap.Entries.Count} columns; at most {MaxClauseColumns}");
            valid = false;
        }
        else
        {
            foreach (var (column, patternNode) in whereMap.Entries)
            {
                if (column.Value.Length == 0 || column.Value.AsSpan().ContainsAny(' ', '\t'))
                {
                    c.Error(column, $"{what}: column name '{Shorten(column.Value)}' must be one word (header names are split on spaces)");
                    valid = false;
                    continue;
                }

                if (ReadPattern(patternNode) is { } pattern)
                {
                    where.Add((column.Value, pattern));
                }
                else
                {
                    valid = false;
                }
            }
        }

        var capture = new List<(string, string)>();
        if (captureNode is YMapping captureMap)
        {
            if (captureMap.Entries.Count > MaxClauseColumns)
            {
                c.Error(captureNode, $"{what}: 'capture' names {captureMap.Entries.Count} columns; at most {MaxClauseColumns}");
                valid = false;
            }

            foreach (var (name, columnNode) in captureMap.Entries)
            {
                if (!CaptureNameSyntax().IsMatch(name.Value))
                {
                    c.Error(name, $"{what}: capture name '{Shorten(name.Value)}' must be a letter or '_' followed by letters, digits or '_'");
                    valid = false;
                }
                else if (columnNode is not YScalar { IsNull: false, Value.Length: > 0 } columnName)
                {
                    c.Error(columnNode, $"{what}: capture '{name.Value}' must name a column, not a {columnNode.KindName}");
                    valid = false;
                }
                else
                {
                    capture.Add((name.Value, columnName.Value));
                    captures.Add(name.Value);
                }
            }
        }
        else if (captureNode is not null)
        {
            c.Error(captureNode, $"{what}: 'capture' must be a mapping of capture names to column names, not a {captureNode.KindName}");
            valid = false;
        }

        foreach (var name in absent)
        {
            if (where.Any(w => string.Equals(w.Item1, name, StringComparison.OrdinalIgnoreCase)) || capture.Any(x => string.Equals(x.Item2, name, StringComparison.OrdinalIgnoreCase)))
            {
                c.Error(c.Get("absent")!, $"{what}: column '{Shorten(name)}' is in 'absent' and also in 'where' or 'capture', so the clause could never match");
                valid = false;
            }
        }

        if (!valid || set is null)
        {
            return null;
        }

        var searched = ColumnClause.SearchPatternFor(where.Select(w => w.Item2));
        if (searched is null)
        {
            var at = whereNode!;
            _warnings.Add(new PackProblem(at.File, at.Line, at.Column, ProblemSeverity.Warning,
                $"{what}: no pattern of this column clause has a literal every match must contain, so every line runs the full clause (slow path)"));
        }

        return new ColumnClause { Set = set, Where = where, Capture = capture, Absent = absent, Prefilter = searched };
    }
}
