using System.Globalization;
using System.Text;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Model;

namespace CodeRed.Cli;

/// <summary>
/// A command's options: <c>--name value</c>, <c>--name=value</c>, the short forms, flags without a value, and
/// positional arguments (everything after <c>--</c> is positional). An unknown option names the nearest known one.
/// </summary>
internal sealed class Options
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Options(IReadOnlyList<string> args, Command command)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                Positional.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                Positional.Add(arg);
                continue;
            }

            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : Command.Short.GetValueOrDefault(arg) ?? arg;
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (command.Flags.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"'--{name}' takes no value");
                }

                _flags.Add(name);
                continue;
            }

            if (!command.Options.Contains(name))
            {
                var known = command.Options.Concat(command.Flags).Select(o => "--" + o);
                var typed = arg.StartsWith("--", StringComparison.Ordinal) ? "--" + name : arg;
                var nearest = Command.Nearest(typed, known);
                throw new UsageException($"unknown option '{arg}' for 'codered {command.Name}'" + (nearest is null ? "" : $" (did you mean '{nearest}'?)"));
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"option '--{name}' needs a value");
                }

                value = args[++i];
            }

            if (!_values.TryGetValue(name, out var list))
            {
                _values[name] = list = [];
            }

            list.Add(value);
        }
    }

    public List<string> Positional { get; } = [];

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Single(string name)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            return null;
        }

        if (list.Count > 1)
        {
            throw new UsageException($"option '--{name}' is given more than once");
        }

        return list[0];
    }

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The format, one of <paramref name="allowed"/>; the message lists every one.</summary>
    public string Format(params string[] allowed)
    {
        var format = Single("format") ?? "text";
        return allowed.Contains(format) ? format : throw new UsageException($"--format must be {Words(allowed)}, not '{format}'");
    }

    /// <summary>"a, b or c".</summary>
    public static string Words(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : $"{string.Join(", ", words.Take(words.Count - 1))} or {words[^1]}";

    /// <summary>--lang: any language the pack carries; without it the UI culture's, English when the pack lacks it.</summary>
    public CultureInfo Culture(RulePack pack) => Culture([pack]);

    /// <summary>--lang with several packs: a language one of them carries (each report falls back to English on its own).</summary>
    public CultureInfo Culture(IReadOnlyList<RulePack> packs)
    {
        var lang = Single("lang")?.Trim().ToLowerInvariant();
        return lang switch
        {
            null => CultureInfo.CurrentUICulture,
            _ when packs.Any(p => p.Languages.Contains(lang, StringComparer.Ordinal)) => CultureInfo.GetCultureInfo(lang),
            _ when packs.Count == 1 => throw new UsageException($"--lang must be a language the pack {packs[0].Identity.Id} carries ({string.Join(", ", packs[0].Languages)}), not '{lang}'"),
            _ => throw new UsageException($"--lang must be a language one of the packs carries ({string.Join(", ", packs.SelectMany(p => p.Languages).Distinct())}), not '{lang}'"),
        };
    }

    public Encoding? Encoding()
    {
        var name = Single("encoding");
        if (name is null or "auto")
        {
            return null;
        }

        try
        {
            return name.ToLowerInvariant() switch
            {
                "utf-8" or "utf8" => new UTF8Encoding(false, false),
                "sjis" or "shift-jis" or "shift_jis" or "cp932" => System.Text.Encoding.GetEncoding(932),
                "euc-jp" or "eucjp" => System.Text.Encoding.GetEncoding("euc-jp"),
                "latin1" or "iso-8859-1" => System.Text.Encoding.Latin1,
                _ => System.Text.Encoding.GetEncoding(name),
            };
        }
        catch (ArgumentException)
        {
            throw new UsageException($"--encoding: unknown encoding '{name}' (try utf-8, shift_jis, euc-jp or latin1)");
        }
    }

    /// <summary>The pack of a command that takes one: <c>--rules</c> or the embedded one, checked against <c>--rules-sha256</c>.</summary>
    public RulePack Pack()
    {
        var packs = Packs();
        return packs.Count == 1 ? packs[0] : throw new UsageException("this command takes one pack (one --rules or --pack)");
    }

    /// <summary>
    /// The packs in use: every <c>--pack ID</c> (built in) and every <c>--rules PATH</c>, in that order; with neither the
    /// embedded default. Each must be pinned by a <c>--rules-sha256</c> when any is given, and rule IDs must be unique
    /// across them (a collision is a rule-pack error naming both files).
    /// </summary>
    public IReadOnlyList<RulePack> Packs()
    {
        var pins = All("rules-sha256").Select(PinnedHash).ToList();
        var packs = new List<RulePack>();
        foreach (var id in All("pack"))
        {
            packs.Add(RulePack.FindBuiltIn(id.Trim()) ?? throw new UsageException(
                $"--pack: no built-in pack '{id}' (built in: {string.Join(", ", RulePack.BuiltIn.Select(p => p.Identity.Id))}; 'codered packs' lists them)"));
        }

        packs.AddRange(All("rules").Select(RulePack.LoadFrom));
        if (packs.Count == 0)
        {
            packs.Add(RulePack.Default);
        }

        foreach (var pack in packs.Where(p => pins.Count > 0 && !pins.Contains(p.Identity.Sha256)))
        {
            throw new InputException(pins.Count == 1
                ? $"the rule pack {pack.Identity.Id} {pack.Identity.Version} has SHA-256 {pack.Identity.Sha256}, but --rules-sha256 pins {pins[0]}; refusing to run with a pack that is not the pinned one"
                : $"the rule pack {pack.Identity.Id} {pack.Identity.Version} has SHA-256 {pack.Identity.Sha256}, which no --rules-sha256 pins; refusing to run with a pack that is not a pinned one");
        }

        RulePack.EnsureDistinct(packs);
        return packs;
    }

    /// <summary>A SHA-256 given on the command line: 64 hex digits, any case, optionally prefixed <c>sha256:</c>.</summary>
    private static string PinnedHash(string text)
    {
        var hex = text.Trim();
        if (hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256:".Length..];
        }

        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new UsageException($"--rules-sha256 must be 64 hexadecimal digits (as 'codered rules validate' prints), not '{(text.Length > 80 ? text[..80] + "…" : text)}'");
        }

        return hex.ToLowerInvariant();
    }

    /// <summary>The severity settings for several packs: each setting must name a rule or category of one of them.</summary>
    public SeverityConfiguration Severity(IReadOnlyList<RulePack> packs)
    {
        if (packs.Count == 1)
        {
            return Severity(packs[0]);
        }

        var config = Severity((RulePack?)null);
        var names = string.Join(", ", packs.Select(q => q.Identity.Id));
        var unknown = config.Rules.Keys.Where(id => packs.All(p => p.FindRule(id) is null)).Select(id => $"no rule '{id}' in the packs {names}")
            .Concat(config.Categories.Keys.Where(c => packs.All(p => !p.Rules.Any(r => string.Equals(r.Category, c, StringComparison.OrdinalIgnoreCase)))).Select(c => $"no category '{c}' in the packs {names}"))
            .OfType<string>()
            .ToList();
        return unknown.Count > 0 ? throw new UsageException("--severity: " + string.Join("; ", unknown)) : config;
    }

    public SeverityConfiguration Severity(RulePack? pack)
    {
        var config = SeverityConfiguration.Empty;
        if (Single("config") is { } configFile)
        {
            if (!File.Exists(configFile))
            {
                throw new InputException($"cannot read '{configFile}': no such file");
            }

            try
            {
                config = SeverityConfigurationFile.Load(configFile, pack);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException($"cannot read '{configFile}': {e.Message}");
            }
        }

        // --severity options come after the file, so they win.
        foreach (var setting in All("severity"))
        {
            var eq = setting.IndexOf('=');
            if (eq <= 0 || !SeverityNames.TryParseSetting(setting[(eq + 1)..], out var level))
            {
                throw new UsageException($"--severity '{setting}' must look like CR2001=error, category:LogSignature=warning or all=none");
            }

            var target = setting[..eq].Trim();
            if (target.Length == 0 || target.Equals("category:", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--severity '{setting}' must name a rule ID, category:NAME or all");
            }

            if (target.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                config = config.WithAll(level);
            }
            else if (target.StartsWith("category:", StringComparison.OrdinalIgnoreCase))
            {
                config = config.WithCategory(target["category:".Length..], level);
            }
            else
            {
                config = config.WithRule(target, level);
            }
        }

        // The library's own check, so the CLI refuses exactly what an evaluation would.
        return pack is not null && config.Validate(pack) is { Count: > 0 } unknown
            ? throw new UsageException("--severity: " + string.Join("; ", unknown))
            : config;
    }
}
