using System.Globalization;

namespace CodeRed.Rules.Loading;

/// <summary>
/// Texts a pack shows to people (titles, messages, descriptions, remediation, verdicts, caveats, notes, references, in
/// every language) must not carry control or bidirectional-formatting characters: printed by <c>rules list</c>,
/// <c>rules docs</c> or a report, an ESC sequence can erase or forge a line, and U+202E can reverse what a reader sees.
/// This is a load error, not a lint warning, so a pack with them never loads anywhere (hot reload keeps the last good
/// pack). Patterns are not checked: matching a control character in a log is legitimate, and a pattern is not shown
/// unescaped.
/// </summary>
internal sealed partial class PackLoader
{
    /// <summary>Keys of longer prose, where a line break (from a YAML block scalar) and a tab are allowed.</summary>
    private static readonly HashSet<string> ProseKeys = new(StringComparer.Ordinal) { "description", "summary", "notes" };

    /// <summary>Reports the first forbidden character of a text the pack shows, at the text's node.</summary>
    private void CheckDisplayText(YNode? node, string key, string? language, string? text)
    {
        if (node is null || text is null || ForbiddenDisplayCharacter(text, ProseKeys.Contains(key)) is not { } index)
        {
            return;
        }

        var what = language is null ? $"'{Shorten(key)}'" : $"the {language} text of '{Shorten(key)}'";
        MapReader.Error(_problems, node,
            $"{what} contains {DescribeCharacter(text[index])} at character {index + 1}: texts of a pack must not contain control or bidirectional-formatting characters, which can rewrite what a terminal or reader shows");
    }

    /// <summary>The index of the first C0/C1 control, DEL or bidirectional-formatting character (tab and line feed allowed in prose), or null.</summary>
    internal static int? ForbiddenDisplayCharacter(string text, bool prose)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // The characters a terminal would act on are the ones the text writers escape: one set for both.
            var forbidden = c is '\t' or '\n' ? !prose : Output.TerminalText.NeedsEscape(c);
            if (forbidden)
            {
                return i;
            }
        }

        return null;
    }

    private static string DescribeCharacter(char c)
    {
        var name = c switch
        {
            '\u001b' => "escape",
            '\n' => "line feed",
            '\r' => "carriage return",
            '\t' => "tab",
            '\u007f' => "delete",
            '\u200e' => "left-to-right mark",
            '\u200f' => "right-to-left mark",
            '\u061c' => "Arabic letter mark",
            '\u2028' => "line separator",
            '\u2029' => "paragraph separator",
            >= '\u202a' and <= '\u202e' => "a bidirectional embedding or override",
            >= '\u2066' and <= '\u2069' => "a bidirectional isolate",
            _ => "a control character",
        };
        return string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4} ({name})");
    }
}
