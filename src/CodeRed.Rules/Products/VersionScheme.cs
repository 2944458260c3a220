using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CodeRed.Rules.Products;

/// <summary>
/// How a pack's product writes its versions (the manifest's <c>product.versionScheme</c>): parsing and the canonical
/// form. Versions of one scheme compare as <see cref="FirmwareVersion"/> does: component by component, then the patch level.
/// </summary>
public abstract partial class VersionScheme
{
    private protected VersionScheme() { }

    /// <summary>The scheme's name in pack files (<c>ar-firmware</c>, <c>dotted</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Parses a version, or explains why the text is not one.</summary>
    public abstract bool TryParse(string? text, [NotNullWhen(true)] out FirmwareVersion? version, out string? error);

    /// <summary>Parses a version or throws <see cref="FormatException"/> saying what is wrong.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not a version of this scheme.</exception>
    public FirmwareVersion Parse(string text) => TryParse(text, out var version, out var error) ? version : throw new FormatException(error);

    /// <summary>The AR router firmware scheme (<c>2.0.4 PL 7</c>, <c>2.0.4PL7</c>, <c>2.0.4-07</c>, <c>Ver.2.0.4 PL 7</c>): the default.</summary>
    public static VersionScheme ArFirmware { get; } = new ArFirmwareScheme();

    /// <summary>Dotted numbers (<c>5.0</c>, <c>4.0.1</c>), written back without a patch level.</summary>
    public static VersionScheme Dotted { get; } = new DottedScheme();

    /// <summary>Every scheme, by name.</summary>
    public static IReadOnlyList<VersionScheme> All { get; } = [ArFirmware, Dotted];

    /// <summary>The scheme named <paramref name="name"/> (ignoring case), or null.</summary>
    public static VersionScheme? Find(string? name) => All.FirstOrDefault(s => string.Equals(s.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class ArFirmwareScheme : VersionScheme
    {
        public override string Name => "ar-firmware";

        public override bool TryParse(string? text, [NotNullWhen(true)] out FirmwareVersion? version, out string? error) =>
            FirmwareVersion.TryParse(text, out version, out error);
    }

    private sealed partial class DottedScheme : VersionScheme
    {
        public override string Name => "dotted";

        [GeneratedRegex(@"^\s*(?:ver(?:sion)?\.?\s*|v\s*)?(?<release>0*\d{1,9}(?:\.0*\d{1,9})*)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex Syntax();

        public override bool TryParse(string? text, [NotNullWhen(true)] out FirmwareVersion? version, out string? error)
        {
            version = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                error = "the version is empty";
                return false;
            }

            var match = text.Length <= 160 ? Syntax().Match(text) : Match.Empty;
            if (!match.Success)
            {
                error = $"'{(text.Length <= 40 ? text : text[..40] + "…")}' is not a version (expected dotted numbers like 5.0 or 4.0.1)";
                return false;
            }

            var parts = match.Groups["release"].Value.Split('.');
            if (parts.Length > FirmwareVersion.MaxReleaseComponents)
            {
                error = $"'{text.Trim()}' has more than {FirmwareVersion.MaxReleaseComponents} version components";
                return false;
            }

            version = FirmwareVersion.Dotted(parts.Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray());
            error = null;
            return true;
        }
    }
}
