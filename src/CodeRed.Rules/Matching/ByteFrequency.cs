namespace CodeRed.Rules.Matching;

/// <summary>
/// How common each byte is in real log text, to choose the rarest fragment of a pattern to search for (as ripgrep ranks
/// bytes by a frequency table built from real text). Counted over the 16 "*_2k.log" samples of loghub
/// (https://github.com/logpai/loghub, commit dd61d09: Android, Apache, BGL, HDFS, HPC, Hadoop, HealthApp, Linux, Mac,
/// OpenSSH, OpenStack, Proxifier, Spark, Thunderbird, Windows, Zookeeper; 4,458,875 bytes, 32,000 lines), in parts per
/// million, at least 1. Regenerate with tests/CodeRed.Rules.Benchmarks/corpus/byte-frequency.py.
/// </summary>
internal static class ByteFrequency
{
    private static readonly int[] PartsPerMillion =
    [
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7174, 1, 1, 6725, 1, 1, // 0x00
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0x10
        97946, 33, 571, 1206, 563, 6, 6, 154, 2112, 2108, 1081, 23, 4607, 22436, 25180, 6284, // 0x20
        53890, 51332, 33416, 22815, 21225, 23197, 17891, 17010, 15949, 15976, 25940, 397, 154, 4308, 126, 7, // 0x30
        934, 3606, 2409, 4621, 2984, 3402, 3687, 583, 888, 4839, 1997, 1206, 2629, 3292, 6340, 3208, // 0x40
        2402, 473, 5282, 6732, 3360, 1711, 654, 1972, 127, 42, 490, 5342, 33, 5340, 1, 6031, // 0x50
        1, 35211, 10069, 24295, 23416, 52884, 8076, 8446, 9259, 25203, 520, 6740, 15943, 12363, 28467, 33586, // 0x60
        12175, 813, 31064, 24127, 33581, 13731, 6226, 3344, 4228, 5212, 575, 52, 1378, 52, 501, 1, // 0x70
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0x80
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0x90
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xA0
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xB0
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xC0
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xD0
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xE0
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 0xF0
    ];

    /// <summary>Parts per million of log text that are this byte (ASCII letters of either case when <paramref name="ignoreCase"/>).</summary>
    public static int Of(byte value, bool ignoreCase)
    {
        var f = PartsPerMillion[value];
        if (ignoreCase && char.IsAsciiLetter((char)value))
        {
            f = PartsPerMillion[value | 0x20] + PartsPerMillion[value & ~0x20];
        }

        return f;
    }

    /// <summary>
    /// How often a fragment is expected to start at a given byte, as log2 of a probability (more negative = rarer):
    /// the two rarest bytes count in full and the rest a quarter each (words are not random letters, so a long common
    /// word such as "connection" must not look rarer than a short one with a rare byte).
    /// </summary>
    public static double Rarity(string fragment, bool ignoreCase)
    {
        Span<double> logs = fragment.Length <= 64 ? stackalloc double[fragment.Length] : new double[fragment.Length];
        for (var i = 0; i < fragment.Length; i++)
        {
            logs[i] = Math.Log2(Of((byte)fragment[i], ignoreCase) / 1e6);
        }

        logs.Sort();
        var sum = 0.0;
        for (var i = 0; i < logs.Length; i++)
        {
            sum += i < 2 ? logs[i] : logs[i] / 4;
        }

        return sum;
    }
}
