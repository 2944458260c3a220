namespace CodeRed.Rules.Products;

/// <summary>
/// The product a pack is about (the manifest's <c>product</c>): how its versions are written and the words reports use
/// for it. Without <c>product</c>, the AR firmware scheme and neutral words ("device", "version").
/// </summary>
public sealed record ProductInfo(VersionScheme VersionScheme, ProductTerms Terms)
{
    /// <summary>No <c>product</c> in the manifest.</summary>
    public static ProductInfo Default { get; } = new(VersionScheme.ArFirmware, ProductTerms.Neutral);
}

/// <summary>The words for the product (the manifest's <c>product.terms</c>), in the pack's languages.</summary>
public sealed record ProductTerms(LocalizedText Device, LocalizedText Model, LocalizedText Version, LocalizedText Patch, LocalizedText? Commands)
{
    /// <summary>The words a pack without <c>product.terms</c> gets: device, model, version, patch, and no command intro.</summary>
    public static ProductTerms Neutral { get; } = new(LocalizedText.Of("device"), LocalizedText.Of("model"), LocalizedText.Of("version"), LocalizedText.Of("patch"), null);
}
