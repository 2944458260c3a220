using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules;

/// <summary>What a session knows of the device before any evidence arrives, and how it evaluates.</summary>
public sealed record SessionOptions
{
    /// <summary>A name for the device (kept with snapshots; reports do not show it).</summary>
    public string? Device { get; init; }

    /// <summary>The model as the user wrote it, or null.</summary>
    public string? Model { get; init; }

    /// <summary>The firmware version as the user wrote it, or null to let the evidence say.</summary>
    public string? Firmware { get; init; }

    /// <summary>The patches installed, as given: null when unknown (facts that provide a patch may say), empty for none.</summary>
    public IReadOnlyList<string>? Patches { get; init; }

    /// <summary>Severity settings, report culture, bounds; null for <see cref="EvaluationOptions.Default"/>.</summary>
    public EvaluationOptions? Evaluation { get; init; }
}

/// <summary>What a <see cref="SessionEvent"/> says.</summary>
public enum SessionEventKind
{
    /// <summary>A rule's first reportable hit in a source (or a device rule that holds).</summary>
    Finding,

    /// <summary>A finding already raised crossed a threshold: a new key of a counted rule reached its threshold.</summary>
    FindingUpdated,

    /// <summary>The verdict word of a pack changed.</summary>
    VerdictChanged,
}

/// <summary>
/// Something a session saw: a finding (with its diagnostic as it stood then) or a verdict change. <see cref="Sequence"/>
/// numbers the events of a session from 1, in the order they were raised.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="PackId">The pack whose rule or verdict it is.</param>
/// <param name="Diagnostic">The finding, for <see cref="SessionEventKind.Finding"/> and <see cref="SessionEventKind.FindingUpdated"/>.</param>
/// <param name="Verdict">The new verdict, for <see cref="SessionEventKind.VerdictChanged"/>.</param>
/// <param name="Sequence">1 for the session's first event, then 2, 3, ...</param>
public sealed record SessionEvent(SessionEventKind Kind, string PackId, Diagnostic? Diagnostic, Verdict? Verdict, long Sequence);

/// <summary>
/// Evaluates evidence as it arrives: write bytes (in any chunking) or whole lines, receive each finding as it fires,
/// ask for the reports at any moment, and complete the session for the final reports, which equal what
/// <see cref="RulePack.Evaluate"/> gives for the same evidence. Several packs read each line in one pass and each
/// gives its own report. A session is not thread-safe: one writer at a time; <see cref="ReadEventsAsync"/> may be
/// read on another thread. Memory is bounded: see docs/sessions.md.
/// </summary>
public sealed class EvaluationSession : IDisposable
{
    /// <summary>The name of a source begun by a first write without <see cref="BeginSource"/>.</summary>
    public const string DefaultSourceName = "(input)";

    private readonly Evaluator[] _evaluators;
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
    private readonly Func<bool> _needsEveryLine;
    private readonly List<(SessionEventKind Kind, Diagnostic Diagnostic)> _changes = [];
    private readonly string?[] _verdictWords;
    private readonly HashSet<string>[] _deviceFindings;
    private SourceFeed? _source;
    private long _bytes;
    private long _sequence;
    private bool _firstLook = true;
    private bool _quiet; // a copy ended for a report at some moment: not an evaluation of its own for the metrics
    private Channel<SessionEvent>? _channel;
    private IReadOnlyList<AnalysisReport>? _final;

    private EvaluationSession(IReadOnlyList<RulePack> packs, SessionOptions options)
    {
        Packs = packs;
        Options = options;
        var evaluation = options.Evaluation ?? EvaluationOptions.Default;
        _evaluators = packs.Select(p => new Evaluator(p, evaluation, options.Model, options.Firmware, options.Patches)).ToArray();
        _verdictWords = new string?[packs.Count];
        _deviceFindings = packs.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var evaluators = _evaluators;
        _needsEveryLine = evaluators.Length == 1 ? () => evaluators[0].NeedsEveryLine : () => evaluators.Any(e => e.NeedsEveryLine);
    }

    /// <summary>The packs evaluated, in the order of <see cref="GetReports"/>.</summary>
    public IReadOnlyList<RulePack> Packs { get; }

    /// <summary>The options the session started with.</summary>
    public SessionOptions Options { get; }

    /// <summary>True once <see cref="Complete"/> was called.</summary>
    public bool IsCompleted => _final is not null;

    /// <summary>
    /// Raised synchronously, in order, as findings fire and verdicts change: during <see cref="Write"/>,
    /// <see cref="WriteLine"/>, <see cref="EndSource"/> or <see cref="Complete"/>, after the line that caused it.
    /// </summary>
    public event EventHandler<SessionEvent>? EventRaised;

    /// <summary>Starts a session over one pack.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pack"/> is null.</exception>
    /// <exception cref="ArgumentException">The severity settings name a rule ID or category the pack does not have.</exception>
    /// <exception cref="FormatException"><see cref="SessionOptions.Firmware"/> is not a firmware version.</exception>
    public static EvaluationSession Start(RulePack pack, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return Start([pack], options);
    }

    /// <summary>Starts a session over several packs: each line is read once and judged by every pack.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="packs"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">
    /// No pack is given, two packs have a rule ID in common, or the severity settings name what no pack has.
    /// </exception>
    /// <exception cref="FormatException"><see cref="SessionOptions.Firmware"/> is not a firmware version.</exception>
    public static EvaluationSession Start(IReadOnlyList<RulePack> packs, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(packs);
        if (packs.Count == 0)
        {
            throw new ArgumentException("A session needs at least one pack.", nameof(packs));
        }

        if (packs.Any(p => p is null))
        {
            throw new ArgumentNullException(nameof(packs), "A pack in the list is null.");
        }

        options ??= new SessionOptions();
        var evaluation = options.Evaluation ?? EvaluationOptions.Default;
        var owners = new Dictionary<string, RulePack>(StringComparer.Ordinal);
        foreach (var pack in packs)
        {
            foreach (var rule in pack.Rules)
            {
                if (owners.TryGetValue(rule.Id, out var other))
                {
                    throw new ArgumentException($"Rule ID {rule.Id} is in pack '{other.Identity.Id}' and in pack '{pack.Identity.Id}' ({rule.SourceFile}): rule IDs must be unique across the packs of a session.", nameof(packs));
                }

                owners[rule.Id] = pack;
            }
        }

        // With several packs, a severity entry is wrong only when no pack has what it names.
        var problems = packs.Select(p => (IEnumerable<string>)evaluation.Severity.Validate(p)).Aggregate((a, b) => a.Intersect(b)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The severity settings name what the pack does not have: " + string.Join("; ", problems), nameof(options));
        }

        return new EvaluationSession(packs, options);
    }

    /// <summary>
    /// Begins a source (a log, a command output, a transcript); the previous one ends. Without an encoding, a
    /// byte-order mark in the first bytes decides, else UTF-8.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The session is completed.</exception>
    public void BeginSource(string name, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfCompleted();
        EndSource();
        _source = new SourceFeed(name, encoding, _evaluators.Select(e => e.Prefilter).ToArray(), _needsEveryLine, OnLine)
        {
            MaxDegreeOfParallelism = (Options.Evaluation ?? EvaluationOptions.Default).MaxDegreeOfParallelism,
        };
        foreach (var evaluator in _evaluators)
        {
            evaluator.BeginSource(name);
        }
    }

    /// <summary>Writes bytes of the current source, in any chunking; LF, CRLF and CR end lines. Each complete line is judged before this returns.</summary>
    /// <exception cref="InvalidOperationException">The session is completed, or the source was written as lines.</exception>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        Current().Write(bytes);
    }

    /// <summary>Writes one whole line (without its end) of the current source, which is then text, not bytes.</summary>
    /// <exception cref="InvalidOperationException">The session is completed, or the source was written as bytes.</exception>
    public void WriteLine(ReadOnlySpan<char> line)
    {
        var source = Current();
        source.WriteText(line);
        source.WriteText("\n");
    }

    /// <summary>Reads a stream to its end into the current source (the source does not end).</summary>
    /// <exception cref="OperationCanceledException">Cancelled; what was read so far stays in the session.</exception>
    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            Write(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Ends the current source, if one is open: a last line without its end is judged, open records and sections close.</summary>
    public void EndSource()
    {
        if (_source is not { } source)
        {
            return;
        }

        _source = null;
        try
        {
            var lines = source.Complete();
            foreach (var evaluator in _evaluators)
            {
                evaluator.EndSource(lines);
            }

            _bytes += source.Bytes;
        }
        finally
        {
            source.Dispose();
        }

        RaiseChanges(lines: 0);
    }

    /// <summary>
    /// The reports of what was read so far, one per pack: what <see cref="Complete"/> would give if the evidence ended
    /// here (records and sections still open close, a line without its end is judged), without changing the session,
    /// which goes on as if this had not been asked. After <see cref="Complete"/>, the final reports.
    /// </summary>
    public IReadOnlyList<AnalysisReport> GetReports()
    {
        if (_final is { } final)
        {
            return final;
        }

        if (_source is not { } source || (source.IsAtRest && !_evaluators.Any(e => e.NeedsEveryLine)))
        {
            // Nothing open and nothing waiting: ending here would add nothing to the reports so far.
            var lines = _source?.Lines ?? 0;
            return _evaluators.Select(e => e.Report(lines)).ToArray();
        }

        // Something would close at the end (a record, a section, a line without its end, context still to come): end it
        // in a copy of the session, restored from a snapshot, so this one is not touched.
        SessionSnapshot snapshot;
        try
        {
            snapshot = CaptureSnapshot();
        }
        catch (InvalidOperationException)
        {
            // A decoder that may keep a mode across lines (UTF-7) cannot be copied: what has ended so far.
            return _evaluators.Select(e => e.Report(source.Lines)).ToArray();
        }

        using var copy = Restore(Packs, snapshot, Options);
        copy._quiet = true;
        return copy.Complete();
    }

    /// <summary>The first pack's report so far (see <see cref="GetReports"/>).</summary>
    public AnalysisReport GetReport() => GetReports()[0];

    /// <summary>Ends the source and the session: the final reports, one per pack, equal to batch evaluation's. Calling it again gives the same reports.</summary>
    public IReadOnlyList<AnalysisReport> Complete()
    {
        if (_final is { } final)
        {
            return final;
        }

        EndSource();
        var reports = _evaluators.Select(e => e.Report(0)).ToArray();
        RaiseVerdicts(reports);
        _final = reports;
        foreach (var report in _quiet ? [] : reports)
        {
            EngineMetrics.Evaluated(report, _bytes, _started);
        }

        _channel?.Writer.TryComplete();
        return reports;
    }

    /// <summary>
    /// The events from now on, until the session completes (or <paramref name="cancellationToken"/> ends the wait).
    /// The events wait in an unbounded queue until read: at most one per rule and source, plus verdict changes.
    /// </summary>
    public IAsyncEnumerable<SessionEvent> ReadEventsAsync(CancellationToken cancellationToken = default)
    {
        _channel ??= Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
        if (_final is not null)
        {
            _channel.Writer.TryComplete();
        }

        return _channel.Reader.ReadAllAsync(cancellationToken);
    }

    /// <summary>Reads a stream as one source to its end and completes: the reports, one per pack.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before the stream ended.</exception>
    public static async Task<IReadOnlyList<AnalysisReport>> EvaluateAsync(IReadOnlyList<RulePack> packs, Stream stream, string sourceName = "-", SessionOptions? options = null, Encoding? encoding = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var session = Start(packs, options);
        session.BeginSource(sourceName, encoding);
        await session.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        return session.Complete();
    }

    /// <summary>
    /// The session's state now, to resume it with <see cref="Restore"/> (here or in another process) with identical
    /// results. The session goes on. Taken between writes, so always at a line boundary or inside a line still
    /// waiting for its end (which the snapshot holds).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The session is completed, or its source is decoded from a multi-byte encoding that is not ASCII-compatible and
    /// neither UTF-16 nor UTF-32 (UTF-7: a decoder that may keep a mode across lines). ASCII-compatible
    /// encodings, UTF-16, UTF-32 and single-byte encodings are captured, a character split across writes included.
    /// </exception>
    public SessionSnapshot CaptureSnapshot()
    {
        ThrowIfCompleted();
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", SessionSnapshot.CurrentFormatVersion);
            json.WriteStartArray("packs");
            foreach (var pack in Packs)
            {
                json.WriteStartObject();
                json.WriteString("id", pack.Identity.Id);
                json.WriteString("version", pack.Identity.Version);
                json.WriteString("sha256", pack.Identity.Sha256);
                json.WriteStartArray("codeRules");
                foreach (var rule in pack.CompiledRules.Where(r => r.Code is not null))
                {
                    json.WriteStringValue(rule.Descriptor.Id);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteOptional(json, "device", Options.Device);
            WriteOptional(json, "model", Options.Model);
            WriteOptional(json, "firmware", Options.Firmware);
            json.WriteNumber("sequence", _sequence);
            json.WriteNumber("bytes", _bytes);
            json.WriteBoolean("firstLook", _firstLook);
            json.WriteStartArray("verdicts");
            foreach (var word in _verdictWords)
            {
                if (word is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteStringValue(word);
                }
            }

            json.WriteEndArray();
            json.WriteStartArray("deviceFindings");
            foreach (var ids in _deviceFindings)
            {
                json.WriteStartArray();
                foreach (var id in ids.Order(StringComparer.Ordinal))
                {
                    json.WriteStringValue(id);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            if (_source is { } source)
            {
                var (head, nextLine, lineOffset, pendingBytes, pendingText, held) = source.Capture();
                json.WriteStartObject("source");
                json.WriteString("name", source.Name);
                if (source.AskedEncoding is { } encoding)
                {
                    json.WriteNumber("codePage", encoding.CodePage);
                }

                json.WriteString("mode", source.Mode.ToString());
                json.WriteBase64String("head", head);
                json.WriteNumber("nextLine", nextLine);
                json.WriteNumber("lineOffset", lineOffset);
                json.WriteNumber("bytes", source.Bytes);
                if (pendingBytes is not null)
                {
                    json.WriteBase64String("pendingBytes", pendingBytes);
                }

                WriteOptional(json, "pendingText", pendingText);
                if (held is not null)
                {
                    json.WriteBase64String("heldBytes", held);
                }

                json.WriteEndObject();
            }

            json.WriteStartArray("evaluators");
            foreach (var evaluator in _evaluators)
            {
                evaluator.WriteState(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var bytes = buffer.ToArray();
        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        return SessionSnapshot.Of(bytes, document.RootElement);
    }

    /// <summary>
    /// A session resumed from a snapshot: it goes on as the captured session would have. Without
    /// <paramref name="options"/>, the device, model and firmware come from the snapshot and the evaluation options are
    /// the defaults; give the same options as the captured session for identical results.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="packs"/> or <paramref name="snapshot"/> is null.</exception>
    /// <exception cref="ArgumentException">The packs are not the snapshot's (id, version, SHA-256 and code rules, in order).</exception>
    public static EvaluationSession Restore(IReadOnlyList<RulePack> packs, SessionSnapshot snapshot, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(packs);
        ArgumentNullException.ThrowIfNull(snapshot);
        var root = snapshot.Root;
        var expected = root.GetProperty("packs").EnumerateArray()
            .Select(p => $"{p.GetProperty("id").GetString()} {p.GetProperty("version").GetString()} sha256:{p.GetProperty("sha256").GetString()} code rules [{string.Join(", ", p.GetProperty("codeRules").EnumerateArray().Select(r => r.GetString()))}]")
            .ToArray();
        var given = packs.Select(p => p is null ? "(null)" : $"{p.Identity.Id} {p.Identity.Version} sha256:{p.Identity.Sha256} code rules [{string.Join(", ", p.CompiledRules.Where(r => r.Code is not null).Select(r => r.Descriptor.Id))}]").ToArray();
        if (!expected.SequenceEqual(given))
        {
            throw new ArgumentException($"The snapshot was taken with the packs {string.Join("; ", expected)}, not {string.Join("; ", given)}: restore it with the same packs.", nameof(packs));
        }

        options ??= new SessionOptions
        {
            Device = OptionalString(root, "device"),
            Model = OptionalString(root, "model"),
            Firmware = OptionalString(root, "firmware"),
        };
        var session = Start(packs, options);
        session._sequence = root.GetProperty("sequence").GetInt64();
        session._bytes = root.GetProperty("bytes").GetInt64();
        session._firstLook = root.GetProperty("firstLook").GetBoolean();
        var words = root.GetProperty("verdicts").EnumerateArray().Select(w => w.ValueKind == System.Text.Json.JsonValueKind.Null ? null : w.GetString()).ToArray();
        var devices = root.GetProperty("deviceFindings").EnumerateArray().ToArray();
        for (var i = 0; i < packs.Count; i++)
        {
            session._verdictWords[i] = words[i];
            session._deviceFindings[i].UnionWith(devices[i].EnumerateArray().Select(d => d.GetString()!));
        }

        if (root.TryGetProperty("source", out var source))
        {
            var encoding = source.TryGetProperty("codePage", out var codePage) ? Encoding.GetEncoding(codePage.GetInt32()) : null;
            session.BeginSource(source.GetProperty("name").GetString()!, encoding);
            session._source!.Restore(
                Enum.Parse<FeedMode>(source.GetProperty("mode").GetString()!),
                source.GetProperty("head").GetBytesFromBase64(),
                source.GetProperty("nextLine").GetInt64(),
                source.GetProperty("lineOffset").GetInt64(),
                source.TryGetProperty("pendingBytes", out var pending) ? pending.GetBytesFromBase64() : null,
                OptionalString(source, "pendingText"),
                source.TryGetProperty("heldBytes", out var held) ? held.GetBytesFromBase64() : null,
                source.GetProperty("bytes").GetInt64());
        }

        var states = root.GetProperty("evaluators").EnumerateArray().ToArray();
        for (var i = 0; i < packs.Count; i++)
        {
            session._evaluators[i].ReadState(states[i]);
        }

        return session;
    }

    private static void WriteOptional(System.Text.Json.Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? OptionalString(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    /// <summary>Releases the buffers of an open source. The session cannot be written afterwards.</summary>
    public void Dispose()
    {
        _source?.Dispose();
        _source = null;
        _final ??= [];
        _channel?.Writer.TryComplete();
    }

    /// <summary>The batch path: one whole evidence source, read straight into the line buffer.</summary>
    internal void Feed(EvidenceSource source)
    {
        BeginSource(source.Name, source.Encoding);
        if (source.IsBinary)
        {
            var stream = source.OpenStream();
            try
            {
                _source!.WriteAll(stream);
            }
            finally
            {
                if (source.OwnsStream)
                {
                    stream.Dispose();
                }
            }
        }
        else
        {
            using var reader = source.OpenText();
            _source!.WriteAll(reader);
        }

        EndSource();
    }

    private SourceFeed Current()
    {
        ThrowIfCompleted();
        if (_source is null)
        {
            BeginSource(DefaultSourceName);
        }

        return _source!;
    }

    private void ThrowIfCompleted()
    {
        if (_final is not null)
        {
            throw new InvalidOperationException("The session is completed (or disposed): start a new one.");
        }
    }

    private void OnLine(string line, long number, long offset)
    {
        var changed = false;
        foreach (var evaluator in _evaluators)
        {
            evaluator.Line(line, number, offset);
            changed |= evaluator.HasChanges;
        }

        // Most lines fire nothing: no event work on the batch path's hot loop.
        if (changed || (_firstLook && Listening))
        {
            RaiseChanges(number);
        }
    }

    private bool Listening => EventRaised is not null || _channel is not null;

    /// <summary>After a line: the findings it fired, then (only when someone listens) any verdict it changed.</summary>
    private void RaiseChanges(long lines)
    {
        var changed = false;
        for (var i = 0; i < _evaluators.Length; i++)
        {
            _changes.Clear();
            changed |= _evaluators[i].TakeChanges(_changes);
            if (!Listening)
            {
                continue;
            }

            foreach (var (kind, diagnostic) in _changes)
            {
                Raise(new SessionEvent(kind, Packs[i].Identity.Id, diagnostic, null, 0));
            }
        }

        if (Listening && (changed || _firstLook))
        {
            _firstLook = false;
            RaiseVerdicts(_evaluators.Select(e => e.Report(lines)).ToArray());
        }
    }

    /// <summary>Device findings not raised yet, and verdicts whose word changed.</summary>
    private void RaiseVerdicts(IReadOnlyList<AnalysisReport> reports)
    {
        if (!Listening)
        {
            return;
        }

        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i];
            foreach (var diagnostic in report.Diagnostics.Where(d => d.Source is null && d.Descriptor.Kind == CodeRed.Rules.RuleKind.Device))
            {
                if (_deviceFindings[i].Add(diagnostic.Id))
                {
                    Raise(new SessionEvent(SessionEventKind.Finding, report.Pack.Id, diagnostic, null, 0));
                }
            }

            if (_verdictWords[i] != report.Verdict.Word)
            {
                _verdictWords[i] = report.Verdict.Word;
                Raise(new SessionEvent(SessionEventKind.VerdictChanged, report.Pack.Id, null, report.Verdict, 0));
            }
        }
    }

    private void Raise(SessionEvent e)
    {
        e = e with { Sequence = ++_sequence };
        _channel?.Writer.TryWrite(e);
        EventRaised?.Invoke(this, e);
    }
}
