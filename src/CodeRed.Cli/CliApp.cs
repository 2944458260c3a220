using System.Globalization;
using System.Text;
using CodeRed.Rules.Evaluation;
using CodeRed.Rules.IO;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Model;
using CodeRed.Rules.Output;
using CodeRed.Rules.Tooling;
using CodeRed.Rules;

namespace CodeRed.Cli;

/// <summary>What a command runs with: the standard streams and what they are connected to.</summary>
internal sealed record Invocation(IReadOnlyList<string> Args, Stream Stdin, Stream Stdout, StreamWriter Output, TextWriter Stderr, bool StdinIsPiped, bool StdoutIsTerminal, bool StderrIsTerminal, bool NoColor);

/// <summary>
/// The <c>codered</c> command line. Exit codes: 0 nothing at warning or above; 1 at least one warning or
/// error; 2 usage error, unreadable input or invalid rule pack; 141 standard output closed by its reader (as a
/// process killed by SIGPIPE). Errors are one clear line on stderr, escaped like every text the CLI prints.
/// </summary>
internal static class CliApp
{
    public const int Clean = 0;
    public const int Findings = 1;
    public const int Failure = 2;
    public const int BrokenPipe = 128 + 13;

    // What the tool is, from the packs it carries: a new built-in pack shows here without a code change.
    private static string Banner => "codered: security advisories as executable rules. Built-in packs ('codered packs'):\n"
        + string.Join("\n", RulePack.BuiltIn.Select(p => $"  {p.Identity.Id}: {p.Title.English}"));

    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdin">Standard input.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="stderrIsTerminal">Progress bars go to stderr only when it is a terminal.</param>
    /// <param name="stdinIsPiped">Standard input is a pipe or a file: read it when no FILE is given.</param>
    /// <param name="stdoutIsTerminal">Colour by default only on a terminal.</param>
    /// <param name="noColor">NO_COLOR is set (https://no-color.org): no colour unless <c>--color always</c>.</param>
    public static int Run(string[] args, Stream stdin, Stream stdout, TextWriter stderr, bool stderrIsTerminal = false, bool stdinIsPiped = false, bool stdoutIsTerminal = false, bool noColor = false)
    {
        var guarded = new GuardedOutputStream(stdout);
        var output = new StreamWriter(guarded, Utf8, leaveOpen: true) { AutoFlush = false };
        stderr = new SafeErrorWriter(stderr);
        var invocation = new Invocation(args, stdin, guarded, output, stderr, stdinIsPiped, stdoutIsTerminal, stderrIsTerminal, noColor);
        try
        {
            var code = Dispatch(args, invocation);
            output.Flush();
            return code;
        }
        catch (BrokenPipeException)
        {
            return BrokenPipe; // the reader has what it wanted (| head -1): stop at once, say nothing
        }
        catch (OutputFailedException e)
        {
            Error(stderr, e.Message);
            return Failure;
        }
        catch (UsageException e)
        {
            Error(stderr, e.Message);
            stderr.WriteLine(e.Command is { } command ? $"Run 'codered {command} --help' for usage." : "Run 'codered --help' for usage.");
            return Failure;
        }
        catch (RulePackException e)
        {
            Problems(stderr, "the rule pack is invalid:", e.Problems.Where(p => p.Severity == ProblemSeverity.Error));
            return Failure;
        }
        catch (SeverityConfigurationException e)
        {
            Problems(stderr, "the severity configuration is invalid:", e.Problems);
            return Failure;
        }
        catch (Exception e) when (e is CsafExportException or InputException)
        {
            Error(stderr, e.Message);
            return Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last line of defence: one clear line, never a stack trace.
            Error(stderr, $"internal error ({e.GetType().Name}): {e.Message}");
            return Failure;
        }
        finally
        {
            try
            {
                output.Dispose();
            }
            catch (Exception e) when (e is BrokenPipeException or OutputFailedException)
            {
                // Already reported (or, for a closed pipe, deliberately not).
            }
        }
    }

    /// <summary>One line on stderr, escaped: file names and values in messages come from the user or the evidence.</summary>
    internal static void Error(TextWriter stderr, string message) => stderr.WriteLine("codered: " + TerminalText.Escape(message));

    // The loops live here, not in Run's catch blocks: a JIT process compiles a method with a loop inside a handler fully
    // optimized at once (no on-stack replacement there), and Run, like Analyze, runs once per process.
    private static void Problems(TextWriter stderr, string heading, IEnumerable<PackProblem> problems)
    {
        Error(stderr, heading);
        foreach (var problem in problems)
        {
            stderr.WriteLine("  " + TerminalText.Escape(problem.ToString()));
        }
    }

    private static int Dispatch(string[] args, Invocation invocation)
    {
        switch (args)
        {
            case [] or ["-h" or "--help", ..]:
                return Help(invocation.Output);
            case ["help", .. var topic] when topic.Length > 0:
                return Dispatch([.. topic, "--help"], invocation);
            case ["help"]:
                return Help(invocation.Output);
            case ["--version"]:
                return Version(invocation.Output);
        }

        var first = args[0];
        Command? command;
        string[] rest;
        if (Command.Groups.Contains(first))
        {
            var subcommands = Command.All.Where(c => c.Name.StartsWith(first + " ", StringComparison.Ordinal)).ToList();
            var names = subcommands.Select(c => c.Name[(first.Length + 1)..]).ToList();
            if (args.Length == 1 || args[1] is "-h" or "--help")
            {
                if (args.Length == 1)
                {
                    throw new UsageException($"'{first}' needs a subcommand: {Options.Words(names)}", first);
                }

                invocation.Output.Write($"usage:\n{Command.Synopsis(subcommands)}\n\nRun 'codered {first} SUBCOMMAND --help' for a subcommand's options.\n");
                return Clean;
            }

            command = subcommands.FirstOrDefault(c => c.Name == first + " " + args[1]);
            if (command is null)
            {
                var nearest = Command.Nearest(args[1], names);
                throw new UsageException($"unknown command '{first} {args[1]}'" + (nearest is null ? $"; '{first}' has {Options.Words(names)}" : $" (did you mean '{first} {nearest}'?)"), first);
            }

            rest = args[2..];
        }
        else
        {
            command = Command.All.FirstOrDefault(c => c.Name == first);
            if (command is null)
            {
                var nearest = Command.Nearest(first, [.. Command.All.Select(c => c.Name.Split(' ')[0]).Distinct(), "help", "--help", "--version"]);
                throw new UsageException($"unknown command '{first}'" + (nearest is null ? "" : $" (did you mean '{nearest}'?)"));
            }

            rest = args[1..];
        }

        if (rest.TakeWhile(a => a != "--").Any(a => a is "-h" or "--help"))
        {
            invocation.Output.Write(command.Usage.ReplaceLineEndings("\n"));
            return Clean;
        }

        try
        {
            return command.Run(invocation, new Options(rest, command));
        }
        catch (UsageException e) when (e.Command is null)
        {
            throw new UsageException(e.Message, command.Name);
        }
    }

    private static int Help(TextWriter output)
    {
        output.Write($"""
            {Banner}

            usage:
            {Command.Synopsis(Command.All)}
              codered --version

            Run 'codered COMMAND --help' (or 'codered help COMMAND') for a command's options.
            Exit codes: 0 nothing at warning or above, 1 a warning or error was found, 2 usage, input or rule-pack error.

            """.ReplaceLineEndings("\n"));
        return Clean;
    }

    private static string ToolVersion => typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static int Version(TextWriter output)
    {
        output.WriteLine($"codered {ToolVersion} (default pack {RulePack.Default.Identity})");
        return Clean;
    }

    /// <summary>SARIF for this run: its command line, and the Azure Pipelines build identity when it runs in one.</summary>
    private static SarifOptions SarifOptions(SeverityConfiguration severity, IReadOnlyList<string> args)
    {
        var (prefix, properties) = AzurePipeline.Detect(Environment.GetEnvironmentVariable);
        return new SarifOptions
        {
            Severity = severity, ToolVersion = ToolVersion, CommandLine = CommandLine(args),
            AutomationIdPrefix = prefix, AutomationProperties = properties,
        };
    }

    /// <summary>The command line as a shell would take it back, for SARIF's invocation (and its stand-in location).</summary>
    private static string CommandLine(IReadOnlyList<string> args) =>
        string.Join(' ', args.Prepend("codered").Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    /// <summary>Whether text output is coloured: <c>--color</c>, else only on a terminal and without NO_COLOR.</summary>
    private static bool Colour(Invocation invocation, Options options, bool toFile) => (options.Single("color") ?? "auto") switch
    {
        "always" => true,
        "never" => false,
        "auto" => !toFile && invocation.StdoutIsTerminal && !invocation.NoColor,
        var other => throw new UsageException($"--color must be auto, always or never, not '{other}'"),
    };

    internal static int Analyze(Invocation invocation, Options options)
    {
        var each = options.Has("each");
        var fleet = each || options.Positional.Any(Directory.Exists);
        var format = options.Format("text", "json", "jsonl", "sarif", "html");
        var outputFile = options.Single("output") is { } o && o != "-" ? o : null;
        var color = Colour(invocation, options, outputFile is not null);
        var encoding = options.Encoding();
        var packs = options.Packs();
        var pack = packs[0];
        var culture = options.Culture(packs);
        var severity = options.Severity(packs);

        // --product-version is --firmware's general name; each pack parses it in its own version scheme.
        var firmware = options.Single("firmware");
        if (options.Single("product-version") is { } productVersion)
        {
            firmware = firmware is null ? productVersion : throw new UsageException("--firmware and --product-version are the same option; give one");
        }

        foreach (var p in packs)
        {
            if (firmware is not null && !p.Product.VersionScheme.TryParse(firmware, out _, out var firmwareError))
            {
                throw new UsageException((options.Single("firmware") is null ? "--product-version: " : "--firmware: ") + firmwareError + (packs.Count > 1 ? $" (pack {p.Identity.Id})" : ""));
            }
        }

        var patches = Patches(options);

        var threads = options.Single("threads") is not { } t ? Environment.ProcessorCount
            : int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
            : throw new UsageException($"--threads must be a whole number of at least 1, not '{t}'");
        // The HTML report shows each finding's evidence in context: two lines before and after its first hit. A fleet
        // already runs one file per core: each of its files is read by one thread.
        var evaluation = new EvaluationOptions { Severity = severity, Culture = culture, ContextLines = format == "html" ? 2 : 0, MaxDegreeOfParallelism = fleet ? 1 : threads };
        if (options.Has("follow"))
        {
            if (fleet || options.Positional.Count > 1)
            {
                throw new UsageException("--follow reads one FILE (or standard input), not several files or a folder");
            }

            return FollowCommand.Run(invocation, packs, options.Positional.SingleOrDefault(),
                new SessionOptions { Model = options.Single("model"), Firmware = firmware, Patches = patches, Evaluation = evaluation }, encoding, format,
                reports => WriteOutput(invocation, outputFile, target => WriteReport(invocation, target, format, reports, packs, severity, color)));
        }

        if (fleet)
        {
            if (packs.Count > 1)
            {
                throw new UsageException("a fleet (a DIR or --each) is judged with one pack; give one --rules or --pack");
            }

            var device = new DeviceEvidence { Model = options.Single("model"), Firmware = firmware, Patches = patches };
            var code = Clean;
            WriteOutput(invocation, outputFile, target =>
                code = FleetCommand.Run(pack, options.Positional, device, encoding, evaluation, format, SarifOptions(severity, invocation.Args), target, invocation.Stderr, invocation.StderrIsTerminal, color));
            return code;
        }

        // No FILE: read standard input when something is piped or redirected in, as ripgrep does.
        var inputs = options.Positional.Count == 0 && invocation.StdinIsPiped ? ["-"] : options.Positional;
        var failed = false;
        var files = new List<WatchedFile>();
        var sources = new List<EvidenceSource>();
        try
        {
            foreach (var input in inputs)
            {
                if (input == "-")
                {
                    sources.Add(EvidenceSource.FromStream("-", invocation.Stdin, encoding));
                    continue;
                }

                // One unreadable FILE among several: say so, report the others, exit 2 at the end (as grep does).
                if (WatchedFile.Open(input, out var error) is not { } file)
                {
                    Error(invocation.Stderr, $"cannot read '{input}': {error}");
                    failed = true;
                    continue;
                }

                files.Add(file);
                sources.Add(EvidenceSource.FromStream(input, file, encoding));
            }

            if (failed && sources.Count == 0)
            {
                return Failure; // nothing at all could be read: no report that would look like a clean one
            }

            IReadOnlyList<AnalysisReport> reports;
            try
            {
                reports = Evaluate(packs, new DeviceEvidence { Model = options.Single("model"), Firmware = firmware, Patches = patches, Sources = sources }, evaluation);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException($"cannot read the evidence: {e.Message}");
            }

            WriteOutput(invocation, outputFile, target => WriteReport(invocation, target, format, reports, packs, severity, color));

            foreach (var file in files)
            {
                if (file.Shrank() is { } problem)
                {
                    Error(invocation.Stderr, $"'{file.DisplayName}' {problem}: the report covers only what was read");
                    failed = true;
                }
            }

            return failed ? Failure : reports.Any(r => r.MaxSeverity >= DiagnosticSeverity.Warning) ? Findings : Clean;
        }
        finally
        {
            DisposeAll(files); // a loop in a finally block would make the JIT compile all of Analyze fully optimized
        }
    }

    private static void DisposeAll(List<WatchedFile> files)
    {
        foreach (var file in files)
        {
            file.Dispose();
        }
    }

    /// <summary>One device's reports (one per pack) in the format asked for (analyze, and analyze --follow at its end).</summary>
    private static void WriteReport(Invocation invocation, Stream target, string format, IReadOnlyList<AnalysisReport> reports, IReadOnlyList<RulePack> packs, SeverityConfiguration severity, bool color)
    {
        var report = reports[0];
        var pack = packs[0];
        switch (format)
        {
            case "json":
                JsonReportWriter.Write(target, reports);
                target.Write("\n"u8);
                break;
            case "jsonl":
                JsonReportWriter.Write(target, reports, indented: false);
                target.Write("\n"u8);
                break;
            case "sarif" when packs.Count == 1:
                SarifWriter.Write(target, [report], pack, SarifOptions(severity, invocation.Args));
                target.Write("\n"u8);
                break;
            case "sarif":
                SarifWriter.Write(target, reports, packs, SarifOptions(severity, invocation.Args));
                target.Write("\n"u8);
                break;
            case "html":
                using (var html = new StreamWriter(target, Utf8, leaveOpen: true))
                {
                    if (reports.Count == 1)
                    {
                        HtmlReportWriter.Write(html, report);
                    }
                    else
                    {
                        // One section per pack, as a fleet page has one per device.
                        HtmlReportWriter.WriteFleet(html, reports.Select(r => new FleetDevice($"{r.Pack.Id} {r.Pack.Version}", r)).ToArray());
                    }
                }

                break;
            default:
                using (var text = new StreamWriter(target, Utf8, leaveOpen: true))
                {
                    TextReportWriter.Write(text, reports, color);
                }

                break;
        }
    }

    /// <summary>One device's evidence against every pack in use, one report per pack in pack order.</summary>
    private static IReadOnlyList<AnalysisReport> Evaluate(IReadOnlyList<RulePack> packs, DeviceEvidence evidence, EvaluationOptions evaluation) =>
        // With several packs, one pass over the evidence: every line is read once and judged by each pack.
        packs.Count == 1 ? [packs[0].Evaluate(evidence, evaluation)] : RulePack.EvaluateAll(packs, evidence, evaluation);

    /// <summary>--patch ID (repeatable): the patches installed; '--patch none' says none is; without it, unknown (null).</summary>
    private static IReadOnlyList<string>? Patches(Options options)
    {
        var given = options.All("patch");
        if (given.Count == 0)
        {
            return null;
        }

        if (given.Any(p => p.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)))
        {
            return given.Count == 1 ? [] : throw new UsageException("--patch none says no patch is installed; it cannot be given with other patches");
        }

        return given.Any(p => p.Trim().Length == 0 || p.Length > 64 || p.Any(char.IsControl))
            ? throw new UsageException("--patch takes a patch id of 1 to 64 characters (MS01-033), or none")
            : given.Select(p => p.Trim()).ToArray();
    }

    /// <summary>
    /// Writes to standard output, or to <paramref name="file"/> through a temporary file renamed over it, so that
    /// a full disk or an error halfway never leaves a fragment where a good file was.
    /// </summary>
    private static void WriteOutput(Invocation invocation, string? file, Action<Stream> write)
    {
        if (file is null or "-")
        {
            invocation.Output.Flush();
            write(invocation.Stdout);
            invocation.Stdout.Flush();
            return;
        }

        try
        {
            using var atomic = AtomicFile.Create(file);
            write(atomic.Stream);
            atomic.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputException($"cannot write '{file}': {e.Message}");
        }
    }

    internal static int ListPacks(Invocation invocation, Options options)
    {
        var format = options.Format("text", "json");
        if (options.Positional.Count != 0)
        {
            throw new UsageException($"'packs' takes no argument, not '{options.Positional[0]}'");
        }

        var packs = RulePack.BuiltIn;
        var culture = options.Culture(packs);
        if (format == "json")
        {
            WriteOutput(invocation, null, target =>
            {
                using (var json = new System.Text.Json.Utf8JsonWriter(target, JsonReportWriter.Options))
                {
                    json.WriteStartObject();
                    json.WriteStartArray("packs");
                    foreach (var pack in packs)
                    {
                        json.WriteStartObject();
                        json.WriteString("id", pack.Identity.Id);
                        json.WriteString("version", pack.Identity.Version);
                        json.WriteString("title", pack.Title.Get(pack.ReportCulture(culture)));
                        json.WriteNumber("rules", pack.Rules.Count);
                        json.WriteString("sha256", pack.Identity.Sha256);
                        json.WriteBoolean("default", ReferenceEquals(pack, RulePack.Default));
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                target.Write("\n"u8);
            });
            return Clean;
        }

        static string E(string text) => TerminalText.Escape(text);
        var output = invocation.Output;
        var idWidth = Math.Max(4, packs.Max(p => p.Identity.Id.Length)) + 2;
        var versionWidth = Math.Max(9, packs.Max(p => p.Identity.Version.Length) + 2);
        output.WriteLine($"{"ID".PadRight(idWidth)}{"Version".PadRight(versionWidth)}{"Rules",-7}{"SHA-256",-66}Title");
        foreach (var pack in packs)
        {
            var id = E(pack.Identity.Id) + (ReferenceEquals(pack, RulePack.Default) ? "*" : "");
            output.WriteLine($"{id.PadRight(idWidth)}{E(pack.Identity.Version).PadRight(versionWidth)}{pack.Rules.Count,-7}{pack.Identity.Sha256,-66}{E(pack.Title.Get(pack.ReportCulture(culture)))}");
        }

        output.WriteLine();
        output.WriteLine("* the default pack, used when neither --pack nor --rules is given");
        return Clean;
    }

    internal static int ListRules(Invocation invocation, Options options)
    {
        var packs = options.Packs();
        if (packs.Count > 1)
        {
            // Each pack's list in turn (text), or a JSON array of catalogues.
            var format = options.Format("text", "json");
            if (format == "json")
            {
                WriteOutput(invocation, null, target => target.Write("["u8));
            }

            for (var i = 0; i < packs.Count; i++)
            {
                if (i > 0)
                {
                    invocation.Output.Flush();
                    WriteOutput(invocation, null, target => target.Write(format == "json" ? ","u8 : "\n"u8));
                }

                ListRules(invocation, options, packs[i], options.Culture(packs), jsonNewline: false);
            }

            WriteOutput(invocation, null, target => target.Write(format == "json" ? "]\n"u8 : ""u8));
            return Clean;
        }

        return ListRules(invocation, options, packs[0], options.Culture(packs[0]), jsonNewline: true);
    }

    private static int ListRules(Invocation invocation, Options options, RulePack pack, CultureInfo culture, bool jsonNewline)
    {
        var format = options.Format("text", "json");
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
            WriteOutput(invocation, null, target =>
            {
                JsonReportWriter.WriteCatalogue(target, pack, culture, include);
                if (jsonNewline)
                {
                    target.Write("\n"u8);
                }
            });
            return Clean;
        }

        // Pack texts are shown escaped: a title with an ESC sequence must not forge a line of the list.
        static string E(string text) => TerminalText.Escape(text);
        var output = invocation.Output;
        output.WriteLine($"{E(pack.Identity.Id)} {E(pack.Identity.Version)}  sha256 {pack.Identity.Sha256}");
        output.WriteLine();
        output.WriteLine($"{"ID",-8}{"Severity",-9}{"Category",-14}Title");
        foreach (var rule in pack.Rules.Where(include))
        {
            var enabled = rule.IsEnabledByDefault ? "" : " (disabled by default)";
            var deprecated = rule.ReplacedBy is { } by ? $" (deprecated: use {E(by)})" : "";
            output.WriteLine($"{E(rule.Id),-8}{rule.DefaultSeverity.ToName(),-9}{E(rule.Category),-14}{E(rule.Title.Get(culture))}{enabled}{deprecated}");
        }

        output.WriteLine();
        output.WriteLine($"{"Model",-11}{"Status",-14}{"Workaround",-12}Fixed in");
        foreach (var m in pack.Models.Models)
        {
            output.WriteLine($"{E(m.Name),-11}{m.Status.Name(),-14}{(m.WorkaroundApplies ? "yes" : "no"),-12}{E(m.FixText)}");
        }

        return Clean;
    }

    internal static int WriteDocs(Invocation invocation, Options options)
    {
        if (options.Positional.Count != 1)
        {
            throw new UsageException("'rules docs' takes one OUTDIR");
        }

        // Every --pack ID (built in, named by its folder in the repository), then every --rules PATH with the packs
        // nested in that folder; with neither the embedded default. One run touches only these packs' output.
        var packs = options.Packs();
        var builtIn = options.All("pack").Count;
        var docs = new List<DocsPack>();
        for (var i = 0; i < packs.Count; i++)
        {
            var path = i >= builtIn && options.All("rules") is { Count: > 0 } rules ? rules[i - builtIn] : null;
            docs.AddRange(path is not null && Directory.Exists(path)
                ? MarkdownDocsWriter.WithNested(packs[i], path, MarkdownDocsWriter.RulesPathOf(packs[i], path))
                : [new DocsPack(packs[i], null, MarkdownDocsWriter.RulesPathOf(packs[i], null))]);
        }

        int count;
        try
        {
            count = MarkdownDocsWriter.WriteTo(docs, options.Positional[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot write the pages to '{options.Positional[0]}': {e.Message}");
        }

        invocation.Output.WriteLine($"wrote {count} page(s) to {TerminalText.Escape(options.Positional[0])}");
        return Clean;
    }

    internal static int Validate(Invocation invocation, Options options)
    {
        var strict = options.Has("strict");
        if (options.Positional.Count != 1)
        {
            throw new UsageException("'rules validate' takes one PATH (a rule directory or file)");
        }

        var path = options.Positional[0];
        var pack = RulePack.LoadFrom(path);
        var warnings = PackLinter.Lint(pack, Directory.Exists(path) ? path : null);
        foreach (var warning in warnings)
        {
            invocation.Stderr.WriteLine("  " + TerminalText.Escape(warning.ToString()));
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

        var identity = pack.Identity;
        invocation.Output.WriteLine(TerminalText.Escape($"valid: {identity.Id} {identity.Version}, {pack.Rules.Count} rules, {pack.Models.Models.Count} models, {warnings.Count} warning(s){(strict ? ", release tracking and lock up to date" : "")}"));
        invocation.Output.WriteLine($"sha256: {identity.Sha256}");
        return Clean;
    }

    internal static int ExportCsaf(Invocation invocation, Options options)
    {
        var vex = options.Has("vex");
        if (options.Positional.Count != 0)
        {
            throw new UsageException($"'export csaf' takes no FILE argument (use -o FILE), not '{options.Positional[0]}'");
        }

        var pack = options.Pack();
        var kind = vex ? CsafDocumentKind.Vex : CsafDocumentKind.SecurityAdvisory;
        var file = options.Single("output") is { } o && o != "-" ? o : null;

        // The whole document first: a pack that cannot be exported leaves no file at all.
        using var buffer = new MemoryStream();
        CsafWriter.Write(buffer, pack, kind);
        buffer.Write("\n"u8);
        WriteOutput(invocation, file, target => buffer.WriteTo(target));
        if (file is not null)
        {
            invocation.Output.WriteLine($"wrote {TerminalText.Escape(file)} ({(vex ? "csaf_vex" : "csaf_security_advisory")})");
        }

        return Clean;
    }

    internal static int WriteLock(Invocation invocation, Options options)
    {
        if (options.Positional.Count != 1 || !Directory.Exists(options.Positional[0]))
        {
            throw new UsageException("'rules lock' takes one PATH, the rule directory");
        }

        var pack = RulePack.LoadFrom(options.Positional[0]);
        var lockFile = Path.Combine(options.Positional[0], ReleaseTracking.LockFile);
        try
        {
            ReleaseTracking.WriteLock(pack, options.Positional[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot write '{lockFile}': {e.Message}");
        }

        invocation.Output.WriteLine($"wrote {TerminalText.Escape(lockFile)} ({pack.Rules.Count} rules)");
        return Clean;
    }
}

/// <summary>The command line was not understood; <see cref="Command"/> names the command whose usage would help.</summary>
internal sealed class UsageException(string message, string? command = null) : Exception(message)
{
    public string? Command { get; } = command;
}

/// <summary>An input could not be read.</summary>
internal sealed class InputException(string message) : Exception(message);
