using System.Text;
using CodeRed.Cli;
using CodeRed.Rules.IO;

Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
try
{
    Console.OutputEncoding = new UTF8Encoding(false);
}
catch (IOException)
{
    // No terminal to tell (stdout closed or not a console): the bytes are UTF-8 anyway.
}

using var stdout = Console.OpenStandardOutput();
using var stdin = Console.OpenStandardInput();
var stdinIsPiped = FileTree.IsFileOrPipe(0) ?? Console.IsInputRedirected;
var noColor = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Environment.GetEnvironmentVariable("TERM") == "dumb";
return CliApp.Run(args, stdin, stdout, Console.Error, stderrIsTerminal: !Console.IsErrorRedirected, stdinIsPiped: stdinIsPiped, stdoutIsTerminal: !Console.IsOutputRedirected, noColor: noColor);
