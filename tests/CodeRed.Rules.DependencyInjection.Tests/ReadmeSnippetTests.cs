using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CodeRed.Rules.DependencyInjection.Tests;

/// <summary>
/// The README's C# blocks compile as written: each is a console program with the usings a new console app has
/// (ImplicitUsings), against the library, the DI package and the Microsoft.Extensions assemblies a host has.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    /// <summary>The global usings of <c>dotnet new console</c> (Microsoft.NET.Sdk's ImplicitUsings).</summary>
    private const string ConsoleImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [GeneratedRegex(@"^```csharp\r?\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    private static string RepoRoot { get; } = typeof(ReadmeSnippetTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static TheoryData<int> Snippets()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Blocks().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static List<string> Blocks() =>
        CSharpBlock().Matches(File.ReadAllText(Path.Combine(RepoRoot, "README.md"))).Select(m => m.Groups["code"].Value).ToList();

    [Fact]
    public void The_README_has_CSharp_snippets() => Assert.True(Blocks().Count >= 4, $"{Blocks().Count} blocks");

    [Theory]
    [MemberData(nameof(Snippets))]
    public void A_README_snippet_compiles_as_written(int index)
    {
        var code = Blocks()[index];
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            $"ReadmeSnippet{index}",
            [CSharpSyntaxTree.ParseText(code, options, "snippet.cs"), CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, options, "usings.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var errors = result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, $"README snippet {index + 1} does not compile:\n{string.Join("\n", errors)}\n---\n{code}");
    }

    /// <summary>The framework, and every assembly beside the tests (CodeRed.Rules, its DI package, Microsoft.Extensions.*).</summary>
    private static List<MetadataReference> References()
    {
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(f => Path.GetFileName(f).StartsWith("CodeRed.Rules", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));
        return framework.Concat(beside)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.Last()))
            .ToList();
    }
}
