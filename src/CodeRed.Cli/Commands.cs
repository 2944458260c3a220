namespace CodeRed.Cli;

/// <summary>
/// One verb or subcommand: its name as typed, its usage text, the options it takes (with a value) and its flags
/// (without one). The parser, <c>--help</c> and the suggestions for a mistyped name all come from this table.
/// </summary>
/// <remarks>
/// The command line is parsed by hand rather than with System.CommandLine: a small capture takes about 20–30 ms end to
/// end under Native AOT (docs/performance.md) and every millisecond of start-up counts there, while per-verb help and
/// nearest-name suggestions are a few dozen lines.
/// </remarks>
internal sealed record Command(string Name, string Usage, string[] Options, string[] Flags, Func<Invocation, Options, int> Run)
{
    /// <summary>The short forms, the same in every command that takes the long one.</summary>
    public static readonly IReadOnlyDictionary<string, string> Short = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["-m"] = "model", ["-f"] = "firmware", ["-r"] = "rules", ["-o"] = "output",
    };

    /// <summary>Commands with subcommands.</summary>
    public static readonly string[] Groups = ["rules", "export"];

    public static readonly Command[] All =
    [
        new("analyze", """
            usage: codered analyze [options] [FILE|DIR...]

            Judges one device from its evidence: logs, 'show tcp' or 'show config' output, or a whole terminal
            transcript. Several FILEs are evidence of the same device. A DIR (or --each FILE...) is a fleet: every file
            is its own device, analysed in parallel, one report per file in input order; links are followed once,
            FIFOs and devices found in a DIR are skipped with a note on stderr.
            With no FILE, standard input is read when it is piped or redirected from a file; on a terminal (or from
            /dev/null) only the model and version are judged. FILE '-' always reads standard input.

              -m, --model M             the device model (AR320, ar-720, ...)
              -f, --firmware V          the device's version in the pack's version scheme (the AR pack's
                                        firmware 2.0.4 PL 7); without it the evidence says
                  --product-version V   the same under its general name (a web server's 5.0)
                  --patch ID            a patch installed on the device (MS01-033); repeatable; 'none': no patch
              -r, --rules PATH          a rule folder or file instead of the embedded pack; repeatable
                  --pack ID             a built-in pack ('codered packs' lists them); repeatable, with --rules too:
                                        every pack judges the same evidence, one report per pack
                  --rules-sha256 HEX    refuse to run unless each pack has one of these SHA-256s; repeatable
                  --format F            text (default), json, jsonl, sarif or html (one page, to open in a browser)
              -o, --output FILE         write the report to FILE (whole or not at all) instead of standard output
                  --lang L              the report's language: en or ja (default: the system's)
                  --encoding E          utf-8, shift_jis, euc-jp or latin1 (default: a byte-order mark, else UTF-8)
                  --severity T=LEVEL    T is a rule ID, category:NAME or all; LEVEL is error, warning, info, hidden
                                        or none (off); repeatable, and wins over --config
                  --config FILE         severities with .editorconfig keys (dotnet_diagnostic.CR2001.severity = error)
                  --each                every FILE is its own device
                  --follow              read FILE as it grows (as tail -f) or standard input until it closes; with
                                        --format jsonl each finding is a JSON line as it fires, the report last;
                                        Ctrl-C or SIGTERM ends with the report so far
                  --threads N           threads that search one large file (default: one per core; 1: one pass;
                                        a fleet gives each file one)
                  --color WHEN          auto (colour only on a terminal and without NO_COLOR), always or never
              -h, --help                this help

            Exit codes: 0 nothing at warning or above, 1 a warning or error was found, 2 usage, input or rule-pack
            error. A FILE that cannot be read is reported on stderr; the others are still reported, then exit 2.
            """,
            ["model", "firmware", "product-version", "patch", "rules", "pack", "rules-sha256", "format", "output", "lang", "encoding", "severity", "config", "color", "threads"],
            ["each", "follow"], CliApp.Analyze),
        new("packs", """
            usage: codered packs [--format text|json] [--lang en|ja]

            Lists the built-in rule packs: id, version, rule count, SHA-256 and title. Choose them with
            'codered analyze --pack ID' (repeatable).

                  --format F            text (default) or json
                  --lang L              the titles' language (default: the system's; English when a pack lacks it)
              -h, --help                this help
            """,
            ["format", "lang"], [], CliApp.ListPacks),
        new("rules list", """
            usage: codered rules list [--rules PATH] [--pack ID] [--rules-sha256 HEX] [--format text|json] [--lang en|ja] [--status S]

            Lists the pack's rules and model matrix (of each pack, when several are given).

              -r, --rules PATH          a rule folder or file instead of the embedded pack; repeatable
                  --pack ID             a built-in pack ('codered packs' lists them); repeatable
                  --rules-sha256 HEX    refuse unless the pack has this SHA-256
                  --format F            text (default) or json
                  --lang L              en or ja
                  --status S            only rules with this status: experimental, test, stable or deprecated
              -h, --help                this help
            """,
            ["rules", "pack", "rules-sha256", "format", "lang", "status"], [], CliApp.ListRules),
        new("rules validate", """
            usage: codered rules validate PATH [--strict]

            Loads and lints a rule folder (or file), prints its SHA-256. Errors exit 2 with file(line,col).

                  --strict              lint warnings fail too, and the release files and rules.lock.json must be
                                        up to date (PATH must be a folder)
              -h, --help                this help
            """,
            [], ["strict"], CliApp.Validate),
        new("rules lock", """
            usage: codered rules lock PATH

            Rewrites PATH/rules.lock.json (each rule's version and content hash), whole or not at all.

              -h, --help                this help
            """,
            [], [], CliApp.WriteLock),
        new("rules docs", """
            usage: codered rules docs OUTDIR [--rules PATH|--pack ID]

            Writes the catalogue and one page per rule under OUTDIR (each page whole or not at all) and removes
            pages of rules that are gone.

              -r, --rules PATH          a rule folder (its samples are shown) or file instead of the embedded pack
                  --pack ID             a built-in pack instead of the embedded default
              -h, --help                this help
            """,
            ["rules", "pack"], [], CliApp.WriteDocs),
        new("rules test", """
            usage: codered rules test [PATH]

            Runs the samples beside each rule of the rule directory PATH (default: rules): every positive sample
            must raise its rule (with the count, line and column of its NAME.expect.yaml, if any), every negative
            sample must not. One line per sample, then a summary.

              -h, --help                this help

            Exit codes: 0 every sample held, 1 a sample failed or none was found, 2 usage, pack or sample-file error.
            """,
            [], [], RulesTestCommand.Run),
        new("watch", Watch.WatchCommand.Usage,
            ["listen", "devices", "format", "max-devices", "max-lines", "max-message-length", "idle-timeout", "publish", "partitions", "rules", "pack", "rules-sha256", "lang"], [], Watch.WatchCommand.Run),
        new("worker", Watch.WorkerCommand.Usage,
            ["nats", "partitions", "partition", "devices", "format", "max-lines", "ack-wait", "rules", "pack", "rules-sha256", "lang"], [], Watch.WorkerCommand.Run),
        new("export csaf", """
            usage: codered export csaf [--vex] [--rules PATH|--pack ID] [-o FILE]

            Writes the pack's advisory as a CSAF 2.0 security advisory (--vex: a CSAF VEX document).

                  --vex                 a VEX document
              -r, --rules PATH          a rule folder or file instead of the embedded pack
                  --pack ID             a built-in pack instead of the embedded default
              -o, --output FILE         write to FILE (whole or not at all) instead of standard output
              -h, --help                this help
            """,
            ["rules", "pack", "output"], ["vex"], CliApp.ExportCsaf),
    ];

    /// <summary>The first lines of every usage, for <c>codered --help</c>.</summary>
    public static string Synopsis(IEnumerable<Command> commands) =>
        string.Join('\n', commands.Select(c => "  " + c.Usage.Split('\n')[0]["usage: ".Length..]));

    /// <summary>The name in <paramref name="candidates"/> nearest to <paramref name="typed"/>, if it is near enough to be a typo.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(typed, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        // A typo changes a few letters; a different word is not a suggestion.
        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    /// <summary>Levenshtein distance, with a transposition counting as one edit (Damerau, restricted).</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
