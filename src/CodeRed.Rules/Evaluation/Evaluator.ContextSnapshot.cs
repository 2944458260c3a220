using System.Text.Json;

namespace CodeRed.Rules.Evaluation;

/// <summary>
/// The snapshot of evidence in context (<see cref="EvaluationOptions.ContextLines"/>): the recent lines of the open
/// source and every context its hits hold, numbered once, so that a context still waiting for its after-lines is the
/// same object in the hit and in the waiting list after a restore (the lines that follow reach both).
/// </summary>
internal sealed partial class Evaluator
{
    private static void WriteContext(Utf8JsonWriter json, EvidenceContext context)
    {
        json.WriteStartObject();
        json.WriteNumber("firstLine", context.FirstLine);
        Strings(json, "lines", context.Lines);
        json.WriteNumber("hitIndex", context.HitIndex);
        json.WriteNumber("matchStart", context.MatchStart);
        json.WriteNumber("matchLength", context.MatchLength);
        json.WriteNumber("afterWanted", context.AfterWanted);
        json.WriteEndObject();
    }

    private static EvidenceContext ReadContext(JsonElement e) => new()
    {
        FirstLine = e.GetProperty("firstLine").GetInt64(),
        Lines = [.. StrList(e, "lines")],
        HitIndex = e.GetProperty("hitIndex").GetInt32(),
        MatchStart = e.GetProperty("matchStart").GetInt32(),
        MatchLength = e.GetProperty("matchLength").GetInt32(),
        AfterWanted = e.GetProperty("afterWanted").GetInt32(),
    };

    /// <summary>What a finished diagnostic carries beyond its wire fields: its context and its messages in each language.</summary>
    private static void WriteDiagnosticExtras(Utf8JsonWriter json, Diagnostic d)
    {
        if (d.Context is { } context)
        {
            json.WritePropertyName("context");
            WriteContext(json, context);
        }

        if (d.MessagesByLanguage.Count > 0)
        {
            json.WriteStartObject("messages");
            foreach (var (language, text) in d.MessagesByLanguage)
            {
                json.WriteString(language, text);
            }

            json.WriteEndObject();
        }
    }

    private static Dictionary<string, string> ReadMessages(JsonElement e)
    {
        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("messages", out var m))
        {
            foreach (var p in m.EnumerateObject())
            {
                messages[p.Name] = p.Value.GetString()!;
            }
        }

        return messages;
    }

    private sealed partial class SourceScan
    {
        /// <summary>Writes the recent lines, the contexts and which of them wait; returns each context's number for the hits.</summary>
        private Dictionary<EvidenceContext, int>? WriteContexts(Utf8JsonWriter json)
        {
            if (_contextLines == 0)
            {
                return null;
            }

            var numbers = new Dictionary<EvidenceContext, int>(ReferenceEqualityComparer.Instance);
            var all = new List<EvidenceContext>();
            void Add(EvidenceContext? context)
            {
                if (context is not null && numbers.TryAdd(context, all.Count))
                {
                    all.Add(context);
                }
            }

            foreach (var aggregate in _aggregates)
            {
                Add(aggregate?.First.Context);
            }

            foreach (var hit in Records.HeldHits)
            {
                Add(hit.Context);
            }

            foreach (var runner in RunnerOf)
            {
                foreach (var hit in runner?.HeldHits ?? [])
                {
                    Add(hit.Context);
                }
            }

            foreach (var context in _awaitingAfter)
            {
                Add(context);
            }

            json.WriteStartObject("context");
            Strings(json, "recent", _recent);
            json.WriteStartArray("items");
            foreach (var context in all)
            {
                WriteContext(json, context);
            }

            json.WriteEndArray();
            json.WriteStartArray("awaiting");
            foreach (var context in _awaitingAfter)
            {
                json.WriteNumberValue(numbers[context]);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            return numbers;
        }

        /// <summary>Puts back what <see cref="WriteContexts"/> wrote (nothing for snapshots without context); returns the contexts by number.</summary>
        private List<EvidenceContext>? ReadContexts(JsonElement e)
        {
            if (!e.TryGetProperty("context", out var state))
            {
                return null;
            }

            var all = state.GetProperty("items").EnumerateArray().Select(ReadContext).ToList();
            foreach (var line in StrList(state, "recent").TakeLast(_contextLines))
            {
                _recent.Enqueue(line);
            }

            foreach (var number in state.GetProperty("awaiting").EnumerateArray())
            {
                _awaitingAfter.Add(all[number.GetInt32()]);
            }

            return all;
        }
    }
}
