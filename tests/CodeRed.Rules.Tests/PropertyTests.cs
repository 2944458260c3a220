using System.Globalization;
using System.Numerics;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Products;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>A firmware version as generated: its parts, and one of the vendor's spellings of it.</summary>
public sealed record FirmwareCase(int[] Release, int PatchLevel, string Text)
{
    public FirmwareVersion Parsed => FirmwareVersion.Parse(Text);

    public override string ToString() => $"'{Text}'";
}

/// <summary>Evidence bytes as generated: lines of signatures, table rows, records, Japanese text and junk, any line ends.</summary>
public sealed record EvidenceCase(byte[] Bytes, int Seed, int MaxPiece)
{
    public override string ToString() =>
        $"{Bytes.Length} bytes, pieces of at most {MaxPiece} (seed {Seed}): {Encoding.UTF8.GetString(Bytes, 0, Math.Min(Bytes.Length, 300)).Replace("\r", "\\r").Replace("\n", "\\n")}";
}

/// <summary>A model name as someone might type it, or any string at all.</summary>
public sealed record ModelText(string Value)
{
    public override string ToString() => string.Concat(Value.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}"));
}

public static class Generators
{
    private static readonly Gen<int> Component = Gen.Frequency(
        (6, Gen.Choose(0, 9)),
        (2, Gen.Choose(0, 99)),
        (1, Gen.Choose(0, 999_999_999)));

    public static Arbitrary<FirmwareCase> Firmware() =>
        (from count in Gen.Choose(1, 6)
         from release in Gen.ArrayOf(Component, count)
         from patch in Component
         from spelling in Gen.Choose(0, 6)
         from zeros in Gen.Choose(0, 3)
         select new FirmwareCase(release, patch, Spell(release, patch, spelling, zeros))).ToArbitrary();

    private static string Spell(int[] release, int patch, int spelling, int zeros)
    {
        var r = string.Join('.', release.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        var pl = patch.ToString(CultureInfo.InvariantCulture);
        var padded = patch.ToString("D2", CultureInfo.InvariantCulture);
        return spelling switch
        {
            0 => $"{r} PL {pl}",
            1 => $"{r}PL{pl}",
            2 => $"{r}-{padded}",
            3 => $"Ver.{r} pl {new string('0', zeros)}{pl}",
            4 => $"  v{r}  patch level {pl} ",
            5 => patch == 0 ? r : $"{r} PL{pl}",
            _ => $"version {r}pl.{pl}",
        };
    }

    public static Arbitrary<ModelText> Model()
    {
        var typed = from name in Gen.Elements("AR320", "AR300 V2", "AR300L V2", "ar-300l v2", "Ａｒ３２０", "AR_720", "ar\t740", "AR300", "AR 3 0 0 L")
                    from noise in Gen.Elements("", " ", "-", "_", "\u00a0", "\u3000", "ǆ", "ß", "ﬁ", "Ⅳ", "İ", "ı", "\u0301")
                    select new ModelText(name + noise);
        var any = Gen.ArrayOf(Gen.Choose(0, 0xFFFF).Select(c => (char)c)).Select(chars => new ModelText(new string(chars))); // lone surrogates too
        var unicode = Gen.ArrayOf(Gen.Choose(0, 0x2FFFF).Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32))
            .Select(parts => new ModelText(string.Concat(parts)));
        return Gen.OneOf(typed, any, unicode).ToArbitrary();
    }

    private static readonly string[] Fragments =
    [
        "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.{n}",
        "<134>Aug  3 09:26:29 ar320 IPG WARN DirBcast Fail 10.0.{n}.1>10.0.{n}.255 Prot=6 Int=eth0",
        "Connection Table:",
        "Index State       Local port and address   Remote port and address",
        "{n}    established 00080 192.0.2.1     0{n}00 198.51.100.{n}",
        "{n}    listen      00080 0.0.0.0     00000 0.0.0.0",
        "REST CRASH Router startup, ver 2.0.4-0{n}, 03-Jul-2000, Clock Log: 09:26:29 on 03-Aug-2001",
        "EXCEP 01024 Unexpected Exception $400/Exception Address $0002716c",
        "EXCEP TRAP1 Unexpected Exception $084/Trap #1 * RESTART * Address $0004f056",
        "Current configuration: site{n}.cfg",
        "Manager ar320> show log",
        "【障害ログ】 ルータが再起動しました {n}",
        "",
        "x",
    ];

    private static readonly byte[][] Junk = [[0xFF], [0x82, 0xA0], [0xE3, 0x81], [0x00], [0xC0, 0x80], [0xF0, 0x9F, 0x98, 0x80]];

    private static Gen<byte[]> Line() =>
        from fragment in Gen.Elements(Fragments)
        from n in Gen.Choose(0, 9)
        from junk in Gen.Frequency((8, Gen.Constant(Array.Empty<byte>())), (1, Gen.Elements(Junk)))
        from end in Gen.Elements("\n", "\r\n", "\r", "\r\n", "\n")
        select (byte[])[.. junk, .. Encoding.UTF8.GetBytes(fragment.Replace("{n}", n.ToString(CultureInfo.InvariantCulture))), .. Encoding.ASCII.GetBytes(end)];

    public static Arbitrary<EvidenceCase> Evidence() =>
        (from lines in Gen.ListOf(Line())
         from table in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(95, 130)))
         from seed in Gen.Choose(0, int.MaxValue)
         from maxPiece in Gen.Elements(1, 2, 3, 7, 64, 4096)
         select new EvidenceCase(Assemble(lines, table), seed, maxPiece)).ToArbitrary();

    private static byte[] Assemble(IEnumerable<byte[]> lines, int tableRows)
    {
        var bytes = lines.SelectMany(l => l).ToList();
        if (tableRows > 0)
        {
            // Sometimes a flooded show tcp table, so counted sections are compared too.
            var table = new StringBuilder("Connection Table:\r\nIndex State       Local port and address   Remote port and address\r\n");
            for (var i = 0; i < tableRows; i++)
            {
                table.Append(CultureInfo.InvariantCulture, $"{i:D2}    established 00080 192.0.2.1     0{i:D4} 198.51.100.{i % 256}\r\n");
            }

            bytes.InsertRange(bytes.Count / 2, Encoding.ASCII.GetBytes(table.ToString()));
        }

        return [.. bytes];
    }

    /// <summary>Evidence with a line just over a megabyte in front, so the scanner's block boundary falls somewhere inside.</summary>
    public static Arbitrary<LongEvidenceCase> LongEvidence() =>
        (from filler in Gen.Choose((1 << 20) - 5000, (1 << 20) + 3000)
         from evidence in Evidence().Generator
         select new LongEvidenceCase(filler, evidence)).ToArbitrary();
}

public sealed record LongEvidenceCase(int Filler, EvidenceCase Evidence)
{
    public byte[] Bytes => [.. Enumerable.Repeat((byte)'x', Filler), .. Evidence.Bytes];

    public override string ToString() => $"{Filler} x's, then {Evidence}";
}

/// <summary>Properties checked with FsCheck on generated input (GitHub issue 6).</summary>
[Properties(Arbitrary = new[] { typeof(Generators) }, MaxTest = 300)]
public class PropertyTests
{
    // ---- Firmware versions -------------------------------------------------------------------------------------

    [Property]
    public bool Firmware_parse_of_print_is_the_same_version(FirmwareCase v)
    {
        var parsed = v.Parsed;
        var again = FirmwareVersion.Parse(parsed.ToString());
        return again.Equals(parsed) && again.ToString() == parsed.ToString() && again.GetHashCode() == parsed.GetHashCode();
    }

    [Property]
    public bool Firmware_parsing_keeps_the_parts(FirmwareCase v) =>
        v.Parsed.Release.SequenceEqual(v.Release) && v.Parsed.PatchLevel == v.PatchLevel;

    [Property]
    public bool Firmware_comparison_agrees_with_a_model_of_it(FirmwareCase a, FirmwareCase b)
    {
        // The model: release components as numbers, missing ones as 0, then the patch level.
        var length = Math.Max(a.Release.Length, b.Release.Length);
        var expected = 0;
        for (var i = 0; i < length && expected == 0; i++)
        {
            expected = (i < a.Release.Length ? a.Release[i] : 0).CompareTo(i < b.Release.Length ? b.Release[i] : 0);
        }

        if (expected == 0)
        {
            expected = a.PatchLevel.CompareTo(b.PatchLevel);
        }

        return Math.Sign(a.Parsed.CompareTo(b.Parsed)) == Math.Sign(expected);
    }

    [Property]
    public bool Firmware_comparison_is_antisymmetric_and_agrees_with_equality(FirmwareCase a, FirmwareCase b)
    {
        var ab = a.Parsed.CompareTo(b.Parsed);
        var ba = b.Parsed.CompareTo(a.Parsed);
        var equal = a.Parsed.Equals(b.Parsed);
        return Math.Sign(ab) == -Math.Sign(ba)
            && (ab == 0) == equal
            && (!equal || a.Parsed.GetHashCode() == b.Parsed.GetHashCode())
            && (a.Parsed <= b.Parsed && b.Parsed <= a.Parsed) == equal
            && a.Parsed.CompareTo(a.Parsed) == 0
            && a.Parsed.CompareTo(null) > 0;
    }

    [Property]
    public bool Firmware_comparison_is_transitive(FirmwareCase a, FirmwareCase b, FirmwareCase c)
    {
        FirmwareVersion[] v = [a.Parsed, b.Parsed, c.Parsed];
        foreach (var (x, y, z) in new[] { (0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0) })
        {
            if (v[x] <= v[y] && v[y] <= v[z] && !(v[x] <= v[z]))
            {
                return false;
            }

            if (v[x] < v[y] && v[y] <= v[z] && !(v[x] < v[z]))
            {
                return false;
            }
        }

        return true;
    }

    [Property]
    public bool Firmware_order_is_total_so_sorting_is_consistent(FirmwareCase[] versions)
    {
        var sorted = versions.Select(v => v.Parsed).Order().ToList();
        return sorted.Zip(sorted.Skip(1)).All(p => p.First <= p.Second);
    }

    [Fact]
    public void Firmware_components_beyond_int_range_are_refused_not_wrapped()
    {
        Assert.False(FirmwareVersion.TryParse("2.0." + new BigInteger(int.MaxValue) * 10, out _, out var error));
        Assert.NotNull(error);
        Assert.False(FirmwareVersion.TryParse(new string('9', 65), out _, out _));
    }

    // ---- Model names -------------------------------------------------------------------------------------------

    [Property]
    public bool Model_normalisation_is_idempotent(ModelText name)
    {
        var once = ModelName.Normalize(name.Value);
        return ModelName.Normalize(once) == once;
    }

    [Property]
    public bool Model_normalisation_ignores_case_spaces_hyphens_and_underscores(ModelText name)
    {
        var key = ModelName.Normalize(name.Value);
        return ModelName.Normalize(" " + name.Value.ToLowerInvariant() + "-_") == ModelName.Normalize(name.Value.ToLowerInvariant()) &&
               !key.Any(c => c is ' ' or '-' or '_' || char.IsWhiteSpace(c));
    }

    [Property]
    public bool Any_model_string_can_be_evaluated(ModelText name)
    {
        // Lone surrogates and the like must not make the evaluation throw.
        var report = Pack.Evaluate(new DeviceEvidence { Model = name.Value });
        return report.Device.ModelInput == name.Value;
    }

    [Theory]
    [InlineData("\ud800")]
    [InlineData("AR320\udc00")]
    [InlineData("\udfff\ud800")]
    [InlineData("AR320\ufffe")] // a noncharacter: found by the property below, normalization refused it
    public void A_model_name_with_a_lone_surrogate_is_normalized_not_refused(string name)
    {
        // Before: string.Normalize threw ArgumentException, so such a model name crashed the evaluation.
        var key = ModelName.Normalize(name);
        Assert.Equal(key, ModelName.Normalize(key));
        Assert.Null(Pack.Models.Find(name));
        Assert.Equal("CR1007", Assert.Single(Pack.Evaluate(new DeviceEvidence { Model = name }).Diagnostics).Id);
    }

    // ---- Reading in pieces ------------------------------------------------------------------------------------

    private static string Json(AnalysisReport report)
    {
        using var stream = new MemoryStream();
        JsonReportWriter.Write(stream, report);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Report(EvidenceSource source, string? model = "AR320") =>
        Json(Pack.Evaluate(new DeviceEvidence { Model = model, Sources = [source] }, new EvaluationOptions { Culture = CultureInfo.GetCultureInfo("en") }));

    [Property(MaxTest = 150)]
    public bool Reading_bytes_in_pieces_gives_the_report_of_reading_them_whole(EvidenceCase e)
    {
        // Pieces cut anywhere: inside UTF-8 sequences, between CR and LF, inside invalid bytes.
        var whole = Report(EvidenceSource.FromStream("e", new MemoryStream(e.Bytes)));
        var pieces = Report(EvidenceSource.FromStream("e", new PieceStream(e.Bytes, e.Seed, e.MaxPiece)));
        return whole == pieces;
    }

    [Property(MaxTest = 150)]
    public bool Reading_text_in_pieces_gives_the_report_of_reading_it_whole(EvidenceCase e)
    {
        var text = Encoding.UTF8.GetString(e.Bytes);
        var whole = Report(EvidenceSource.FromText("e", text));
        var pieces = Report(EvidenceSource.FromReader("e", () => new PieceReader(text, e.Seed, e.MaxPiece)));
        return whole == pieces;
    }

    [Property(MaxTest = 6)]
    public bool Reading_in_pieces_across_the_scanners_block_boundary_gives_the_same_report(LongEvidenceCase e)
    {
        var bytes = e.Bytes;
        var whole = Report(EvidenceSource.FromStream("e", new MemoryStream(bytes)), model: null);
        var pieces = Report(EvidenceSource.FromStream("e", new PieceStream(bytes, e.Evidence.Seed, Math.Max(e.Evidence.MaxPiece, 997))), model: null);
        var text = Report(EvidenceSource.FromReader("e", () => new PieceReader(Encoding.UTF8.GetString(bytes), e.Evidence.Seed, Math.Max(e.Evidence.MaxPiece, 613))), model: null);
        return whole == pieces && whole == text;
    }

    // ---- Many threads ------------------------------------------------------------------------------------------

    [Fact]
    public void One_loaded_pack_evaluated_from_many_threads_at_once_gives_the_single_threaded_reports()
    {
        var pack = RulePack.LoadFrom(RulesDir); // a fresh pack: its caches are built while the threads race
        var samples = Directory.EnumerateFiles(RulesDir, "*.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Append(Repo("docs", "samples", "ar320-capture.log"))
            .Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f)))
            .ToArray();
        string[] models = ["AR320", "AR100", "AR720", "ar-300l v2", "nonsense"];
        string[] languages = ["en", "ja"];
        var jobs = Enumerable.Range(0, samples.Length * models.Length * languages.Length)
            .Select(i => (Sample: samples[i % samples.Length], Model: models[i / samples.Length % models.Length], Language: languages[i % languages.Length]))
            .ToArray();

        string Run((string Name, string Text) sample, string model, string language) =>
            Json(pack.Evaluate(
                new DeviceEvidence { Model = model, Sources = [EvidenceSource.FromText(sample.Name, sample.Text), EvidenceSource.FromText("all", string.Join("\n", samples.Select(s => s.Text)))] },
                new EvaluationOptions { Culture = CultureInfo.GetCultureInfo(language) }));

        var expected = jobs.Select(j => Run(j.Sample, j.Model, j.Language)).ToArray();
        var fresh = RulePack.LoadFrom(RulesDir);
        pack = fresh;
        var actual = new string[jobs.Length * 4];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var job = jobs[i % jobs.Length];
            actual[i] = Run(job.Sample, job.Model, job.Language);
        });

        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % jobs.Length], actual[i]);
        }
    }
}

/// <summary>A stream that returns its bytes in pieces of 1 to <c>maxPiece</c> bytes, sizes drawn from a seed.</summary>
internal sealed class PieceStream(byte[] bytes, int seed, int maxPiece) : ReadOnlyTestStream
{
    private readonly Random _random = new(seed);

    public override int Read(byte[] buffer, int offset, int count)
    {
        var position = (int)BytesRead;
        var n = Math.Min(Math.Min(count, 1 + _random.Next(maxPiece)), bytes.Length - position);
        Array.Copy(bytes, position, buffer, offset, n);
        BytesRead += n;
        return n;
    }
}

/// <summary>A reader whose every Read returns at most <c>k</c> characters, a new random k each time.</summary>
internal sealed class PieceReader(string text, int seed, int maxPiece) : TextReader
{
    private readonly Random _random = new(seed);
    private int _position;

    public override int Peek() => _position < text.Length ? text[_position] : -1;

    public override int Read() => _position < text.Length ? text[_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, 1 + _random.Next(maxPiece)), text.Length - _position);
        text.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
