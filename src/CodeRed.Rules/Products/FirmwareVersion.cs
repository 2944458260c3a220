using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CodeRed.Rules.Products;

/// <summary>
/// A product version. Parsed by the <c>ar-firmware</c> scheme (<see cref="VersionScheme.ArFirmware"/>, this type's own
/// <see cref="TryParse"/>), it is an AR router firmware version: numeric release components and a patch level.
/// <c>2.0.4 PL 7</c>, <c>2.0.4PL7</c>, <c>2.0.4 pl 07</c>, <c>Ver.2.0.4 PL 7</c> and <c>2.0.4-07</c> (the startup
/// banner's form) all parse; a missing patch level is 0; components compare as numbers and missing trailing
/// components count as 0, so <c>2.0</c> equals <c>2.0.0</c> and <c>2.0.10</c> is after <c>2.0.7</c>. Parsed by the
/// <c>dotted</c> scheme (<see cref="VersionScheme.Dotted"/>) it has release components only (<c>5.0</c>).
/// </summary>
public sealed partial class FirmwareVersion : IComparable<FirmwareVersion>, IEquatable<FirmwareVersion>
{
    private const int MaxComponents = 6;
    private readonly int[] _release;

    private FirmwareVersion(int[] release, int patchLevel, bool dotted = false)
    {
        _release = release;
        PatchLevel = patchLevel;
        _dotted = dotted;
    }

    /// <summary>A version of the <c>dotted</c> scheme: release components only, written without a patch level.</summary>
    private readonly bool _dotted;

    /// <summary>A version of the <c>dotted</c> scheme (<c>5.0</c>, <c>4.0.1</c>).</summary>
    internal static FirmwareVersion Dotted(int[] release) => new(release, 0, dotted: true);

    internal const int MaxReleaseComponents = MaxComponents;

    /// <summary>The release components, e.g. 2, 0, 4.</summary>
    public IReadOnlyList<int> Release => _release;

    /// <summary>The patch level (PL); 0 when none was written.</summary>
    public int PatchLevel { get; }

    /// <summary>Long enough for every canonical form (six 9-digit components and a 9-digit patch level) with room for spelling.</summary>
    private const int MaxTextLength = 160;

    [GeneratedRegex(@"^\s*(?:ver(?:sion)?\.?\s*|v\s*)?(?<release>0*\d{1,9}(?:\.0*\d{1,9})*)\s*(?:(?:-|pl\.?|patch\s*level)\s*(?<pl>0*\d{1,9}))?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();

    /// <summary>Parses a version, or explains why the text is not one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FirmwareVersion? version, out string? error)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the firmware version is empty";
            return false;
        }

        // Before, texts over 64 characters were refused, and with them the printed form of large versions.
        var match = text.Length <= MaxTextLength ? Syntax().Match(text) : Match.Empty;
        if (!match.Success)
        {
            error = $"'{Shorten(text)}' is not a firmware version (expected forms like 2.0.4 PL 7, 2.0.4PL7 or 2.0.4-07)";
            return false;
        }

        var parts = match.Groups["release"].Value.Split('.');
        if (parts.Length > MaxComponents)
        {
            error = $"'{Shorten(text)}' has more than {MaxComponents} version components";
            return false;
        }

        var release = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            release[i] = int.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
        }

        var pl = match.Groups["pl"].Success ? int.Parse(match.Groups["pl"].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        version = new FirmwareVersion(release, pl);
        error = null;
        return true;
    }

    /// <summary>Parses a version or throws <see cref="FormatException"/> saying what is wrong.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is null or not a firmware version; the message says what is wrong.</exception>
    public static FirmwareVersion Parse(string text) =>
        TryParse(text, out var version, out var error) ? version : throw new FormatException(error);

    /// <inheritdoc />
    public int CompareTo(FirmwareVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var length = Math.Max(_release.Length, other._release.Length);
        for (var i = 0; i < length; i++)
        {
            var a = i < _release.Length ? _release[i] : 0;
            var b = i < other._release.Length ? other._release[i] : 0;
            if (a != b)
            {
                return a.CompareTo(b);
            }
        }

        return PatchLevel.CompareTo(other.PatchLevel);
    }

    /// <inheritdoc />
    public bool Equals(FirmwareVersion? other) => CompareTo(other) == 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FirmwareVersion other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // Trailing zero components do not change equality, so they must not change the hash.
        var hash = new HashCode();
        var last = _release.Length - 1;
        while (last >= 0 && _release[last] == 0)
        {
            last--;
        }

        for (var i = 0; i <= last; i++)
        {
            hash.Add(_release[i]);
        }

        hash.Add(PatchLevel);
        return hash.ToHashCode();
    }

    /// <summary>The canonical form, e.g. <c>2.0.4 PL 7</c>; it parses back to an equal version.</summary>
    public override string ToString() =>
        string.Join('.', _release.Select(c => c.ToString(CultureInfo.InvariantCulture))) + (_dotted ? "" : " PL " + PatchLevel.ToString(CultureInfo.InvariantCulture));

#pragma warning disable CS1591 // Operators mean what CompareTo says.
    public static bool operator <(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) >= 0;
#pragma warning restore CS1591

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
