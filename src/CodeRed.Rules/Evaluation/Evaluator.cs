using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using CodeRed.Rules.Loading;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;
using CodeRed.Rules.Products;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// Runs a compiled pack over one device's evidence. One instance per evaluation; the pack itself is never
/// changed, so many evaluators can share it.
/// </summary>
internal sealed partial class Evaluator
{
    private const int MaxLineTextChars = 500;

    /// <summary>The tag of rules whose hits are restarts of the device (for <c>recurs: after-restart</c>).</summary>
    internal const string RestartTag = "restart";

    /// <summary>Hit times kept per finding, for the timeline: the first this many hits' (a report stays small for any log).</summary>
    internal const int MaxTimestamps = 1000;

    /// <summary>Like Roslyn's AD0001: a rule that throws becomes one diagnostic and the evaluation goes on.</summary>
    internal static readonly RuleDescriptor RuleFailure = new()
    {
        Id = "CR0001",
        Title = LocalizedText.Of("A rule failed and was skipped"),
        MessageFormat = LocalizedText.Of("Rule {rule} failed and was skipped for the rest of this source: {error}"),
        Description = LocalizedText.Of("The engine reports a rule that throws instead of failing the whole evaluation."),
        Category = "Engine",
        DefaultSeverity = DiagnosticSeverity.Warning,
        IsEnabledByDefault = true,
        HelpUri = "docs/rules/CR0001.md",
        Kind = RuleKind.Line,
        Status = RuleStatus.Stable,
        Version = 1,
        IntroducedIn = "1.0.0",
        Models = [],
        Caveats = [],
        References = [],
        Parameters = new Dictionary<string, int>(),
        Suppresses = [],
        SourceFile = "(engine)",
    };

    private readonly RulePack _pack;
    private readonly EvaluationOptions _options;
    private readonly CultureInfo _culture;
    private readonly DiagnosticSeverity?[] _severity;
    private readonly Dictionary<string, (string Value, string Where)> _facts = new(StringComparer.Ordinal);

    /// <summary>
    /// Every value facts that provide a patch read, in the order first read (a fact keeps one value; a tool's output
    /// lists many patches, one per line). At most <see cref="MaxPatchesRead"/>.
    /// </summary>
    private readonly List<string> _patchesRead = [];

    internal const int MaxPatchesRead = 256;

    /// <summary>
    /// Per remediation step, the last command typed at the device that did or undid it, and the last that did it: all
    /// its status needs, so a capture that repeats a command a million times holds two of them.
    /// </summary>
    private readonly Dictionary<RemediationSpec, (StepEvent Last, StepEvent? LastDone)> _stepEvents = new(ReferenceEqualityComparer.Instance);

    private readonly string? _modelInput;
    private readonly ModelEntry? _model;
    private readonly FirmwareVersion? _givenFirmware;
    private readonly IReadOnlyList<string>? _givenPatches;
    private readonly CompiledRule[] _active;

    /// <summary>The runners of the rules judged on the device (not on lines), in pack order.</summary>
    private readonly RuleRunner[] _deviceRunners;

    /// <summary>Per rule: tagged <c>restart</c>, so a recurring rule's next hit counts as "again after a restart".</summary>
    private readonly bool[] _isRestart;

    // What the sources already read left: their diagnostics (reported or not, for captured values) and line counts.
    private readonly List<(Diagnostic Diagnostic, bool Reported)> _finished = [];
    private readonly List<KeyValuePair<string, long>> _sources = [];
    private SourceScan? _current;

    /// <summary>Rules whose first reportable hit came with the last line, for the session's events.</summary>
    private readonly List<(int Rule, bool Update)> _newFindings = [];

    /// <summary>Findings raised while a source ended (its records closing), built before the source's state went.</summary>
    private readonly List<(SessionEventKind Kind, Diagnostic Diagnostic)> _endedFindings = [];
    private bool _factsChanged;

    /// <summary>The pack's rules over one device's evidence; throws <see cref="FormatException"/> for a bad firmware.</summary>
    public Evaluator(RulePack pack, EvaluationOptions options, string? model, string? firmware, IReadOnlyList<string>? patches = null)
    {
        _givenPatches = patches?.Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _pack = pack;
        _options = options;
        _culture = pack.ReportCulture(options.Culture);
        _severity = pack.CompiledRules.Select(r => options.Severity.Resolve(r.Descriptor)).ToArray();
        _isRestart = pack.CompiledRules.Select(r => r.Descriptor.Tags.Contains(RestartTag)).ToArray();
        _modelInput = model;
        _model = _pack.Models.Find(model);
        if (firmware is not null && !pack.Product.VersionScheme.TryParse(firmware, out _givenFirmware, out var error))
        {
            throw new FormatException(error);
        }

        // Signature rules run unless the model is known and the rule does not apply to it. Severity never decides
        // which rules run: a rule turned off still suppresses others and still captures values for remediation
        // texts, as Roslyn's `none` hides a diagnostic without changing what other analyzers see. It only decides,
        // at the end, which findings are reported.
        _active = _pack.CompiledRules
            .Where(r => r.Device is null)
            .Where(r => _model is null || r.ModelKeys is null || r.ModelKeys.Contains(_model.Key))
            .ToArray();
        Prefilter = Prefilter.For(_pack, _active);
        _deviceRunners = _pack.CompiledRules.Where(r => r.Device is not null).Select(r => DeviceRunner.For(r, this)).ToArray();
    }

    public RulePack Pack => _pack;

    /// <summary>The literals one of which every line that can matter holds, or null when every line must be scanned.</summary>
    public Prefilter? Prefilter { get; }

    /// <summary>While a record or section is open (or context lines are kept), every line must reach the rules.</summary>
    public bool NeedsEveryLine => _current?.NeedsEveryLine ?? false;

    public bool InSource => _current is not null;

    public void BeginSource(string name)
    {
        _current = new SourceScan(this, name, _active, new DeviceSummary(_modelInput, _model, _givenFirmware, _givenFirmware is null ? null : ReportPhrases.GivenFirmwareSource));
    }

    /// <summary>One line, or one segment of an overlong line starting <paramref name="offset"/> characters into it.</summary>
    public void Line(string line, long number, long offset) => _current!.Scan(line, number, offset);

    /// <summary>Ends the source: open records and sections close, its findings join the report.</summary>
    public void EndSource(long lines)
    {
        var scan = _current!;
        scan.CloseAll();
        BuildNew(scan, _endedFindings);
        _current = null;
        _sources.Add(new(scan.Name, lines));
        _finished.AddRange(scan.Finish());
    }

    /// <summary>True when a finding fired or a fact changed since the last <see cref="TakeChanges"/>.</summary>
    public bool HasChanges => _newFindings.Count > 0 || _factsChanged || _endedFindings.Count > 0;

    /// <summary>Takes the rules whose first reportable hit came since the last call; true when something may have changed the verdict.</summary>
    public bool TakeChanges(List<(SessionEventKind Kind, Diagnostic Diagnostic)> findings)
    {
        var changed = _factsChanged || _newFindings.Count > 0 || _endedFindings.Count > 0;
        findings.AddRange(_endedFindings);
        _endedFindings.Clear();
        if (_current is { } scan)
        {
            BuildNew(scan, findings);
        }

        _newFindings.Clear();
        _factsChanged = false;
        return changed;
    }

    private void BuildNew(SourceScan scan, List<(SessionEventKind Kind, Diagnostic Diagnostic)> into)
    {
        foreach (var (index, update) in _newFindings)
        {
            into.Add((update ? SessionEventKind.FindingUpdated : SessionEventKind.Finding, scan.Build(_pack.CompiledRules[index])));
        }

        _newFindings.Clear();
    }

    /// <summary>
    /// The report of what was read so far. While a source is open, its findings so far are in it; records and sections
    /// still open and a line without its end are not (they count once they end, as <paramref name="currentLines"/> says).
    /// </summary>
    public AnalysisReport Report(long currentLines)
    {
        var all = new List<(Diagnostic Diagnostic, bool Reported)>(_finished);
        var sources = new List<KeyValuePair<string, long>>(_sources);
        if (_current is { } scan)
        {
            all.AddRange(scan.Finish());
            sources.Add(new(scan.Name, currentLines));
        }

        var sourceDiagnostics = new List<Diagnostic>();
        var captured = new Dictionary<string, CapturedValues>(StringComparer.Ordinal);
        foreach (var (diagnostic, reported) in all)
        {
            if (reported)
            {
                sourceDiagnostics.Add(diagnostic);
            }

            foreach (var (name, values) in diagnostic.Properties)
            {
                var key = diagnostic.Id + "." + name;
                if (!captured.TryGetValue(key, out var values2))
                {
                    captured[key] = values2 = new CapturedValues();
                }

                values2.Add(values, diagnostic.TruncatedNames.Contains(name), _options.MaxDistinctValues);
            }
        }

        var device = CurrentDevice();
        var diagnostics = new List<Diagnostic>(EvaluateDevice(device));
        if (_model is null && device.Model is { } readModel)
        {
            // A model read from the evidence came after the lines were judged by every rule: the findings of rules
            // that do not apply to it go, as they would not have run had the model been given.
            sourceDiagnostics.RemoveAll(d => _pack.CompiledRules.FirstOrDefault(c => c.Descriptor == d.Descriptor) is { ModelKeys: { } keys } && !keys.Contains(readModel.Key));
        }

        diagnostics.AddRange(sourceDiagnostics);
        var remediation = MakeRemediation(device, diagnostics, captured, out var workaroundDone);
        var verdict = MakeVerdict(diagnostics);
        if (workaroundDone && _pack.DoneNote is { } note)
        {
            verdict = verdict with { Note = note.Get(_culture) };
        }

        return new AnalysisReport
        {
            Pack = _pack.Identity,
            Culture = _culture,
            Phrases = _pack.Phrases,
            EvaluatedPack = _pack,
            Device = device,
            Diagnostics = diagnostics,
            Verdict = verdict,
            Remediation = remediation,
            SourcesRead = [.. sources.Select(s => new SourceRead(s.Key, s.Value))],
            Facts = _facts.ToDictionary(f => f.Key, f => f.Value.Value, StringComparer.Ordinal),
        };
    }

    private DeviceSummary CurrentDevice()
    {
        var firmware = _givenFirmware;
        string? firmwareSource = _givenFirmware is null ? null : ReportPhrases.GivenFirmwareSource;
        // The version from the fact that provides it (a schema-1 fact named 'firmware' does), in the pack's scheme.
        if (firmware is null && _pack.Facts.FirstOrDefault(f => f.Provides == "version") is { } versionFact
            && _facts.TryGetValue(versionFact.Name, out var fact) && _pack.Product.VersionScheme.TryParse(fact.Value, out var found, out _))
        {
            firmware = found;
            firmwareSource = fact.Where;
        }

        // Patches: as given, else what facts that provide a patch read (none read: unknown).
        var patches = _givenPatches;
        if (patches is null)
        {
            patches = _patchesRead.Count > 0 ? [.. _patchesRead] : null;
        }

        // The model: as given, else the first fact (in pack order) that provides one and was read.
        var (modelInput, model, modelSource) = (_modelInput, _model, (string?)null);
        if (_modelInput is null && _pack.Facts.Where(f => f.Provides == "model" && _facts.ContainsKey(f.Name)).Select(f => ((string Value, string Where)?)_facts[f.Name]).FirstOrDefault() is { } modelFact)
        {
            (modelInput, model, modelSource) = (modelFact.Value.Trim(), _pack.Models.Find(modelFact.Value.Trim()), modelFact.Where);
        }

        return new DeviceSummary(modelInput, model, firmware, firmwareSource) { Patches = patches, ModelSource = modelSource };
    }

    /// <summary>The device rules' findings, each isolated as the source rules are: a rule that throws becomes one CR0001.</summary>
    private IEnumerable<Diagnostic> EvaluateDevice(DeviceSummary device)
    {
        foreach (var runner in _deviceRunners)
        {
            Diagnostic? diagnostic;
            try
            {
                diagnostic = runner.Judge(device);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostic = Failure(runner.Rule.Descriptor, $"{e.GetType().Name} judging the device: {e.Message}", null);
            }

            if (diagnostic is not null)
            {
                yield return diagnostic;
            }
        }
    }

    /// <summary>The CR0001 finding of a rule that threw.</summary>
    private Diagnostic Failure(RuleDescriptor rule, string error, string? source) => new()
    {
        Descriptor = RuleFailure,
        PackId = _pack.Identity.Id,
        Severity = DiagnosticSeverity.Warning,
        Message = _pack.Phrases.Get("ruleFailed", _culture, ("rule", rule.Id), ("error", error)),
        Source = source,
        Count = 1,
        Properties = new Dictionary<string, IReadOnlyList<string>> { ["rule"] = [rule.Id] },
        Caveats = [],
    };

    /// <summary>Values every message and remediation text can use, besides captures and parameters.</summary>
    private string? DeviceValue(string name, DeviceSummary? device, int count, string? source, long? line, CultureInfo? culture = null) => name switch
    {
        "model" => device?.Model?.Name ?? device?.ModelInput ?? NotGivenIn(culture ?? _culture),
        "firmware" or "version" => device?.Firmware?.ToString() ?? NotGivenIn(culture ?? _culture),
        "patch" => device?.Model?.FixPatch,
        "patches" => device?.Patches is { } patches ? (patches.Count == 0 ? _pack.Phrases.Get("noPatches", culture ?? _culture) : string.Join(", ", patches)) : NotGivenIn(culture ?? _culture),
        "firmwareSource" => _pack.Phrases.FirmwareSource(device?.FirmwareSource, culture ?? _culture),
        "fixedIn" => device?.Model?.FixedIn?.ToString() ?? device?.Model?.FixPatch,
        "status" => device?.Model is { } m ? m.Status.Name() : null,
        "note" => device?.Model?.Note.Get(culture ?? _culture),
        "count" => count.ToString(CultureInfo.InvariantCulture),
        "source" => source,
        "line" => line?.ToString(CultureInfo.InvariantCulture),
        _ => _facts.TryGetValue(name, out var fact) ? fact.Value : null,
    };

    private string NotGiven => NotGivenIn(_culture);

    private void AddPatchRead(FactSpec fact, string value)
    {
        var patch = value.Trim();
        if (fact.Provides == "patch" && patch.Length > 0 && _patchesRead.Count < MaxPatchesRead && !_patchesRead.Contains(patch, StringComparer.OrdinalIgnoreCase))
        {
            _patchesRead.Add(patch);
            _factsChanged = true;
        }
    }

    private string NotGivenIn(CultureInfo culture) => _pack.Phrases.Get("notGiven", culture);

    /// <summary>
    /// The message rendered in every language the rule's message has, for <see cref="Diagnostic.GetMessage"/>: made
    /// when the diagnostic is, so later hits do not change what it says.
    /// </summary>
    private static IReadOnlyDictionary<string, string> InEveryLanguage(RuleDescriptor rule, Func<CultureInfo, string> render) =>
        rule.MessageFormat.Languages.ToDictionary(l => l, l => render(CultureInfo.GetCultureInfo(l)), StringComparer.Ordinal);

    /// <summary>Fills <c>{name}</c> placeholders; <c>{{</c> and <c>}}</c> stand for braces. Unknown values render as a dash.</summary>
    internal static string Render(RuleDescriptor? rule, string template, Func<string, string?> lookup) =>
        Definitions.MessageTemplate.Render(template, lookup, rule?.Parameters);

    private Verdict MakeVerdict(List<Diagnostic> diagnostics)
    {
        var shown = diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
        DiagnosticSeverity? max = shown.Count == 0 ? null : shown.Max(d => d.Severity);
        var level = max?.ToName() ?? "none";
        if (!_pack.Verdicts.TryGetValue(level, out var spec))
        {
            return new Verdict(level, "", max);
        }

        var top = shown.Where(d => d.Severity == max).ToList();
        var text = Render(null, spec.Text.Get(_culture), name => name switch
        {
            "count" => top.Count.ToString(CultureInfo.InvariantCulture),
            "top" => top.FirstOrDefault()?.Descriptor.Title.Get(_culture),
            "ids" => string.Join(", ", top.Select(d => d.Id).Distinct()),
            _ => null,
        });
        return new Verdict(spec.Word, text, max);
    }

    /// <summary>
    /// The steps to show, each with what the evidence shows of it; <paramref name="allDone"/> is true when at least one
    /// shown step can be seen done (it has <c>doneBy</c>) and every such step is done.
    /// </summary>
    private List<RemediationStep> MakeRemediation(DeviceSummary device, List<Diagnostic> diagnostics, Dictionary<string, CapturedValues> captured, out bool allDone)
    {
        var trackable = 0;
        var done = 0;
        // Engine findings (CR0001) say a rule failed, not that the router needs fixing.
        var shown = diagnostics.Where(d => d.Severity > DiagnosticSeverity.Hidden && d.Descriptor != RuleFailure).ToList();
        var steps = new List<RemediationStep>();
        var workaroundModels = _pack.Models.Models.Where(m => m.WorkaroundApplies).Select(m => m.Name).ToArray();
        foreach (var spec in _pack.Remediation)
        {
            var triggering = shown
                .Where(d => spec.Rules.Contains(d.Id) || spec.MinSeverity is { } min && d.Severity >= min)
                .Select(d => d.Id)
                .Distinct()
                .ToArray();
            if (triggering.Length == 0)
            {
                continue;
            }

            IReadOnlyList<string> appliesTo = [];
            if (spec.RequiresWorkaroundModel)
            {
                if (device.Model is { WorkaroundApplies: false })
                {
                    continue;
                }

                if (device.Model is null)
                {
                    appliesTo = workaroundModels;
                }
            }

            var missing = false;
            string? Lookup(string name)
            {
                if (captured.TryGetValue(name, out var values))
                {
                    return values.Join(_pack.Phrases, _culture);
                }

                return DeviceValue(name, device, triggering.Length, null, null);
            }

            string? command = null;
            var refused = new List<string>();
            if (spec.Command is not null)
            {
                // A fact's value goes into a command only when it fits the fact's declared shape.
                command = Render(null, spec.Command, name => Lookup(name) is { } value && Fits(name, value) ? value : Flag($"<{name}>"));
            }

            bool Fits(string name, string value)
            {
                if (PackLoader.BuiltInPlaceholders.Contains(name) || !_facts.TryGetValue(name, out var read)
                    || _pack.Facts.FirstOrDefault(f => f.Name == name) is not { } fact || FactShapes.Fits(fact, value))
                {
                    return true;
                }

                refused.Add(FactShapes.Reason(fact, value, read.Where, _culture));
                return false;
            }

            string? Flag(string placeholder)
            {
                missing = true;
                return placeholder;
            }

            var unresolved = false;
            var detail = spec.Detail is null ? null : Render(null, spec.Detail.Get(_culture), name => Lookup(name) ?? Unresolved());
            string? Unresolved()
            {
                unresolved = true;
                return null;
            }

            var (status, statusEvent, reason) = StepStatus(spec);
            if (spec.DoneBy.Count > 0)
            {
                trackable++;
                done += status == RemediationStepStatus.Done ? 1 : 0;
            }

            steps.Add(new RemediationStep
            {
                Status = status,
                StatusSource = statusEvent?.Source,
                StatusLine = statusEvent?.Line,
                StatusReason = reason,
                Order = steps.Count + 1,
                Id = spec.Id,
                Command = command,
                Text = Render(null, spec.Text.Get(_culture), Lookup),
                Detail = unresolved ? null : detail,
                Hint = missing ? string.Join(" ", refused.Append(spec.HintIfMissing?.Get(_culture)).OfType<string>()) is { Length: > 0 } hint ? hint : null : null,
                Rules = triggering,
                AppliesTo = appliesTo,
            });
        }

        allDone = trackable > 0 && done == trackable;
        return steps;
    }

    /// <summary>The last command that did or undid the step decides: done, undone (done before, then undone), or open.</summary>
    private (RemediationStepStatus Status, StepEvent? Event, string? Reason) StepStatus(RemediationSpec spec)
    {
        if (!_stepEvents.TryGetValue(spec, out var seen))
        {
            return (RemediationStepStatus.Open, null, null);
        }

        var (last, lastDone) = seen;
        if (last.Undo && lastDone is null)
        {
            return (RemediationStepStatus.Open, null, null);
        }

        if (!last.Undo)
        {
            return (RemediationStepStatus.Done, last, _pack.Phrases.Get("stepDone", _culture, ("command", last.Command), ("where", last.Where)));
        }

        return (RemediationStepStatus.Undone, last, _pack.Phrases.Get("stepUndone", _culture,
            ("command", last.Command), ("where", last.Where), ("done", lastDone!.Command), ("doneWhere", lastDone.Where)));
    }

    /// <summary>Keeps a command that did or undid a step; the later one wins.</summary>
    private void Record(StepEvent e) =>
        _stepEvents[e.Step] = (e, e.Undo ? (_stepEvents.TryGetValue(e.Step, out var before) ? before.LastDone : null) : e);

    /// <summary>The steps a command typed at the device does or undoes; a placeholder's word must fit its fact's shape.</summary>
    private IEnumerable<(RemediationSpec Step, bool Undo)> StepsTypedBy(string command)
    {
        foreach (var spec in _pack.Remediation)
        {
            if (spec.DoneBy.Any(f => Typed(f, command)))
            {
                yield return (spec, false);
            }
            else if (spec.UndoneBy.Any(f => Typed(f, command)))
            {
                yield return (spec, true);
            }
        }
    }

    private static bool Typed(CommandForm form, string command)
    {
        if (!form.MayMatch(command))
        {
            return false;
        }

        var match = form.Regex.Match(command);
        if (!match.Success)
        {
            return false;
        }

        for (var i = 0; i < form.Placeholders.Count; i++)
        {
            if (!FactShapes.Fits(form.Placeholders[i], match.Groups["v" + i.ToString(CultureInfo.InvariantCulture)].Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A command typed at the device that does (or undoes) a step, where it was typed, as typed (cut to 80 characters).</summary>
    private sealed record StepEvent(RemediationSpec Step, bool Undo, string Source, long Line, string Command)
    {
        public string Where => $"{Source}:{Line.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// One capture's values over all sources, for remediation texts: bounded as each diagnostic's are (the first
    /// <see cref="EvaluationOptions.MaxDistinctValues"/> distinct values), with how many others were seen.
    /// </summary>
    private sealed class CapturedValues
    {
        private readonly List<string> _kept = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private int _others;
        private bool _notKept;

        public void Add(IReadOnlyList<string> values, bool truncated, int max)
        {
            _notKept |= truncated;
            foreach (var value in values)
            {
                // Each diagnostic holds at most max values per name, so the set is bounded by what the report holds.
                if (_seen.Add(value))
                {
                    if (_kept.Count < max)
                    {
                        _kept.Add(value);
                    }
                    else
                    {
                        _others++;
                    }
                }
            }
        }

        public string Join(ReportPhrases phrases, CultureInfo culture)
        {
            var text = string.Join(", ", _kept);
            var more = ("more", _others.ToString(CultureInfo.InvariantCulture));
            return (_others, _notKept) switch
            {
                ( > 0, false) => text + " " + phrases.Get("detailMore", culture, more),
                ( > 0, true) => text + " " + phrases.Get("detailMoreNotKept", culture, more),
                (_, true) => text + " " + phrases.Get("detailNotKept", culture),
                _ => text,
            };
        }
    }

    /// <summary>
    /// Per-source scanning state, and the driver of the rules: it hands each rule's runner the lines the prefilter lets
    /// through, counts the hits runners report into findings, and isolates a runner that throws (one CR0001, the rule
    /// skipped for the rest of the source). What a kind does is in its runner (<c>Kinds/</c>), never here.
    /// </summary>
    private sealed partial class SourceScan(Evaluator owner, string name, CompiledRule[] rules, DeviceSummary device)
    {
        private readonly Aggregate?[] _aggregates = new Aggregate?[owner._pack.CompiledRules.Count];
        private readonly Dictionary<int, string> _failures = [];

        // Per active rule (in 'rules' order) its runner, and per pack rule (by index) the same runner or null: made at
        // the first use, as they need this scan.
        private RuleRunner[]? _runners;
        private RuleRunner?[]? _runnerOf;

        // Per column set of the pack: the last header this source gave (null before any), which names the columns.
        private readonly ColumnHeader?[] _headers = new ColumnHeader?[owner._pack.ColumnSets.Length];
        private readonly RuleCandidates.Scan? _ruleCandidates = RuleCandidates.For(owner._pack, rules)?.Start(); // many rules: only those a line may match
        private List<StepEvent>? _unconfirmed;
        private int _openSpans; // sections (or other spans of a kind) open: every line must reach the rules
        private int _restarts; // hits of rules tagged 'restart' so far in this source
        private RecordSpans? _records;
        private long _offset;

        // Evidence in context (EvaluationOptions.ContextLines): the last lines seen, and the contexts still waiting
        // for their lines after the hit. Both are bounded: ContextLines lines, and one context per rule and line.
        private readonly int _contextLines = owner._options.ContextLines;
        private readonly Queue<string> _recent = new();
        private readonly List<EvidenceContext> _awaitingAfter = [];

        private RuleRunner[] Runners => _runners ?? MakeRunners();

        private RuleRunner?[] RunnerOf
        {
            get
            {
                if (_runnerOf is null)
                {
                    MakeRunners();
                }

                return _runnerOf!;
            }
        }

        private RuleRunner[] MakeRunners()
        {
            _runnerOf = new RuleRunner?[owner._pack.CompiledRules.Count];
            var runners = new RuleRunner[rules.Length];
            for (var i = 0; i < rules.Length; i++)
            {
                runners[i] = _runnerOf[rules[i].Index] = RuleRunner.For(rules[i], this);
            }

            return _runners = runners;
        }

        /// <summary>A match's 1-based column in its whole line, also in a later segment of an overlong line.</summary>
        public long Column(int columnInSegment) => _offset + columnInSegment;

        public string Name => name;

        /// <summary>Where the segment being scanned starts in its line (0 for a whole line or a first segment).</summary>
        public long Offset => _offset;

        /// <summary>Hits of rules tagged <c>restart</c> so far in this source.</summary>
        public int Restarts => _restarts;

        public int MaxDistinctValues => owner._options.MaxDistinctValues;

        /// <summary>The records open in this source, for the record rules.</summary>
        public RecordSpans Records => _records ??= new RecordSpans(this, owner._pack.Records);

        /// <summary>The last header of a column set this source gave, or null before any.</summary>
        public ColumnHeader? Header(int set) => _headers[set];

        /// <summary>A runner holds a span open (a section): every line must reach the rules until it closes.</summary>
        public void SpanOpened() => _openSpans++;

        public void SpanClosed() => _openSpans--;

        /// <summary>Chars or bytes held at once; lines longer than this are scanned in overlapping segments.</summary>
        internal const int BufferSize = SourceFeed.BufferSize;

        public void CloseAll()
        {
            Records.CloseAll();
            foreach (var runner in Runners)
            {
                if (runner.Failed)
                {
                    continue;
                }

                try
                {
                    runner.EndSource();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Fail(runner.Rule, e, null);
                }
            }
        }

        /// <summary>
        /// The one isolation of every kind: the rule's runner threw, so it becomes one CR0001 (the first error is kept)
        /// and sees nothing more of this source.
        /// </summary>
        public void Fail(CompiledRule rule, Exception e, long? number)
        {
            if (RunnerOf[rule.Index] is { } runner)
            {
                runner.Failed = true;
            }

            var at = number is { } n ? $"{name}:{n.ToString(CultureInfo.InvariantCulture)}" : $"the end of {name}";
            _failures.TryAdd(rule.Index, $"{e.GetType().Name} at {at}: {e.Message}");
        }

        /// <summary>Every line must reach the rules while a record or section is open, or when no prefilter exists.</summary>
        public bool NeedsEveryLine => Records.AnyOpen || _openSpans > 0 || _contextLines > 0;

        private static string Cut(string line) => line.Length > MaxLineTextChars ? line[..MaxLineTextChars] + "…" : line;

        /// <summary>The context of a rule's hit, while the rule has no finding yet (only a first hit's is kept).</summary>
        public EvidenceContext? ContextFor(CompiledRule rule, long number, string line, int column, int length)
        {

            if (_contextLines == 0 || _aggregates[rule.Index] is not null)
            {
                return null;
            }

            var lines = new List<string>(_recent) { Cut(line) };
            var start = column - 1;
            var context = new EvidenceContext
            {
                FirstLine = number - _recent.Count,
                Lines = lines,
                HitIndex = lines.Count - 1,
                MatchStart = start,
                MatchLength = start >= 0 && start + length <= MaxLineTextChars ? length : 0,
                AfterWanted = _contextLines,
            };
            _awaitingAfter.Add(context);
            return context;
        }

        /// <summary>Before the rules see a new line: it is an after-line of the contexts waiting, then a recent line.</summary>
        private void RememberLine(string line, long number)
        {
            for (var i = _awaitingAfter.Count - 1; i >= 0; i--)
            {
                var context = _awaitingAfter[i];
                if (context.FirstLine + context.HitIndex < number)
                {
                    context.Lines.Add(Cut(line));
                    if (--context.AfterWanted == 0)
                    {
                        _awaitingAfter.RemoveAt(i);
                    }
                }
            }
        }

        private void AfterLine(string line)
        {
            _recent.Enqueue(Cut(line));
            if (_recent.Count > _contextLines)
            {
                _recent.Dequeue();
            }
        }

        /// <summary>Scans one line, or one segment of an overlong line starting <paramref name="offset"/> characters into it.</summary>
        public void Scan(string line, long number, long offset)
        {
            _offset = offset;
            var firstSegment = offset == 0 && _contextLines > 0;
            if (firstSegment)
            {
                RememberLine(line, number);
            }

            try
            {
                if (owner._pack.CommandEcho is { } echo && offset == 0)
                {
                    Echo(echo, line, number);
                }

                ScanRules(line, number);
            }
            finally
            {
                if (firstSegment)
                {
                    AfterLine(line);
                }
            }
        }

        private void ScanRules(string line, long number)
        {
            if (_offset == 0)
            {
                foreach (var set in owner._pack.ColumnSets)
                {
                    if (set.ReadHeader(line, number) is { } header)
                    {
                        _headers[set.Index] = header;
                    }
                }
            }

            foreach (var fact in owner._pack.Facts)
            {
                if (fact.Pattern.TryMatch(line, out _, out var m) && m is not null && (fact.TakeLast || !owner._facts.ContainsKey(fact.Name)))
                {
                    var value = m.Groups["value"].Value;
                    owner._factsChanged |= !owner._facts.TryGetValue(fact.Name, out var before) || before.Value != value;
                    owner._facts[fact.Name] = (value, $"{name}:{number}");
                    owner.AddPatchRead(fact, value);
                }
            }

            Records.Line(line, number);

            // Only the rules the line may match (the candidates), each through its runner: no kind is known here.
            var only = _ruleCandidates?.Of(line);
            var runners = Runners;
            for (int k = 0, n = only?.Count ?? runners.Length; k < n; k++)
            {
                var runner = runners[only?[k] ?? k];
                if (runner.Failed)
                {
                    continue;
                }

                try
                {
                    runner.Line(line, number);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Fail(runner.Rule, e, number);
                }
            }
        }

        /// <summary>
        /// A command echoed after the device's prompt that does or undoes a remediation step counts at once, or, when the
        /// pack names a confirmation, once that line follows within its bound and before the next prompt.
        /// </summary>
        private void Echo(CommandEchoSpec echo, string line, long number)
        {
            if (_unconfirmed is { } waiting && number - waiting[0].Line > echo.ConfirmationWithin)
            {
                _unconfirmed = null;
            }

            if (AfterPrompt(echo, line) is { } command)
            {
                _unconfirmed = null;
                var shown = command.Length > 80 ? command[..80] + "…" : command;
                foreach (var (step, undo) in owner.StepsTypedBy(command))
                {
                    var e = new StepEvent(step, undo, name, number, shown);
                    if (echo.Confirmation is null || !step.NeedsConfirmation)
                    {
                        owner.Record(e);
                    }
                    else
                    {
                        (_unconfirmed ??= []).Add(e);
                    }
                }

                return;
            }

            if (_unconfirmed is { } confirmedNow && echo.Confirmation!.TryFind(line, out _, out _))
            {
                foreach (var e in confirmedNow)
                {
                    owner.Record(e);
                }

                _unconfirmed = null;
            }
        }

        /// <summary>The command after a prompt at the line (trimmed; empty after a bare prompt), or null when no prompt is there.</summary>
        private static string? AfterPrompt(CommandEchoSpec echo, string line)
        {
            if (line.Length > 2 * PackLoader.MaxCommandChars)
            {
                return null;
            }

            foreach (var prompt in echo.Prompts)
            {
                if (prompt.TryFind(line, out var column, out var length))
                {
                    var end = column - 1 + length;
                    return line[end..].Trim();
                }
            }

            return null;
        }
        /// <summary>A runner's hit: into the rule's finding in this source (one per rule and line); its kind says what it announces.</summary>
        public void Count(CompiledRule rule, Hit hit, CaptureSet? values, params (string Name, string Value)[] extra)
        {
            var runner = RunnerOf[rule.Index]!;
            var first = false;
            if (_aggregates[rule.Index] is not { } aggregate)
            {
                _aggregates[rule.Index] = aggregate = new Aggregate(hit);
                first = true;
            }

            if (aggregate.LastLine == hit.Line)
            {
                // One hit per rule per line, also when an overlong line is scanned in segments: a later segment's
                // match (or the same match seen again in the overlap) adds neither a count nor captured values.
                return;
            }

            aggregate.Count++;
            aggregate.LastLine = hit.Line;
            LogTimestamp? time = null;
            if ((aggregate.Timestamps.Count < MaxTimestamps || runner.WatchesHits) && owner._pack.Timestamps.Length > 0)
            {
                time = TimestampSpec.Read(owner._pack.Timestamps, hit.Text);
                if (time is { } t && aggregate.Timestamps.Count < MaxTimestamps)
                {
                    aggregate.Timestamps.Add(t);
                }
            }

            var change = runner.WatchesHits ? runner.Counted(hit, time, first) : first ? FindingChange.New : FindingChange.None;
            if (change != FindingChange.None && owner._severity[rule.Index] is not null)
            {
                owner._newFindings.Add((rule.Index, change == FindingChange.Updated));
            }

            if (owner._isRestart[rule.Index])
            {
                _restarts++;
            }

            var max = owner._options.MaxDistinctValues;
            aggregate.Values.Add(hit.Match, max);
            if (values is not null)
            {
                aggregate.Values.AddAll(values, max);
            }

            foreach (var (key, value) in extra)
            {
                aggregate.Values.Add(key, value, max);
            }
        }

        /// <summary>Each rule's finding; <c>Reported</c> is false for a rule turned off, whose captures still count.</summary>
        public IEnumerable<(Diagnostic Diagnostic, bool Reported)> Finish()
        {
            foreach (var rule in rules)
            {
                if (_aggregates[rule.Index] is not { } aggregate || !RunnerOf[rule.Index]!.Reportable)
                {
                    continue; // no hit, or a kind with no finding yet (a counted rule below its threshold)
                }

                yield return (Build(rule, aggregate), owner._severity[rule.Index] is not null);
            }

            foreach (var (index, error) in _failures)
            {
                yield return (owner.Failure(owner._pack.CompiledRules[index].Descriptor, error, name), true);
            }
        }

        /// <summary>The rule's finding in this source so far (the rule has a hit).</summary>
        public Diagnostic Build(CompiledRule rule) => Build(rule, _aggregates[rule.Index]!);

        private Diagnostic Build(CompiledRule rule, Aggregate aggregate)
        {
            var severity = owner._severity[rule.Index];
            var properties = aggregate.Values.ToDictionary();
            var runner = RunnerOf[rule.Index]!;
            var keys = runner.ReachedKeys();
            var text = aggregate.First.Text.Length > MaxLineTextChars ? aggregate.First.Text[..MaxLineTextChars] + "…" : aggregate.First.Text;
            string MessageIn(CultureInfo culture) => Render(rule.Descriptor, rule.Descriptor.MessageFormat.Get(culture), key =>
                properties.TryGetValue(key, out var values)
                    ? JoinForMessage(values, aggregate.Values.IsTruncated(key), culture)
                    : runner.Value(key, keys) ?? (rule.Captures(key) ? null : owner.DeviceValue(key, device, aggregate.Count, name, aggregate.First.Line, culture)));
            return new Diagnostic
            {
                Descriptor = rule.Descriptor,
                Severity = severity ?? DiagnosticSeverity.Hidden,
                Message = MessageIn(owner._culture),
                MessagesByLanguage = InEveryLanguage(rule.Descriptor, MessageIn),
                Keys = rule.Counting?.By is null ? [] : keys,
                KeysTruncated = runner.KeysTruncated,
                Source = name,
                Line = aggregate.First.Line,
                Column = aggregate.First.Column,
                LineText = text,
                Count = aggregate.Count,
                Properties = properties,
                ValuesTruncated = aggregate.Values.Truncated,
                TruncatedNames = new HashSet<string>(aggregate.Values.TruncatedNames, StringComparer.Ordinal),
                Caveats = rule.Descriptor.Caveats.Select(c => c.Get(owner._culture)).ToArray(),
                Timestamps = aggregate.Timestamps.ToArray(),
                Context = aggregate.First.Context,
            };
        }

        private string JoinForMessage(IReadOnlyList<string> values, bool truncated, CultureInfo culture)
        {
            const int Shown = 5;
            var text = string.Join(", ", values.Take(Shown));
            var more = ("more", (values.Count - Shown).ToString(CultureInfo.InvariantCulture));
            var phrases = owner._pack.Phrases;
            return (values.Count - Shown, truncated) switch
            {
                ( > 0, false) => text + " " + phrases.Get("moreValues", culture, more),
                ( > 0, true) => text + " " + phrases.Get("moreValuesNotKept", culture, more),
                (_, true) => text + " " + phrases.Get("othersNotKept", culture),
                _ => text,
            };
        }
    }
    private sealed record Hit(long Line, long Column, string Text, Match? Match)
    {
        /// <summary>The named captures of a hit restored from a snapshot (its <see cref="Match"/> is gone).</summary>
        public IReadOnlyList<(string Name, string Value)>? Captures { get; init; }

        /// <summary>The lines around the hit, for a rule's first hit when context lines are asked for.</summary>
        public EvidenceContext? Context { get; init; }
    }

    private sealed class Aggregate(Hit first)
    {
        public Hit First { get; } = first;
        public int Count { get; set; }
        public long LastLine { get; set; } = -1;
        public CaptureSet Values { get; } = new();
        public List<LogTimestamp> Timestamps { get; } = [];
    }

    /// <summary>Distinct values per capture name, in order of first appearance, bounded.</summary>
    private sealed class CaptureSet
    {
        private readonly Dictionary<string, (List<string> List, HashSet<string> Set)> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _truncated = new(StringComparer.Ordinal);

        public bool Truncated => _truncated.Count > 0;

        public bool IsTruncated(string key) => _truncated.Contains(key);

        /// <summary>Restoring a snapshot: the name had values that were not kept.</summary>
        public void MarkTruncated(string key) => _truncated.Add(key);

        public IReadOnlySet<string> TruncatedNames => _truncated;

        public void Add(Match? match, int max)
        {
            if (match is null)
            {
                return;
            }

            foreach (Group group in match.Groups)
            {
                if (group.Success && !char.IsDigit(group.Name[0]))
                {
                    Add(group.Name, group.Value, max);
                }
            }
        }

        public void Add(string key, string value, int max)
        {
            if (!_values.TryGetValue(key, out var entry))
            {
                _values[key] = entry = ([], new HashSet<string>(StringComparer.Ordinal));
            }

            if (entry.Set.Contains(value))
            {
                return;
            }

            if (entry.List.Count >= max)
            {
                _truncated.Add(key);
                return;
            }

            entry.Set.Add(value);
            entry.List.Add(value);
        }

        public void AddAll(CaptureSet other, int max)
        {
            _truncated.UnionWith(other._truncated);
            foreach (var (key, (list, _)) in other._values)
            {
                foreach (var value in list)
                {
                    Add(key, value, max);
                }
            }
        }

        public Dictionary<string, IReadOnlyList<string>> ToDictionary() =>
            _values.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value.List.ToArray(), StringComparer.Ordinal);
    }
}
