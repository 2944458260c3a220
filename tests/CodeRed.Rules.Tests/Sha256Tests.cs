using System.Security.Cryptography;
using System.Text;
using CodeRed.Rules.Loading;

namespace CodeRed.Rules.Tests;

/// <summary>
/// The managed SHA-256 the pack hash uses (so that loading a pack does not load OpenSSL) gives the platform's digest:
/// the FIPS 180-4 examples, every length around the block and padding boundaries, any chunking, and the built-in
/// packs' identities as the platform's hash computes them.
/// </summary>
public sealed class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Known_digests(string text, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(Sha256.HashData(Encoding.ASCII.GetBytes(text))));

    [Fact]
    public void Every_length_up_to_three_blocks_and_any_chunking_equals_the_platform()
    {
        var random = new Random(15);
        for (var length = 0; length <= 200; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = SHA256.HashData(data);
            Assert.Equal(expected, Sha256.HashData(data));

            var sha = new Sha256();
            for (var at = 0; at < length;)
            {
                var piece = Math.Min(length - at, random.Next(0, 70));
                sha.Append(data.AsSpan(at, piece));
                at += piece;
            }

            Assert.Equal(expected, sha.Finish());
        }
    }

    [Fact]
    public void A_megabyte_equals_the_platform()
    {
        var data = new byte[(1 << 20) + 13];
        new Random(2001).NextBytes(data);
        Assert.Equal(SHA256.HashData(data), Sha256.HashData(data));
    }

    [Fact]
    public void The_default_pack_keeps_the_identity_the_platform_hash_gives()
    {
        var files = PackFiles.FromEmbedded(typeof(RulePack).Assembly);
        using var reference = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var text = file.Text.Replace("\r\n", "\n", StringComparison.Ordinal);
            reference.AppendData(Encoding.UTF8.GetBytes($"{file.Path}\n{text.Length}\n"));
            reference.AppendData(Encoding.UTF8.GetBytes(text));
        }

        Assert.Equal(Convert.ToHexStringLower(reference.GetHashAndReset()), RulePack.Default.Identity.Sha256);
        Assert.Equal(RulePack.Default.Identity.Sha256, PackLoader.Hash(files));
    }
}
