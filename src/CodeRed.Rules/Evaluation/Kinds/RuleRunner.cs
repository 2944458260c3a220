using System.Text.Json;
using CodeRed.Rules.Matching;
using CodeRed.Rules.Model;

namespace CodeRed.Rules.Evaluation;

/// <summary>What counting a hit did to a rule's finding: nothing to announce, a first reportable finding, or an update of one.</summary>
internal enum FindingChange
{
    None,
    New,
    Updated,
}

internal sealed partial class Evaluator
{
    /// <summary>
    /// One rule of one kind, as the driver (<see cref="SourceScan"/>) sees it: the kind's per-source state, what it does
    /// with a line, at the end of a source and over the whole evidence, what it adds to its finding and what of its
    /// state a snapshot keeps. The driver knows no kind: it hands each rule the lines the prefilter lets through, and a
    /// runner that throws becomes one CR0001 there (<see cref="SourceScan.Fail"/>). A new kind is a subclass here and
    /// one line in <see cref="For"/> (device rules, which read no line, are made once per evaluation by
    /// <see cref="DeviceRunner.For"/>).
    /// </summary>
    private abstract class RuleRunner(CompiledRule rule)
    {
        public CompiledRule Rule { get; } = rule;

        /// <summary>Set by the driver when the runner threw: it sees nothing more of this source.</summary>
        public bool Failed { get; set; }

        /// <summary>The runner of a rule over one source (the kind is chosen here, and only here).</summary>
        public static RuleRunner For(CompiledRule rule, SourceScan scan)
        {
            RuleRunner runner = rule switch
            {
                { Section: not null } => new SectionRunner(rule, scan),
                { Code: { } code } => new CodeRunner(rule, code, scan),
                { Record: not null } => new RecordRunner(rule, scan),
                _ => new LineRunner(rule, scan),
            };
            return WithTestFaults(runner);
        }

        protected static RuleRunner WithTestFaults(RuleRunner runner) => TestFaults.Value is { } fault ? new FaultyRunner(runner, fault) : runner;

        /// <summary>A line (or a segment of an overlong one) the prefilter lets through for this rule.</summary>
        public virtual void Line(string line, long number)
        {
        }

        /// <summary>The source ends (its records have closed): a kind that holds something open counts it now.</summary>
        public virtual void EndSource()
        {
        }

        /// <summary>Over the whole evidence, when a report is made: a kind judged on the device gives its finding here.</summary>
        public virtual Diagnostic? Judge(DeviceSummary device) => null;

        /// <summary>
        /// A hit of the rule is counted into its finding (<paramref name="first"/>: the first in this source); the kind
        /// says whether that made a finding to announce. Called only when <see cref="WatchesHits"/>: plain rules
        /// announce their first hit, without a call per hit.
        /// </summary>
        public virtual FindingChange Counted(Hit hit, LogTimestamp? time, bool first) => first ? FindingChange.New : FindingChange.None;

        /// <summary>The kind decides on every hit (<see cref="Counted"/>) and needs each one's time, not only the first <see cref="MaxTimestamps"/>'.</summary>
        public bool WatchesHits { get; protected init; }

        /// <summary>The finding the rule has so far is one to report (a counted rule below its threshold has none).</summary>
        public virtual bool Reportable => true;

        /// <summary>The kind's own placeholders of the rule's message; null for a name it does not give.</summary>
        public virtual string? Value(string name, IReadOnlyList<KeyCount> keys) => null;

        /// <summary>The keys the finding names (per-key counting), most hits first.</summary>
        public virtual KeyCount[] ReachedKeys() => [];

        public virtual bool KeysTruncated => false;

        /// <summary>Writes the kind's state beside the finding's (in the aggregate's snapshot object); nothing by default.</summary>
        public virtual void WriteFindingState(Utf8JsonWriter json)
        {
        }

        public virtual void ReadFindingState(JsonElement aggregate)
        {
        }

        /// <summary>Hits the runner keeps in its own state (a section's start), whose contexts a snapshot numbers.</summary>
        public virtual IEnumerable<Hit> HeldHits => [];

        /// <summary>
        /// The kind's own per-source state (one object with a "rule" member, in the snapshot's per-rule state list),
        /// or false when it has none to keep.
        /// </summary>
        public virtual bool WriteState(Utf8JsonWriter json, IReadOnlyDictionary<EvidenceContext, int>? contexts) => false;

        public virtual void ReadState(JsonElement state, IReadOnlyList<EvidenceContext>? contexts)
        {
        }
    }

    /// <summary>
    /// For tests: makes the runners of a rule throw at a stage ("line", "end" or "device"), so that the driver's one
    /// isolation of every kind is tested with the pack's own rules. Scoped to the calling flow, so parallel tests do not
    /// see each other's faults; read once per source and rule, never per line.
    /// </summary>
    internal static readonly AsyncLocal<Func<string, string, bool>?> TestFaults = new();

    /// <summary>A runner that throws where <see cref="TestFaults"/> says and is its inner runner otherwise.</summary>
    private sealed class FaultyRunner : RuleRunner
    {
        private readonly RuleRunner inner;
        private readonly Func<string, string, bool> fault;

        public FaultyRunner(RuleRunner inner, Func<string, string, bool> fault)
            : base(inner.Rule)
        {
            this.inner = inner;
            this.fault = fault;
            WatchesHits = inner.WatchesHits;
        }

        private void Check(string stage)
        {
            if (fault(Rule.Descriptor.Id, stage))
            {
                throw new InvalidOperationException($"test fault in {stage}");
            }
        }

        public override void Line(string line, long number)
        {
            Check("line");
            inner.Line(line, number);
        }

        public override void EndSource()
        {
            Check("end");
            inner.EndSource();
        }

        public override Diagnostic? Judge(DeviceSummary device)
        {
            Check("device");
            return inner.Judge(device);
        }

        public override FindingChange Counted(Hit hit, LogTimestamp? time, bool first) => inner.Counted(hit, time, first);

        public override bool Reportable => inner.Reportable;

        public override string? Value(string name, IReadOnlyList<KeyCount> keys) => inner.Value(name, keys);

        public override KeyCount[] ReachedKeys() => inner.ReachedKeys();

        public override bool KeysTruncated => inner.KeysTruncated;

        public override void WriteFindingState(Utf8JsonWriter json) => inner.WriteFindingState(json);

        public override void ReadFindingState(JsonElement aggregate) => inner.ReadFindingState(aggregate);

        public override IEnumerable<Hit> HeldHits => inner.HeldHits;

        public override bool WriteState(Utf8JsonWriter json, IReadOnlyDictionary<EvidenceContext, int>? contexts) => inner.WriteState(json, contexts);

        public override void ReadState(JsonElement state, IReadOnlyList<EvidenceContext>? contexts) => inner.ReadState(state, contexts);
    }
}
