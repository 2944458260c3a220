using System.Text.Json;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// A session's state as JSON (for <see cref="SessionSnapshot"/>), written with <see cref="Utf8JsonWriter"/> and read
/// with <see cref="JsonDocument"/>: no reflection, so the library stays trimmable and AOT-safe. Taken at a line
/// boundary: no finding is waiting to be raised and no regex match is held, only the values it captured.
/// </summary>
internal sealed partial class Evaluator
{
    public void WriteState(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("facts");
        foreach (var (name, (value, where)) in _facts)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("value", value);
            json.WriteString("where", where);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("patchesRead");
        foreach (var patch in _patchesRead)
        {
            json.WriteStringValue(patch);
        }

        json.WriteEndArray();
        json.WriteStartArray("steps");
        foreach (var (spec, (last, lastDone)) in _stepEvents)
        {
            json.WriteStartObject();
            json.WriteString("step", spec.Id);
            json.WritePropertyName("last");
            WriteStep(json, last);
            if (lastDone is not null)
            {
                json.WritePropertyName("lastDone");
                WriteStep(json, lastDone);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("finished");
        foreach (var (diagnostic, reported) in _finished)
        {
            WriteDiagnostic(json, diagnostic, reported);
        }

        json.WriteEndArray();
        json.WriteStartArray("sources");
        foreach (var (name, lines) in _sources)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteNumber("lines", lines);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (_current is { } scan)
        {
            json.WritePropertyName("scan");
            scan.WriteState(json);
        }

        json.WriteEndObject();
    }

    /// <summary>Puts back what <see cref="WriteState"/> wrote; a source open then has been begun again already.</summary>
    public void ReadState(JsonElement state)
    {
        foreach (var fact in state.GetProperty("facts").EnumerateArray())
        {
            _facts[Str(fact, "name")] = (Str(fact, "value"), Str(fact, "where"));
        }

        // Snapshots written before patch facts collected every value held only the last one, in 'facts'.
        if (state.TryGetProperty("patchesRead", out var patchesRead))
        {
            _patchesRead.AddRange(patchesRead.EnumerateArray().Select(p => p.GetString()!).Take(MaxPatchesRead));
        }
        else
        {
            foreach (var fact in _pack.Facts.Where(f => f.Provides == "patch" && _facts.ContainsKey(f.Name)))
            {
                AddPatchRead(fact, _facts[fact.Name].Value);
            }

            _factsChanged = false;
        }

        foreach (var step in state.GetProperty("steps").EnumerateArray())
        {
            var spec = _pack.Remediation.First(r => r.Id == Str(step, "step"));
            _stepEvents[spec] = (ReadStep(step.GetProperty("last")), step.TryGetProperty("lastDone", out var done) ? ReadStep(done) : null);
        }

        foreach (var diagnostic in state.GetProperty("finished").EnumerateArray())
        {
            _finished.Add((ReadDiagnostic(diagnostic), diagnostic.GetProperty("reported").GetBoolean()));
        }

        foreach (var source in state.GetProperty("sources").EnumerateArray())
        {
            _sources.Add(new(Str(source, "name"), source.GetProperty("lines").GetInt64()));
        }

        if (state.TryGetProperty("scan", out var scan))
        {
            _current!.ReadState(scan);
        }
    }

    private static void WriteStep(Utf8JsonWriter json, StepEvent e)
    {
        json.WriteStartObject();
        json.WriteString("step", e.Step.Id);
        json.WriteBoolean("undo", e.Undo);
        json.WriteString("source", e.Source);
        json.WriteNumber("line", e.Line);
        json.WriteString("command", e.Command);
        json.WriteEndObject();
    }

    private StepEvent ReadStep(JsonElement e) =>
        new(_pack.Remediation.First(r => r.Id == Str(e, "step")), e.GetProperty("undo").GetBoolean(), Str(e, "source"), e.GetProperty("line").GetInt64(), Str(e, "command"));

    private static void WriteDiagnostic(Utf8JsonWriter json, Diagnostic d, bool reported)
    {
        json.WriteStartObject();
        json.WriteString("id", d.Id);
        json.WriteBoolean("reported", reported);
        json.WriteString("severity", d.Severity.ToString());
        json.WriteString("message", d.Message);
        Optional(json, "source", d.Source);
        if (d.Line is { } line)
        {
            json.WriteNumber("line", line);
        }

        if (d.Column is { } column)
        {
            json.WriteNumber("column", column);
        }

        Optional(json, "lineText", d.LineText);
        json.WriteNumber("count", d.Count);
        WriteValues(json, "properties", d.Properties);
        json.WriteBoolean("valuesTruncated", d.ValuesTruncated);
        Strings(json, "truncatedNames", d.TruncatedNames.Order(StringComparer.Ordinal));
        Strings(json, "caveats", d.Caveats);
        WriteTimes(json, d.Timestamps);
        json.WriteStartArray("keys");
        foreach (var key in d.Keys)
        {
            json.WriteStartObject();
            json.WriteString("value", key.Value);
            json.WriteNumber("count", key.Count);
            json.WriteNumber("firstLine", key.FirstLine);
            Optional(json, "firstSeen", key.FirstSeen);
            Optional(json, "lastSeen", key.LastSeen);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("keysTruncated", d.KeysTruncated);
        WriteDiagnosticExtras(json, d);
        json.WriteEndObject();
    }

    private Diagnostic ReadDiagnostic(JsonElement e)
    {
        var id = Str(e, "id");
        var descriptor = id == RuleFailure.Id ? RuleFailure : _pack.CompiledRules.First(r => r.Descriptor.Id == id).Descriptor;
        return new Diagnostic
        {
            Descriptor = descriptor,
            PackId = _pack.Identity.Id,
            Severity = Enum.Parse<DiagnosticSeverity>(Str(e, "severity")),
            Message = Str(e, "message"),
            Source = OptStr(e, "source"),
            Line = e.TryGetProperty("line", out var line) ? line.GetInt64() : null,
            Column = e.TryGetProperty("column", out var column) ? column.GetInt64() : null,
            LineText = OptStr(e, "lineText"),
            Count = e.GetProperty("count").GetInt32(),
            Properties = ReadValues(e.GetProperty("properties")),
            ValuesTruncated = e.GetProperty("valuesTruncated").GetBoolean(),
            TruncatedNames = new HashSet<string>(StrList(e, "truncatedNames"), StringComparer.Ordinal),
            Caveats = StrList(e, "caveats"),
            Timestamps = ReadTimes(e.GetProperty("times")),
            Keys = e.GetProperty("keys").EnumerateArray()
                .Select(k => new KeyCount(Str(k, "value"), k.GetProperty("count").GetInt32(), k.GetProperty("firstLine").GetInt64(), OptStr(k, "firstSeen"), OptStr(k, "lastSeen")))
                .ToArray(),
            KeysTruncated = e.GetProperty("keysTruncated").GetBoolean(),
            MessagesByLanguage = ReadMessages(e),
            Context = e.TryGetProperty("context", out var context) ? ReadContext(context) : null,
        };
    }

    private static void WriteValues(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, IReadOnlyList<string>> values)
    {
        json.WriteStartArray(name);
        foreach (var (key, list) in values)
        {
            json.WriteStartObject();
            json.WriteString("name", key);
            Strings(json, "values", list);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadValues(JsonElement e)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var item in e.EnumerateArray())
        {
            values[Str(item, "name")] = StrList(item, "values");
        }

        return values;
    }

    private static void WriteTimes(Utf8JsonWriter json, IEnumerable<LogTimestamp> times)
    {
        json.WriteStartArray("times");
        foreach (var t in times)
        {
            WriteTime(json, t);
        }

        json.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter json, LogTimestamp t)
    {
        json.WriteStartArray();
        json.WriteNumberValue(t.Year ?? -1);
        json.WriteNumberValue(t.Month ?? -1);
        json.WriteNumberValue(t.Day);
        json.WriteNumberValue(t.Hour);
        json.WriteNumberValue(t.Minute);
        json.WriteNumberValue(t.Second);
        json.WriteEndArray();
    }

    private static LogTimestamp ReadTime(JsonElement e)
    {
        var v = e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        return new LogTimestamp(v[0] < 0 ? null : v[0], v[1] < 0 ? null : v[1], v[2], v[3], v[4], v[5]);
    }

    private static LogTimestamp[] ReadTimes(JsonElement e) => e.EnumerateArray().Select(ReadTime).ToArray();

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static string? OptStr(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static string[] StrList(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetString()!).ToArray();

    private static void WriteHit(Utf8JsonWriter json, Hit hit, IReadOnlyDictionary<EvidenceContext, int>? contexts = null)
    {
        json.WriteStartObject();
        json.WriteNumber("line", hit.Line);
        json.WriteNumber("column", hit.Column);
        json.WriteString("text", hit.Text);
        json.WriteStartArray("captures");
        var captures = hit.Captures ?? (hit.Match is { } match
            ? match.Groups.Cast<System.Text.RegularExpressions.Group>().Where(g => g.Success && !char.IsDigit(g.Name[0])).Select(g => (g.Name, g.Value)).ToArray()
            : []);
        foreach (var (name, value) in captures)
        {
            json.WriteStartArray();
            json.WriteStringValue(name);
            json.WriteStringValue(value);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        if (hit.Context is { } context && contexts is not null)
        {
            json.WriteNumber("context", contexts[context]);
        }

        json.WriteEndObject();
    }

    private static Hit ReadHit(JsonElement e, IReadOnlyList<EvidenceContext>? contexts = null) =>
        new(e.GetProperty("line").GetInt64(), e.GetProperty("column").GetInt64(), Str(e, "text"), null)
        {
            Captures = e.GetProperty("captures").EnumerateArray().Select(c => (c[0].GetString()!, c[1].GetString()!)).ToArray(),
            Context = contexts is not null && e.TryGetProperty("context", out var context) ? contexts[context.GetInt32()] : null,
        };

    private static void WriteCaptureSet(Utf8JsonWriter json, string name, CaptureSet set)
    {
        json.WriteStartObject(name);
        WriteValues(json, "values", set.ToDictionary());
        Strings(json, "truncated", set.TruncatedNames.Order(StringComparer.Ordinal));
        json.WriteEndObject();
    }

    private static void ReadCaptureSet(JsonElement e, CaptureSet into, int max)
    {
        foreach (var (name, values) in ReadValues(e.GetProperty("values")))
        {
            foreach (var value in values)
            {
                into.Add(name, value, max);
            }
        }

        foreach (var name in StrList(e, "truncated"))
        {
            into.MarkTruncated(name);
        }
    }

    private sealed partial class SourceScan
    {
        public void WriteState(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            var contexts = WriteContexts(json);
            json.WriteNumber("openSections", _openSpans);
            json.WriteNumber("restarts", _restarts);
            json.WriteStartArray("aggregates");
            foreach (var rule in owner._pack.CompiledRules)
            {
                if (_aggregates[rule.Index] is not { } a)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("rule", rule.Descriptor.Id);
                json.WritePropertyName("first");
                WriteHit(json, a.First with { Match = null, Captures = [] }, contexts);
                json.WriteNumber("count", a.Count);
                json.WriteNumber("lastLine", a.LastLine);
                WriteCaptureSet(json, "values", a.Values);
                WriteTimes(json, a.Timestamps);
                RunnerOf[rule.Index]!.WriteFindingState(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            Records.WriteState(json, contexts);

            // The per-rule state of runners that keep one (named for sections, the only such kind of format 1).
            json.WriteStartArray("sections");
            foreach (var runner in Runners)
            {
                runner.WriteState(json, contexts);
            }

            json.WriteEndArray();
            json.WriteStartArray("failures");
            foreach (var (index, error) in _failures)
            {
                json.WriteStartObject();
                json.WriteString("rule", owner._pack.CompiledRules[index].Descriptor.Id);
                json.WriteString("error", error);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("columns");
            foreach (var set in owner._pack.ColumnSets)
            {
                if (_headers[set.Index] is not { } header)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("set", set.Id);
                json.WriteNumber("line", header.Line);
                Strings(json, "names", header.Names);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("unconfirmed");
            foreach (var e in _unconfirmed ?? [])
            {
                WriteStep(json, e);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        public void ReadState(JsonElement e)
        {
            var max = owner._options.MaxDistinctValues;
            CompiledRule Rule(JsonElement x) => owner._pack.CompiledRules.First(r => r.Descriptor.Id == Str(x, "rule"));
            var contexts = ReadContexts(e);
            _openSpans = e.GetProperty("openSections").GetInt32();
            _restarts = e.GetProperty("restarts").GetInt32();
            foreach (var a in e.GetProperty("aggregates").EnumerateArray())
            {
                var rule = Rule(a);
                var aggregate = new Aggregate(ReadHit(a.GetProperty("first"), contexts) with { Captures = null })
                {
                    Count = a.GetProperty("count").GetInt32(),
                    LastLine = a.GetProperty("lastLine").GetInt64(),
                };
                ReadCaptureSet(a.GetProperty("values"), aggregate.Values, max);
                aggregate.Timestamps.AddRange(ReadTimes(a.GetProperty("times")));
                _aggregates[rule.Index] = aggregate;
                RunnerOf[rule.Index]!.ReadFindingState(a);
            }

            Records.ReadState(e.GetProperty("records"), Rule, contexts);
            foreach (var x in e.GetProperty("sections").EnumerateArray())
            {
                RunnerOf[Rule(x).Index]!.ReadState(x, contexts);
            }

            foreach (var f in e.GetProperty("failures").EnumerateArray())
            {
                var rule = Rule(f);
                _failures[rule.Index] = Str(f, "error");
                if (RunnerOf[rule.Index] is { } runner)
                {
                    runner.Failed = true;
                }
            }

            // Format 1 had no column headers (no pack had column sets then).
            if (e.TryGetProperty("columns", out var columns))
            {
                foreach (var h in columns.EnumerateArray())
                {
                    var set = owner._pack.ColumnSets.First(x => x.Id == Str(h, "set"));
                    _headers[set.Index] = new ColumnHeader(StrList(h, "names"), h.GetProperty("line").GetInt64());
                }
            }

            foreach (var u in e.GetProperty("unconfirmed").EnumerateArray())
            {
                (_unconfirmed ??= []).Add(owner.ReadStep(u));
            }
        }
    }
}
