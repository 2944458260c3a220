using CodeRed.Rules.Matching;

namespace CodeRed.Rules.Evaluation;

internal sealed partial class Evaluator
{
    /// <summary>A rule written in C# (<see cref="CodeRule"/>): it sees the lines its prefilter literals let through and reports hits.</summary>
    private sealed class CodeRunner(CompiledRule rule, CodeRule code, SourceScan scan) : RuleRunner(rule)
    {
        private readonly CodeRuleLine _line = new();
        private Action<CodeRuleLine, long, IReadOnlyList<KeyValuePair<string, string>>>? _report;

        public override void Line(string line, long number)
        {
            _line.Set(line, scan.Name, number, _report ??= Report);
            code.Analyze(_line);
        }

        private void Report(CodeRuleLine line, long column, IReadOnlyList<KeyValuePair<string, string>> values)
        {
            var at = (int)Math.Min(column, int.MaxValue);
            var hit = new Hit(line.Number, scan.Offset + at, line.Text, null) { Context = scan.ContextFor(Rule, line.Number, line.Text, at, 0) };
            scan.Count(Rule, hit, null, values.Select(v => (v.Key, v.Value)).ToArray());
        }
    }
}
