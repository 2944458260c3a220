using System.Text.RegularExpressions;
using System.Text.Json;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>
    /// A line rule (<c>match</c>): its patterns, or its match items in order when it has column clauses; the first that
    /// matches gives the hit. With <c>count</c> or <c>recurs</c> it is the counted form: hits per captured key (within
    /// a window, when it has one) against a threshold, and "seen again after a restart".
    /// </summary>
    private class LineRunner : RuleRunner
    {
        private readonly CountSpec? _spec;
        private readonly Pattern[] _patterns; // an array, so the loop over them per line allocates no enumerator
        private readonly bool _inOrder;
        private CountState? _counted;

        public LineRunner(CompiledRule rule, SourceScan scan)
            : base(rule)
        {
            _spec = rule.Counting;
            _patterns = [.. rule.Patterns];
            _inOrder = rule.Columns.Count > 0;
            Scan = scan;
            WatchesHits = _spec is not null;
        }

        protected SourceScan Scan { get; }

        public override void Line(string line, long number)
        {
            if (_inOrder)
            {
                MatchInOrder(line, number);
                return;
            }

            foreach (var pattern in _patterns)
            {
                if (TryPattern(pattern, line, number))
                {
                    break;
                }
            }
        }

        /// <summary>The rule's hit: counted into its finding (a record rule's goes to its open record first).</summary>
        protected virtual void AddHit(Hit hit, (string Name, string Value)[] captures) => Scan.Count(Rule, hit, null, captures);

        private bool TryPattern(Pattern pattern, string line, long number)
        {
            // The Match object only for what it captures: most patterns capture nothing.
            Match? match = null;
            int column, length;
            if (pattern.CaptureNames.Count == 0)
            {
                if (!pattern.TryFind(line, out column, out length))
                {
                    return false;
                }
            }
            else
            {
                if (!pattern.TryMatch(line, out column, out match))
                {
                    return false;
                }

                length = match?.Length ?? pattern.Literal?.Length ?? 0;
            }

            AddHit(new Hit(number, Scan.Column(column), line, match) { Context = Scan.ContextFor(Rule, number, line, column, length) }, []);
            return true;
        }

        /// <summary>
        /// A rule with column clauses: its match items in the order written, the first that matches gives the hit. A column
        /// clause matches only a data line of its column set once a header in this source named the columns, and only
        /// on the first segment of a line.
        /// </summary>
        private void MatchInOrder(string line, long number)
        {
            foreach (var item in Rule.MatchOrder)
            {
                if (item >= 0)
                {
                    if (TryPattern(Rule.Patterns[item], line, number))
                    {
                        return;
                    }

                    continue;
                }

                var clause = Rule.Columns[~item];
                if (Scan.Offset != 0 || Scan.Header(clause.Set.Index) is not { } header || !clause.Set.IsData(line))
                {
                    continue;
                }

                if (clause.TryMatch(line, header, out var column, out var captures))
                {
                    AddHit(new Hit(number, Scan.Column(column), line, null) { Captures = captures, Context = Scan.ContextFor(Rule, number, line, column, 0) }, captures);
                    return;
                }
            }
        }

        // The counted form.

        /// <summary>
        /// A counted rule's hit: the key's count (within the window, when the rule has one) may reach the threshold, and a
        /// hit after a restart that followed an earlier hit makes a recurring rule recur.
        /// </summary>
        public override FindingChange Counted(Hit hit, LogTimestamp? time, bool first)
        {
            if (_spec is not { } spec)
            {
                return base.Counted(hit, time, first);
            }

            var restarts = Scan.Restarts;
            var state = _counted ??= new CountState(restarts);
            var value = spec.By is null ? "" : hit.Match?.Groups[spec.By] is { Success: true } g ? g.Value
                : hit.Captures?.FirstOrDefault(c => c.Name == spec.By).Value;
            var wasReportable = state.Reportable;
            var recurredNow = spec.RecursAfterRestart && !state.Recurred && state.Hits > 0 && restarts > state.RestartsAtFirst;
            state.Hits++;
            state.RestartsAtLast = restarts;
            state.Recurred |= recurredNow || !spec.RecursAfterRestart;
            if (time is { } t)
            {
                state.FirstSeen ??= t;
                state.LastSeen = t;
            }

            var reachedNow = value is not null && state.Hit(value, hit.Line, time, spec, Scan.MaxDistinctValues);
            if (!state.Reportable)
            {
                return FindingChange.None;
            }

            return !wasReportable ? FindingChange.New : reachedNow ? FindingChange.Updated : FindingChange.None;
        }

        /// <summary>A counted rule below its threshold, or not seen again after a restart, has no finding.</summary>
        public override bool Reportable => _counted is not { Reportable: false };

        public override string? Value(string name, IReadOnlyList<KeyCount> keys) => _counted?.Value(name, keys);

        public override KeyCount[] ReachedKeys() => _counted?.ReachedKeys() ?? [];

        public override bool KeysTruncated => _counted?.Truncated ?? false;

        public override void WriteFindingState(Utf8JsonWriter json)
        {
            if (_counted is not { } c)
            {
                return;
            }

            json.WriteStartObject("counted");
            json.WriteNumber("hits", c.Hits);
            json.WriteNumber("restartsAtFirst", c.RestartsAtFirst);
            json.WriteNumber("restartsAtLast", c.RestartsAtLast);
            json.WriteBoolean("recurred", c.Recurred);
            json.WriteBoolean("truncated", c.Truncated);
            WriteSeen(json, c.FirstSeen, c.LastSeen);

            json.WriteStartArray("keys");
            foreach (var k in c.Keys)
            {
                json.WriteStartObject();
                json.WriteString("value", k.Value);
                json.WriteNumber("firstLine", k.FirstLine);
                json.WriteNumber("count", k.Count);
                json.WriteBoolean("reached", k.Reached);
                WriteSeen(json, k.FirstSeen, k.LastSeen);

                json.WriteStartArray("times");
                foreach (var t in k.Times ?? [])
                {
                    json.WriteNumberValue(t);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        public override void ReadFindingState(JsonElement aggregate)
        {
            if (!aggregate.TryGetProperty("counted", out var c))
            {
                return;
            }

            var counted = new CountState(c.GetProperty("restartsAtFirst").GetInt32())
            {
                Hits = c.GetProperty("hits").GetInt32(),
                RestartsAtLast = c.GetProperty("restartsAtLast").GetInt32(),
                Recurred = c.GetProperty("recurred").GetBoolean(),
                FirstSeen = c.TryGetProperty("firstSeen", out var fs) ? ReadTime(fs) : null,
                LastSeen = c.TryGetProperty("lastSeen", out var ls) ? ReadTime(ls) : null,
            };
            counted.RestoreTruncated(c.GetProperty("truncated").GetBoolean());
            foreach (var k in c.GetProperty("keys").EnumerateArray())
            {
                var times = k.GetProperty("times").EnumerateArray().Select(t => t.GetInt64()).ToArray();
                counted.RestoreKey(new CountState.KeyState(Str(k, "value"), k.GetProperty("firstLine").GetInt64())
                {
                    Count = k.GetProperty("count").GetInt32(),
                    Reached = k.GetProperty("reached").GetBoolean(),
                    FirstSeen = k.TryGetProperty("firstSeen", out var kf) ? ReadTime(kf) : null,
                    LastSeen = k.TryGetProperty("lastSeen", out var kl) ? ReadTime(kl) : null,
                    Times = times.Length == 0 ? null : new Queue<long>(times),
                });
            }

            _counted = counted;
        }

        private static void WriteSeen(Utf8JsonWriter json, LogTimestamp? firstSeen, LogTimestamp? lastSeen)
        {
            if (firstSeen is { } first)
            {
                json.WritePropertyName("firstSeen");
                WriteTime(json, first);
            }

            if (lastSeen is { } last)
            {
                json.WritePropertyName("lastSeen");
                WriteTime(json, last);
            }
        }
    }
}
