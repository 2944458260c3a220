using System.Text.Json;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>A line rule of a record (<c>record:</c>): while its record is open, a hit waits in it, to count once per record.</summary>
    private sealed class RecordRunner(CompiledRule rule, SourceScan scan) : LineRunner(rule, scan)
    {
        protected override void AddHit(Hit hit, (string Name, string Value)[] captures)
        {
            if (!Scan.Records.Hold(Rule, hit))
            {
                base.AddHit(hit, captures);
            }
        }
    }

    /// <summary>
    /// The records open in one source, shared by the record rules of each: a record opens at its start line and closes at
    /// the next start, after its maximum of lines, or at the end of the source; then each rule that hit it counts once,
    /// unless a rule that hit the same record suppresses it.
    /// </summary>
    private sealed class RecordSpans(SourceScan scan, RecordSpec[] specs)
    {
        private readonly Dictionary<string, OpenRecord> _open = new(StringComparer.Ordinal);

        public bool AnyOpen => _open.Count > 0;

        /// <summary>The hits kept in open records (their contexts go into a snapshot once each).</summary>
        public IEnumerable<Hit> HeldHits => _open.Values.SelectMany(r => r.Hits.Select(h => h.Hit));

        /// <summary>Before the rules see a line: a record it starts (or one it passes the end of) closes, a new one opens.</summary>
        public void Line(string line, long number)
        {
            foreach (var spec in specs)
            {
                var starts = spec.Start.TryFind(line, out _, out _);
                if (_open.TryGetValue(spec.Name, out var open) && (starts || number >= open.StartLine + spec.MaxLines))
                {
                    Close(open);
                }

                if (starts)
                {
                    _open[spec.Name] = new OpenRecord(spec, number);
                }
            }
        }

        /// <summary>Keeps a record rule's hit in its open record; false when that record is not open.</summary>
        public bool Hold(CompiledRule rule, Hit hit)
        {
            if (_open.TryGetValue(rule.Record!.Name, out var record))
            {
                record.Hits.Add((rule, hit));
                return true;
            }

            return false;
        }

        public void CloseAll()
        {
            foreach (var record in _open.Values.ToArray())
            {
                Close(record);
            }
        }

        private void Close(OpenRecord record)
        {
            _open.Remove(record.Spec.Name);
            var suppressed = new HashSet<int>(record.Hits.SelectMany(h => h.Rule.SuppressedRules));
            foreach (var group in record.Hits.GroupBy(h => h.Rule.Index))
            {
                if (suppressed.Contains(group.Key))
                {
                    continue;
                }

                var first = group.First();
                try
                {
                    var values = new CaptureSet();
                    foreach (var (_, hit) in group)
                    {
                        values.Add(hit.Match, scan.MaxDistinctValues);
                        foreach (var (key, value) in hit.Captures ?? [])
                        {
                            values.Add(key, value, scan.MaxDistinctValues);
                        }
                    }

                    scan.Count(first.Rule, first.Hit with { Match = null }, values);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    scan.Fail(first.Rule, e, first.Hit.Line);
                }
            }
        }

        public void WriteState(Utf8JsonWriter json, IReadOnlyDictionary<EvidenceContext, int>? contexts)
        {
            json.WriteStartArray("records");
            foreach (var record in _open.Values)
            {
                json.WriteStartObject();
                json.WriteString("name", record.Spec.Name);
                json.WriteNumber("startLine", record.StartLine);
                json.WriteStartArray("hits");
                foreach (var (rule, hit) in record.Hits)
                {
                    json.WriteStartObject();
                    json.WriteString("rule", rule.Descriptor.Id);
                    json.WritePropertyName("hit");
                    WriteHit(json, hit, contexts);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        public void ReadState(JsonElement records, Func<JsonElement, CompiledRule> rule, IReadOnlyList<EvidenceContext>? contexts)
        {
            foreach (var r in records.EnumerateArray())
            {
                var record = new OpenRecord(specs.First(x => x.Name == Str(r, "name")), r.GetProperty("startLine").GetInt64());
                foreach (var h in r.GetProperty("hits").EnumerateArray())
                {
                    record.Hits.Add((rule(h), ReadHit(h.GetProperty("hit"), contexts)));
                }

                _open[record.Spec.Name] = record;
            }
        }

        private sealed class OpenRecord(RecordSpec spec, long startLine)
        {
            public RecordSpec Spec { get; } = spec;
            public long StartLine { get; } = startLine;
            public List<(CompiledRule Rule, Hit Hit)> Hits { get; } = [];
        }
    }
}
