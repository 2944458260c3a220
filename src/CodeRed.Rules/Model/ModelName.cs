using System.Text;

namespace CodeRed.Rules.Model;

/// <summary>
/// Model names as people type them: case, spaces, hyphens and underscores do not matter
/// (<c>ar300l v2</c>, <c>AR300LV2</c> and <c>AR-300L V2</c> are one model), every other character does,
/// so <c>AR300</c> is never <c>AR300 V2</c>.
/// </summary>
public static class ModelName
{
    /// <summary>The comparison key of a model name: upper case, without spaces, hyphens and underscores.</summary>
    public static string Normalize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormKC))
        {
            if (c is ' ' or '-' or '_' or '\t' || char.IsWhiteSpace(c))
            {
                continue;
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
