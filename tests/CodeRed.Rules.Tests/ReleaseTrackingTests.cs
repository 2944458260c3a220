using CodeRed.Rules.Loading;
using CodeRed.Rules.Tooling;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>The release files and the lock catch unannounced changes; loading never needs them.</summary>
public class ReleaseTrackingTests
{
    private static TempDir Copy()
    {
        var dir = new TempDir().WithDefaultRules();
        foreach (var name in new[] { ReleaseTracking.ShippedFile, ReleaseTracking.UnshippedFile, ReleaseTracking.LockFile })
        {
            File.Copy(Path.Combine(RulesDir, name), Path.Combine(dir.Path, name));
        }

        return dir;
    }

    private static IReadOnlyList<PackProblem> Check(TempDir dir) => ReleaseTracking.Check(RulePack.LoadFrom(dir.Path), dir.Path);

    [Fact]
    public void The_default_pack_is_fully_tracked_and_locked()
    {
        Assert.Empty(ReleaseTracking.Check(RulePack.LoadFrom(RulesDir), RulesDir));
        var r = RunCli(["rules", "validate", RulesDir, "--strict"]);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void A_changed_rule_without_a_version_bump_fails()
    {
        using var dir = Copy();
        var file = Path.Combine(dir.Path, "CR2003", "CR2003.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("threshold: 100", "threshold: 150"));
        var p = Assert.Single(Check(dir));
        Assert.Contains("CR2003 changed but its version did not move", p.Message);
        Assert.Equal(2, RunCli(["rules", "validate", dir.Path, "--strict"]).ExitCode);
        Assert.Equal(150, RulePack.LoadFrom(dir.Path).FindRule("CR2003")!.Parameters["threshold"]); // loading does not need tracking
    }

    [Fact]
    public void The_lock_hashes_the_definition_so_layout_comments_and_key_order_do_not_move_it()
    {
        using var dir = Copy();
        var file = Path.Combine(dir.Path, "CR2003", "CR2003.yaml");
        var text = File.ReadAllText(file);
        var before = ReleaseTracking.RuleHash(RulePack.LoadFrom(dir.Path), RulePack.LoadFrom(dir.Path).FindRule("CR2003")!);

        // Comments, quoting and key order are layout: 'version: 1' moved below the title, a comment added, the id quoted.
        var moved = text.Replace("version: 1\n", "", StringComparison.Ordinal).Replace("id: CR2003\n", "# reordered by hand\nid: \"CR2003\"\n", StringComparison.Ordinal) + "version: 1\n";
        Assert.NotEqual(text, moved);
        File.WriteAllText(file, moved);
        var pack = RulePack.LoadFrom(dir.Path);
        Assert.Equal(before, ReleaseTracking.RuleHash(pack, pack.FindRule("CR2003")!));
        Assert.Empty(Check(dir));
    }

    [Fact]
    public void A_caveat_text_a_rule_names_is_part_of_its_definition()
    {
        using var dir = Copy();
        var manifest = Path.Combine(dir.Path, "pack.yaml");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("en: A normally working router may log the same lines.", "en: A router in good health may log the same lines.", StringComparison.Ordinal));
        var changed = Check(dir).Select(p => p.Message).ToList();
        Assert.Contains(changed, m => m.Contains("CR2001 changed but its version did not move", StringComparison.Ordinal));
        Assert.DoesNotContain(changed, m => m.Contains("CR1001", StringComparison.Ordinal)); // names no caveat
    }

    [Fact]
    public void A_lock_hashed_the_old_way_gets_one_message_saying_to_lock_again_not_one_per_rule()
    {
        using var dir = Copy();
        var lockFile = Path.Combine(dir.Path, ReleaseTracking.LockFile);
        File.WriteAllText(lockFile, File.ReadAllText(lockFile).Replace("  \"hash\": \"definition-v1\",\n", "", StringComparison.Ordinal));
        var p = Assert.Single(Check(dir));
        Assert.Equal($"the lock hashes rules as 'catalogue', this codered as 'definition-v1'; check that no rule changed without its version moving, then run 'codered rules lock {dir.Path}' once", p.Message);
        Assert.Equal(0, RunCli(["rules", "lock", dir.Path]).ExitCode);
        Assert.Empty(Check(dir));
    }

    [Fact]
    public void A_version_bump_needs_a_changed_entry_and_a_fresh_lock()
    {
        using var dir = Copy();
        var file = Path.Combine(dir.Path, "CR2003", "CR2003.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("threshold: 100", "threshold: 150").Replace("version: 1\n", "version: 2\n"));
        Assert.Contains("not listed under '### Changed Rules'", Assert.Single(Check(dir)).Message);

        var unshipped = Path.Combine(dir.Path, ReleaseTracking.UnshippedFile);
        File.WriteAllText(unshipped, File.ReadAllText(unshipped).Replace(
            "--------|--------------|--------------|--------------|--------------|-------\n",
            "--------|--------------|--------------|--------------|--------------|-------\nCR2003 | LogSignature | Warning | LogSignature | Warning | threshold 150\n"));
        Assert.Contains("lock is out of date", Assert.Single(Check(dir)).Message);

        Assert.Equal(0, RunCli(["rules", "lock", dir.Path]).ExitCode);
        Assert.Empty(Check(dir));
    }

    [Fact]
    public void A_new_rule_must_be_announced()
    {
        using var dir = Copy();
        dir.Write("CR9001/CR9001.yaml", "kind: rule\nid: CR9001\ntitle: t\nmessage: m\ncategory: LogSignature\nseverity: info\nmatch: [{literal: hello}]\n");
        var problems = Check(dir);
        Assert.Contains(problems, p => p.Message.Contains("CR9001 is new but not listed under '### New Rules'"));
        Assert.Contains(problems, p => p.Message.Contains("CR9001 is not in the lock"));
    }

    [Fact]
    public void A_removed_rule_must_be_recorded()
    {
        using var dir = Copy();
        Directory.Delete(Path.Combine(dir.Path, "CR2002"), recursive: true);
        var p = Assert.Single(Check(dir));
        Assert.Contains("CR2002 was removed", p.Message);
        Assert.Equal(ReleaseTracking.ShippedFile, p.File);

        var unshipped = Path.Combine(dir.Path, ReleaseTracking.UnshippedFile);
        File.AppendAllText(unshipped, "CR2002 | LogSignature | Warning | folded into another rule\n");
        Assert.Empty(Check(dir));
    }
}
