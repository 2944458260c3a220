// A customer's program: the packed CodeRed.Rules and CodeRed.Rules.DependencyInjection, used as documented.
// Usage: consumer CAPTURE RULES_DIR. Prints what it checks; exits 1 on any mismatch, 2 on bad usage.
using CodeRed.Rules;
using CodeRed.Rules.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: consumer CAPTURE RULES_DIR");
    return 2;
}

var (capture, rulesDir) = (args[0], args[1]);
var failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"consumer: {(ok ? "ok" : "FAIL")}: {what}");
    failures += ok ? 0 : 1;
}

static string Ids(AnalysisReport r) => string.Join(" ", r.Diagnostics.Select(d => $"{d.Id}:{d.Severity.ToName()}").Order(StringComparer.Ordinal));

Console.WriteLine($"consumer: CodeRed.Rules from {typeof(RulePack).Assembly.Location}");
Console.WriteLine($"consumer: CodeRed.Rules.DependencyInjection from {typeof(ICodeRedEvaluator).Assembly.Location}");

// 0. On linux-x64 the host loads the package's ReadyToRun image (runtimes/linux-x64/lib/TFM/), not the IL-only one:
//    a managed-native header in the PE is what ReadyToRun adds.
if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
{
    using var image = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(typeof(RulePack).Assembly.Location));
    var native = image.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size ?? 0;
    Check(native > 0 && typeof(RulePack).Assembly.Location.Contains("runtimes/linux-x64/lib/", StringComparison.Ordinal),
        $"CodeRed.Rules is the ReadyToRun image on linux-x64 (managed-native header {native} bytes)");
}

// 1. The three-line consumer: the embedded pack on a capture.
var pack = RulePack.Default;
var report = pack.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(capture)] });
Console.WriteLine($"consumer: embedded pack {pack.Identity}");
Check(pack.Identity.Id == "codered.alliedtelesis.ar" && pack.Rules.Count == 12, $"embedded pack id {pack.Identity.Id}, {pack.Rules.Count} rules");
Check(report.Verdict.Word == "act-now", $"verdict {report.Verdict.Word}");
Check(Ids(report) == "CR1002:warning CR2001:warning CR2002:warning CR2003:warning CR2004:error CR2005:info", $"diagnostics {Ids(report)}");
Check(report.Device.Firmware?.ToString() == "1.9.3 PL 0", $"firmware from the banner {report.Device.Firmware}");
Check(report.Remediation.FirstOrDefault()?.Command == "disable http server", $"first remediation '{report.Remediation.FirstOrDefault()?.Command}'");

// 2. A rules directory, as --rules loads it: the same content as the embedded pack, so the same hash.
var disk = RulePack.LoadFrom(rulesDir);
Check(disk.Identity == pack.Identity, $"rules directory {disk.Identity}");

// 3. The engine through dependency injection, with options and logging.
var log = new LineLoggerProvider();
var services = new ServiceCollection();
services.AddLogging(b => b.AddProvider(log));
services.AddCodeRedRules(o =>
{
    o.RulesPath = rulesDir;
    o.ReloadOnChange = true;
    o.SeverityOverrides["CR2005"] = "none";
    o.SeverityOverrides["category:LogSignature"] = "error";
    o.Language = "ja";
});
using (var provider = services.BuildServiceProvider())
{
    var evaluator = provider.GetRequiredService<ICodeRedEvaluator>();
    var di = evaluator.Evaluate(new DeviceEvidence { Model = "AR320", Sources = [EvidenceSource.FromFile(capture)] });
    Check(di.Pack == disk.Identity, $"DI pack {di.Pack}");
    Check(Ids(di) == "CR1002:warning CR2001:error CR2002:error CR2003:error CR2004:error", $"DI diagnostics with overrides {Ids(di)}");
    Check(di.Diagnostics.Single(d => d.Id == "CR2001").Message.StartsWith("HTTP サーバ", StringComparison.Ordinal), "DI messages in Japanese");
    Check(provider.GetRequiredService<IRulePackProvider>().TryReload(), "TryReload of an unchanged directory");
    Check(log.Lines.Any(l => l.Contains("loaded from", StringComparison.Ordinal) && l.Contains(disk.Identity.Sha256, StringComparison.Ordinal)),
        "the pack load was logged with its sha256");
}

Console.WriteLine(failures == 0 ? "consumer: all checks passed" : $"consumer: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

/// <summary>Keeps each log line, and echoes it.</summary>
internal sealed class LineLoggerProvider : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LineLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {eventId.Name}: {formatter(state, exception)}";
            Console.WriteLine("consumer: log: " + line);
            lock (owner._lines)
            {
                owner._lines.Add(line);
            }
        }
    }
}
