using System.Globalization;
using System.Text.Json;
using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>
    /// A section rule: a start line, up to its maximum of header lines, then rows; the section closes at the first other
    /// line (or at the end of the source) and counts when enough rows matched. While it is open every line must reach it.
    /// </summary>
    private sealed class SectionRunner(CompiledRule rule, SourceScan scan) : RuleRunner(rule)
    {
        private readonly SectionSpec _spec = rule.Section!;
        private bool _open;
        private bool _rowsStarted;
        private int _headerLines;
        private int _rows;
        private Hit? _start;
        private CaptureSet _captures = new();

        public override void Line(string line, long number)
        {
            if (_open)
            {
                if (_spec.Row.TryFind(line, out _, out _))
                {
                    _rowsStarted = true;
                    if (_spec.Count.TryMatch(line, out _, out var match))
                    {
                        _rows++;
                        _captures.Add(match, scan.MaxDistinctValues);
                    }

                    return;
                }

                if (!_rowsStarted && _headerLines < _spec.MaxHeaderLines)
                {
                    _headerLines++;
                    return;
                }

                Close();
            }

            if (_spec.Start.TryFind(line, out var column, out _))
            {
                Open(new Hit(number, scan.Column(column), line, null) { Context = scan.ContextFor(Rule, number, line, column, 0) });
                scan.SpanOpened();
            }
        }

        public override void EndSource()
        {
            if (_open)
            {
                Close();
            }
        }

        private void Open(Hit start)
        {
            _open = true;
            _rowsStarted = false;
            _headerLines = 0;
            _rows = 0;
            _start = start;
            _captures = new CaptureSet();
        }

        private void Close()
        {
            _open = false;
            scan.SpanClosed();
            if (_rows >= _spec.Threshold)
            {
                scan.Count(Rule, _start!, _captures, ("rows", _rows.ToString(CultureInfo.InvariantCulture)));
            }
        }

        public override IEnumerable<Hit> HeldHits => _start is null ? [] : [_start];

        public override bool WriteState(Utf8JsonWriter json, IReadOnlyDictionary<EvidenceContext, int>? contexts)
        {
            if (_start is null)
            {
                return false;
            }

            json.WriteStartObject();
            json.WriteString("rule", Rule.Descriptor.Id);
            json.WriteBoolean("open", _open);
            json.WriteBoolean("rowsStarted", _rowsStarted);
            json.WriteNumber("headerLines", _headerLines);
            json.WriteNumber("rows", _rows);
            json.WritePropertyName("start");
            WriteHit(json, _start, contexts);
            WriteCaptureSet(json, "captures", _captures);
            json.WriteEndObject();
            return true;
        }

        public override void ReadState(JsonElement state, IReadOnlyList<EvidenceContext>? contexts)
        {
            Open(ReadHit(state.GetProperty("start"), contexts) with { Captures = null });
            _open = state.GetProperty("open").GetBoolean();
            _rowsStarted = state.GetProperty("rowsStarted").GetBoolean();
            _headerLines = state.GetProperty("headerLines").GetInt32();
            _rows = state.GetProperty("rows").GetInt32();
            ReadCaptureSet(state.GetProperty("captures"), _captures, scan.MaxDistinctValues);
        }
    }
}
