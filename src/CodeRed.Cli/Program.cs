using System.Text;
using CodeRed.Cli;

Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
Console.OutputEncoding = new UTF8Encoding(false);
using var stdout = Console.OpenStandardOutput();
using var stdin = Console.OpenStandardInput();
return CliApp.Run(args, stdin, stdout, Console.Error, stderrIsTerminal: !Console.IsErrorRedirected);
