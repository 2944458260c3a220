using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Tests;

/// <summary>A folder below a pack root that holds its own pack.yaml is another pack: skipped by the parent, loaded on its own.</summary>
public sealed class NestedPackTests
{
    private static string Nested => TestSupport.Repo("tests", "CodeRed.Rules.Tests", "TestPacks", "nested");

    [Fact]
    public void The_outer_pack_skips_the_nested_pack_folder()
    {
        var outer = RulePack.LoadFrom(Nested);
        Assert.Equal("test.nested.outer", outer.Identity.Id);
        Assert.Equal(["TO9001"], outer.Rules.Select(r => r.Id));
    }

    [Fact]
    public void The_nested_pack_loads_from_its_own_folder()
    {
        var inner = RulePack.LoadFrom(Path.Combine(Nested, "inner"));
        Assert.Equal("test.nested.inner", inner.Identity.Id);
        Assert.Equal(["TI9001"], inner.Rules.Select(r => r.Id));
    }

    [Fact]
    public void A_nested_pack_does_not_change_the_outer_packs_hash()
    {
        using var with = new TestSupport.TempDir();
        using var without = new TestSupport.TempDir();
        foreach (var file in Directory.EnumerateFiles(Nested, "*.yaml", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Nested, file);
            with.Write(relative, File.ReadAllText(file));
            if (!relative.StartsWith("inner", StringComparison.Ordinal))
            {
                without.Write(relative, File.ReadAllText(file));
            }
        }

        Assert.Equal(RulePack.LoadFrom(without.Path).Identity.Sha256, RulePack.LoadFrom(with.Path).Identity.Sha256);
    }

    [Fact]
    public void A_folder_with_pack_yml_is_also_a_nested_pack()
    {
        using var dir = new TestSupport.TempDir();
        foreach (var file in Directory.EnumerateFiles(Nested, "*.yaml", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Nested, file);
            dir.Write(relative == Path.Combine("inner", "pack.yaml") ? Path.Combine("inner", "pack.yml") : relative, File.ReadAllText(file));
        }

        Assert.Equal(["TO9001"], RulePack.LoadFrom(dir.Path).Rules.Select(r => r.Id));
    }

    [Fact]
    public void Built_in_packs_start_with_the_default_and_have_distinct_ids()
    {
        Assert.Same(RulePack.Default, RulePack.BuiltIn[0]);
        Assert.Equal(RulePack.BuiltIn.Count, RulePack.BuiltIn.Select(p => p.Identity.Id).Distinct().Count());
        Assert.Same(RulePack.Default, RulePack.FindBuiltIn(RulePack.Default.Identity.Id.ToUpperInvariant()));
        Assert.Null(RulePack.FindBuiltIn("no.such.pack"));
    }

    [Fact]
    public void Every_nested_pack_folder_of_rules_is_built_in_under_its_own_prefix()
    {
        // The folders below rules/ with their own manifest, found on disk, are exactly the embedded nested packs.
        var onDisk = Directory.EnumerateDirectories(TestSupport.RulesDir, "*", SearchOption.AllDirectories)
            .Where(PackFiles.IsPackRoot)
            .Select(d => PackFiles.NestedPrefix + Path.GetRelativePath(TestSupport.RulesDir, d).Replace(Path.DirectorySeparatorChar, '/') + "/")
            .Order(StringComparer.Ordinal);
        Assert.Equal([PackFiles.DefaultPrefix, .. onDisk], PackFiles.EmbeddedPrefixes(RulePack.Assembly));
        Assert.Equal(PackFiles.EmbeddedPrefixes(RulePack.Assembly).Count, RulePack.BuiltIn.Count);

        // The default pack embeds no file of a nested pack, and loads from disk with the same hash as embedded.
        Assert.Equal(RulePack.LoadFrom(TestSupport.RulesDir).Identity.Sha256, RulePack.Default.Identity.Sha256);
        foreach (var (prefix, pack) in PackFiles.EmbeddedPrefixes(RulePack.Assembly).Zip(RulePack.BuiltIn).Skip(1))
        {
            var folder = Path.Combine(TestSupport.RulesDir, prefix[PackFiles.NestedPrefix.Length..].TrimEnd('/'));
            Assert.Equal(RulePack.LoadFrom(folder).Identity, pack.Identity);
        }
    }
}
