using System.Text.RegularExpressions;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Loading;

/// <summary>A fact's <c>shape</c>: what a value read from the evidence must look like to go into a command.</summary>
internal sealed partial class PackLoader
{
    /// <summary>Reads <c>shape</c> (a pattern) and anchors a regex at both ends, so the whole value must fit it.</summary>
    private Pattern? FactShape(MapReader fact, out Pattern? written)
    {
        written = PatternOf(fact, "shape", required: false);
        if (written is not { } shape)
        {
            return null;
        }

        if (shape.Regex is null)
        {
            return shape; // a literal shape: the value must equal it
        }

        return Pattern.FromRegex(@"\A(?:" + shape.Source + @")\z", (shape.Regex.Options & RegexOptions.IgnoreCase) != 0, out _);
    }
}
