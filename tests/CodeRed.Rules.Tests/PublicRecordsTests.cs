using System.ComponentModel;
using System.Reflection;
using CodeRed.Rules.Evaluation;

namespace CodeRed.Rules.Tests;

/// <summary>Issue 10, item 8: records instead of tuples and KeyValuePairs in public members; the 1.0.0 pairs stay, obsolete.</summary>
public class PublicRecordsTests
{
    [Fact]
    public void A_report_lists_its_sources_as_records_and_the_old_pairs_say_the_same()
    {
        var report = TestSupport.Pack.Evaluate(new DeviceEvidence
        {
            Sources = [EvidenceSource.FromText("a.log", "one\ntwo\nthree"), EvidenceSource.FromText("b.log", "")],
        });
        Assert.Equal([new SourceRead("a.log", 3), new SourceRead("b.log", 0)], report.SourcesRead);
#pragma warning disable CS0618 // the obsolete 1.0.0 property, still filled
        Assert.Equal(report.SourcesRead.Select(s => new KeyValuePair<string, long>(s.Name, s.Lines)), report.Sources);
#pragma warning restore CS0618
        var old = typeof(AnalysisReport).GetProperty("Sources")!;
        Assert.Contains("SourcesRead", old.GetCustomAttribute<ObsoleteAttribute>()!.Message, StringComparison.Ordinal);
        Assert.Equal(EditorBrowsableState.Never, old.GetCustomAttribute<EditorBrowsableAttribute>()!.State);
    }

    [Fact]
    public void The_setting_for_all_rules_is_a_record_and_the_old_tuple_says_the_same()
    {
        var none = SeverityConfiguration.FromSettings([new("CR2001", "error")]);
        var off = SeverityConfiguration.FromSettings([new("all", "none")]);
        var warning = SeverityConfiguration.FromSettings([new("all", "warning")]);
        Assert.Null(none.AllRules);
        Assert.Equal(new SeveritySetting(null), off.AllRules);
        Assert.Equal(new SeveritySetting(CodeRed.Rules.DiagnosticSeverity.Warning), warning.AllRules);
#pragma warning disable CS0618 // the obsolete 1.0.0 tuple, still there
        Assert.Equal((false, (CodeRed.Rules.DiagnosticSeverity?)null), none.All);
        Assert.Equal((true, (CodeRed.Rules.DiagnosticSeverity?)null), off.All);
        Assert.Equal((true, (CodeRed.Rules.DiagnosticSeverity?)CodeRed.Rules.DiagnosticSeverity.Warning), warning.All);
#pragma warning restore CS0618
    }

    /// <summary>
    /// Outside the obsolete 1.0.0 members and parameters that take a dictionary's pairs, no public member of the library
    /// or the syslog package uses a tuple or a KeyValuePair (the DI package's PublicAPI files list none either).
    /// </summary>
    [Fact]
    public void No_public_member_returns_a_tuple_or_a_pair_except_the_obsolete_ones()
    {
        static bool Bad(Type t) => t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) || t.FullName!.StartsWith("System.ValueTuple", StringComparison.Ordinal) || t.GetGenericArguments().Any(Bad))
            || (t.HasElementType && Bad(t.GetElementType()!));
        var offenders = new List<string>();
        foreach (var type in new[] { typeof(RulePack), typeof(Syslog.SyslogMessage) }.SelectMany(t => t.Assembly.GetExportedTypes()))
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (member.GetCustomAttribute<ObsoleteAttribute>() is not null)
                {
                    continue;
                }

                var types = member switch
                {
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    MethodInfo m when !m.IsSpecialName => [m.ReturnType, .. m.GetParameters().Where(p => !IsDictionaryInput(p.ParameterType)).Select(p => p.ParameterType)],
                    _ => Array.Empty<Type>(),
                };
                if (types.Any(Bad))
                {
                    offenders.Add($"{type.FullName}.{member.Name}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    /// <summary>A parameter of pairs a dictionary or a configuration section gives as they are (<c>IEnumerable</c> or a list of <c>KeyValuePair</c>).</summary>
    private static bool IsDictionaryInput(Type t) =>
        t.IsGenericType && t.GetGenericArguments() is [var element] && element.IsGenericType && element.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
        && (t.GetGenericTypeDefinition() == typeof(IEnumerable<>) || t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>));
}
