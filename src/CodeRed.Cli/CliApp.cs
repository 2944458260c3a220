using System.Globalization;
using System.Text;
using CodeRed.Rules;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;

namespace CodeRed.Cli;

/// <summary>
/// The <c>codered</c> command line. Exit codes: 0 nothing at warning or above; 1 at least one warning or
/// error; 2 usage error, unreadable input or invalid rule pack. Errors are one clear line on stderr.
/// </summary>
internal static class CliApp
{
    public const int Clean = 0;
    public const int Findings = 1;
    public const int Failure = 2;


    private const string Usage = """
        usage:
          codered analyze [--each] [--model M] [--firmware V] [--rules PATH] [--rules-sha256 HEX] [--format text|json|jsonl|sarif] [--lang en|ja]
                          [--encoding utf-8|shift_jis|euc-jp|latin1] [--severity ID|category:NAME|all=LEVEL]... [--config FILE] [FILE...]
          codered rules list [--rules PATH] [--format text|json] [--lang en|ja] [--status S]
          codered rules validate PATH [--strict]
          codered rules lock PATH
          codered rules docs OUTDIR [--rules PATH]
          codered export csaf [--vex] [--rules PATH] [-o FILE]
          codered --version

        FILE '-' reads standard input; with no FILE only the model and firmware are judged.
        A DIR (or --each) analyses every file as its own device, in parallel, one report per file
        (--format text, json, jsonl or sarif: one run per device); a progress bar goes to stderr when it is a terminal.
        LEVEL is error, warning, info, hidden or none (off).
        'export csaf' writes the pack's advisory as a CSAF 2.0 security advisory (--vex: a CSAF VEX document) to FILE or stdout.
        Exit codes: 0 nothing at warning or above, 1 a warning or error was found, 2 usage, input or rule-pack error.
        """;

    public static int Run(string[] args, Stream stdin, Stream stdout, TextWriter stderr, bool stderrIsTerminal = false)
    {
        var output = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = false };
        try
        {
            return args switch
            {
                [] or ["-h" or "--help" or "help"] => Help(output),
                ["--version"] => Version(output),
                ["analyze", .. var rest] => Analyze(rest, stdin, stdout, output, stderr, stderrIsTerminal),
                ["rules", "list", .. var rest] => ListRules(rest, stdout, output),
                ["rules", "validate", .. var rest] => Validate(rest, output, stderr),
                ["rules", "docs", .. var rest] => WriteDocs(rest, output),
                ["rules", "lock", .. var rest] => WriteLock(rest, output),
                ["rules", ..] => throw new UsageException("'rules' needs a subcommand: list, validate, lock or docs"),
                ["export", "csaf", .. var rest] => ExportCsaf(rest, stdout, output),
                _ => throw new UsageException($"unknown command '{string.Join(' ', args.Take(2))}'"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"codered: {e.Message}");
            stderr.WriteLine("Run 'codered --help' for usage.");
            return Failure;
        }
        catch (RulePackException e)
        {
            stderr.WriteLine("codered: the rule pack is invalid:");
            foreach (var problem in e.Problems.Where(p => p.Severity == ProblemSeverity.Error))
            {
                stderr.WriteLine("  " + problem);
            }

            return Failure;
        }
        catch (SeverityConfigurationException e)
        {
            stderr.WriteLine("codered: the severity configuration is invalid:");
            foreach (var problem in e.Problems)
            {
                stderr.WriteLine("  " + problem);
            }

            return Failure;
        }
        catch (CsafExportException e)
        {
            stderr.WriteLine($"codered: {e.Message}");
            return Failure;
        }
        catch (InputException e)
        {
            stderr.WriteLine($"codered: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last line of defence: one clear line, never a stack trace.
            stderr.WriteLine($"codered: internal error ({e.GetType().Name}): {e.Message}");
            return Failure;
        }
        finally
        {
            output.Flush();
        }
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine("codered: the Allied Telesis AR-router Code Red advisory (2001, revised 2002) as executable rules.");
        output.WriteLine();
        output.WriteLine(Usage);
        return Clean;
    }

    private static string ToolVersion => typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static int Version(TextWriter output)
    {
        output.WriteLine($"codered {ToolVersion} (default pack {RulePack.Default.Identity})");
        return Clean;
    }

    /// <summary>SARIF for this run: its command line, and the Azure Pipelines build identity when it runs in one.</summary>
    private static SarifOptions SarifOptions(SeverityConfiguration severity, string[] args)
    {
        var (prefix, properties) = AzurePipeline.Detect(Environment.GetEnvironmentVariable);
        return new SarifOptions
        {
            Severity = severity, ToolVersion = ToolVersion, CommandLine = CommandLine("analyze", args),
            AutomationIdPrefix = prefix, AutomationProperties = properties,
        };
    }

    /// <summary>The command line as a shell would take it back, for SARIF's invocation (and its stand-in location).</summary>
    private static string CommandLine(string verb, string[] args) =>
        string.Join(' ', new[] { "codered", verb }.Concat(args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")));

    private static int Analyze(string[] args, Stream stdin, Stream stdout, StreamWriter output, TextWriter stderr, bool stderrIsTerminal)
    {
        var each = args.Contains("--each");
        var options = new Options(args.Where(a => a != "--each").ToArray(), "model", "firmware", "rules", "rules-sha256", "format", "lang", "encoding", "severity", "config");
        var fleet = each || options.Positional.Any(Directory.Exists);
        var format = options.Format(fleet ? ["text", "json", "jsonl", "sarif"] : ["text", "json", "sarif"]);
        var culture = options.Culture();
        var encoding = options.Encoding();
        var pinned = options.Single("rules-sha256") is { } hex ? PinnedHash(hex) : null;
        var pack = options.Pack();
        if (pinned is not null && pinned != pack.Identity.Sha256)
        {
            throw new InputException(
                $"the rule pack {pack.Identity.Id} {pack.Identity.Version} has SHA-256 {pack.Identity.Sha256}, but --rules-sha256 pins {pinned}; refusing to run with a pack that is not the pinned one");
        }

        var severity = options.Severity(pack);

        var firmware = options.Single("firmware");
        if (firmware is not null && !FirmwareVersion.TryParse(firmware, out _, out var firmwareError))
        {
            throw new UsageException($"--firmware: {firmwareError}");
        }

        if (fleet)
        {
            var evaluation = new EvaluationOptions { Severity = severity, Culture = culture };
            var device = new DeviceEvidence { Model = options.Single("model"), Firmware = firmware };
            var sarif = SarifOptions(severity, args);
            return FleetCommand.Run(pack, options.Positional, device, encoding, evaluation, format, sarif, stdout, output, stderr, stderrIsTerminal);
        }

        var sources = new List<EvidenceSource>();
        foreach (var file in options.Positional)
        {
            if (file == "-")
            {
                sources.Add(EvidenceSource.FromStream("-", stdin, encoding));
            }
            else if (!File.Exists(file))
            {
                throw new InputException($"cannot read '{file}': no such file");
            }
            else
            {
                sources.Add(EvidenceSource.FromFile(file, encoding, name: file));
            }
        }

        AnalysisReport report;
        try
        {
            report = pack.Evaluate(
                new DeviceEvidence { Model = options.Single("model"), Firmware = firmware, Sources = sources },
                new EvaluationOptions { Severity = severity, Culture = culture });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot read the evidence: {e.Message}");
        }

        if (format == "json")
        {
            output.Flush();
            JsonReportWriter.Write(stdout, report);
            stdout.Write("\n"u8);
        }
        else if (format == "sarif")
        {
            output.Flush();
            SarifWriter.Write(stdout, [report], pack, SarifOptions(severity, args));
            stdout.Write("\n"u8);
        }
        else
        {
            TextReportWriter.Write(output, report, culture);
        }

        return report.MaxSeverity >= DiagnosticSeverity.Warning ? Findings : Clean;
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

    private static int ListRules(string[] args, Stream stdout, StreamWriter output)
    {
        var options = new Options(args, "rules", "format", "lang", "status");
        var format = options.Format();
        var culture = options.Culture();
        var pack = options.Pack();
        Func<RuleDescriptor, bool> include = _ => true;
        if (options.Single("status") is { } status)
        {
            if (!Enum.TryParse<RuleStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
            {
                throw new UsageException($"--status must be experimental, test, stable or deprecated, not '{status}'");
            }

            include = r => r.Status == wanted;
        }

        if (format == "json")
        {
            output.Flush();
            JsonReportWriter.WriteCatalogue(stdout, pack, culture, include);
            stdout.Write("\n"u8);
            return Clean;
        }

        output.WriteLine($"{pack.Identity.Id} {pack.Identity.Version}  sha256 {pack.Identity.Sha256}");
        output.WriteLine();
        output.WriteLine($"{"ID",-8}{"Severity",-9}{"Category",-14}Title");
        foreach (var rule in pack.Rules.Where(include))
        {
            var enabled = rule.IsEnabledByDefault ? "" : " (disabled by default)";
            var deprecated = rule.ReplacedBy is { } by ? $" (deprecated: use {by})" : "";
            output.WriteLine($"{rule.Id,-8}{rule.DefaultSeverity.ToName(),-9}{rule.Category,-14}{rule.Title.Get(culture)}{enabled}{deprecated}");
        }

        output.WriteLine();
        output.WriteLine($"{"Model",-11}{"Status",-14}{"Workaround",-12}Fixed in");
        foreach (var m in pack.Models.Models)
        {
            output.WriteLine($"{m.Name,-11}{(m.Status == ModelStatus.Affected ? "affected" : "not-affected"),-14}{(m.WorkaroundApplies ? "yes" : "no"),-12}{m.FixedIn?.ToString() ?? "pending"}");
        }

        return Clean;
    }

    private static int WriteDocs(string[] args, StreamWriter output)
    {
        var options = new Options(args, "rules");
        if (options.Positional.Count != 1)
        {
            throw new UsageException("'rules docs' takes one OUTDIR");
        }

        var rulesPath = options.Single("rules");
        var pack = options.Pack();
        var samples = rulesPath is not null && Directory.Exists(rulesPath) ? rulesPath : null;
        var count = MarkdownDocsWriter.WriteTo(pack, samples, options.Positional[0]);
        output.WriteLine($"wrote {count} page(s) to {options.Positional[0]}");
        return Clean;
    }

    private static int Validate(string[] args, StreamWriter output, TextWriter stderr)
    {
        var strict = args.Contains("--strict");
        var options = new Options(args.Where(a => a != "--strict").ToArray());
        if (options.Positional.Count != 1)
        {
            throw new UsageException("'rules validate' takes one PATH (a rule directory or file)");
        }

        var path = options.Positional[0];
        var pack = RulePack.LoadFrom(path);
        var warnings = PackLinter.Lint(pack, Directory.Exists(path) ? path : null);
        foreach (var warning in warnings)
        {
            stderr.WriteLine("  " + warning);
        }

        if (warnings.Any(w => w.Severity == ProblemSeverity.Error))
        {
            throw new RulePackException(warnings.Where(w => w.Severity == ProblemSeverity.Error).ToList());
        }

        if (strict)
        {
            if (!Directory.Exists(path))
            {
                throw new UsageException("--strict checks release files and the lock beside the rules, so PATH must be a directory");
            }

            // Strict: lint warnings fail too, as Sigma's linter fails CI.
            var problems = ReleaseTracking.Check(pack, path).Concat(warnings.Select(w => w with { Severity = ProblemSeverity.Error })).ToList();
            if (problems.Count > 0)
            {
                throw new RulePackException(problems);
            }
        }

        output.WriteLine($"valid: {pack.Identity.Id} {pack.Identity.Version}, {pack.Rules.Count} rules, {pack.Models.Models.Count} models, {warnings.Count} warning(s){(strict ? ", release tracking and lock up to date" : "")}");
        output.WriteLine($"sha256: {pack.Identity.Sha256}");
        return Clean;
    }

    private static int ExportCsaf(string[] args, Stream stdout, StreamWriter output)
    {
        var vex = args.Contains("--vex");
        // Here -o names the output file (in 'analyze' it is short for --format).
        var options = new Options(args.Where(a => a != "--vex").Select(a => a == "-o" ? "--output" : a).ToArray(), "rules", "output");
        if (options.Positional.Count != 0)
        {
            throw new UsageException($"'export csaf' takes no FILE argument (use -o FILE), not '{options.Positional[0]}'");
        }

        var pack = options.Pack();
        var kind = vex ? CsafDocumentKind.Vex : CsafDocumentKind.SecurityAdvisory;
        var file = options.Single("output");
        if (file is null or "-")
        {
            output.Flush();
            CsafWriter.Write(stdout, pack, kind);
            stdout.Write("\n"u8);
            return Clean;
        }

        // Write the whole document before touching the file, so a failure leaves no half-written file.
        using var buffer = new MemoryStream();
        CsafWriter.Write(buffer, pack, kind);
        buffer.Write("\n"u8);
        try
        {
            File.WriteAllBytes(file, buffer.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"cannot write '{file}': {e.Message}");
        }

        output.WriteLine($"wrote {file} ({(vex ? "csaf_vex" : "csaf_security_advisory")})");
        return Clean;
    }

    private static int WriteLock(string[] args, StreamWriter output)
    {
        var options = new Options(args);
        if (options.Positional.Count != 1 || !Directory.Exists(options.Positional[0]))
        {
            throw new UsageException("'rules lock' takes one PATH, the rule directory");
        }

        var pack = RulePack.LoadFrom(options.Positional[0]);
        ReleaseTracking.WriteLock(pack, options.Positional[0]);
        output.WriteLine($"wrote {Path.Combine(options.Positional[0], ReleaseTracking.LockFile)} ({pack.Rules.Count} rules)");
        return Clean;
    }

    /// <summary>Command-line options: <c>--name value</c>, <c>--name=value</c>, short forms, and positional arguments.</summary>
    private sealed class Options
    {
        private static readonly Dictionary<string, string> Short = new(StringComparer.Ordinal)
        {
            ["-m"] = "model", ["-f"] = "firmware", ["-r"] = "rules", ["-o"] = "format",
        };

        private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

        public Options(string[] args, params string[] allowed)
        {
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                if (arg == "--")
                {
                    Positional.AddRange(args.Skip(i + 1));
                    break;
                }

                if (arg.Length > 1 && arg[0] == '-' && arg != "-")
                {
                    var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : Short.GetValueOrDefault(arg) ?? arg;
                    string? value = null;
                    var eq = name.IndexOf('=');
                    if (eq > 0)
                    {
                        value = name[(eq + 1)..];
                        name = name[..eq];
                    }

                    if (!allowed.Contains(name))
                    {
                        throw new UsageException($"unknown option '{arg}'");
                    }

                    if (value is null)
                    {
                        if (i + 1 >= args.Length)
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
                else
                {
                    Positional.Add(arg);
                }
            }
        }

        public List<string> Positional { get; } = [];

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

        public string Format(params string[] allowed)
        {
            allowed = allowed.Length > 0 ? allowed : ["text", "json"];
            var format = Single("format") ?? "text";
            var names = allowed.Length == 2 ? $"{allowed[0]} or {allowed[1]}" : $"{string.Join(", ", allowed[..^1])} or {allowed[^1]}";
            return allowed.Contains(format) ? format : throw new UsageException($"--format must be {names}, not '{format}'");
        }

        public CultureInfo Culture()
        {
            var lang = Single("lang");
            return lang switch
            {
                null => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja" ? CultureInfo.GetCultureInfo("ja") : CultureInfo.GetCultureInfo("en"),
                "en" or "ja" => CultureInfo.GetCultureInfo(lang),
                _ => throw new UsageException($"--lang must be en or ja, not '{lang}'"),
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

        public RulePack Pack() => Single("rules") is { } path ? RulePack.LoadFrom(path) : RulePack.Default;

        public SeverityConfiguration Severity(RulePack pack)
        {
            var config = SeverityConfiguration.Empty;
            if (Single("config") is { } configFile)
            {
                if (!File.Exists(configFile))
                {
                    throw new InputException($"cannot read '{configFile}': no such file");
                }

                config = SeverityConfigurationFile.Parse(File.ReadAllText(configFile), configFile, pack);
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
                if (target.Equals("all", StringComparison.OrdinalIgnoreCase))
                {
                    config = config.WithAll(level);
                }
                else if (target.StartsWith("category:", StringComparison.OrdinalIgnoreCase))
                {
                    config = config.WithCategory(target["category:".Length..], level);
                }
                else if (pack.FindRule(target) is null)
                {
                    throw new UsageException($"--severity: no rule '{target}' in the pack");
                }
                else
                {
                    config = config.WithRule(target, level);
                }
            }

            return config;
        }
    }
}

/// <summary>The command line was not understood.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>An input could not be read.</summary>
internal sealed class InputException(string message) : Exception(message);
