using System.Text;
using CodeRed.Cli;
using CodeRed.Rules.IO;
using Microsoft.Win32.SafeHandles;

Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
EnvironmentCulture.Apply(Environment.GetEnvironmentVariable);
try
{
    Console.OutputEncoding = new UTF8Encoding(false);
}
catch (IOException)
{
    // No terminal to tell (stdout closed or not a console): the bytes are UTF-8 anyway.
}

using var stdout = OpenStandardOutput();
using var stdin = Console.OpenStandardInput();
var stdinIsPiped = FileTree.IsFileOrPipe(0) ?? Console.IsInputRedirected;
var noColor = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Environment.GetEnvironmentVariable("TERM") == "dumb";
return CliApp.Run(args, stdin, stdout, Console.Error, stderrIsTerminal: !Console.IsErrorRedirected, stdinIsPiped: stdinIsPiped, stdoutIsTerminal: !Console.IsOutputRedirected, noColor: noColor);

// A pipe as a plain file stream, not the console stream: .NET's console stream pretends a write to a closed pipe
// succeeded, so 'codered analyze DIR | head -1' would analyse the whole fleet for nobody. A file stream reports
// EPIPE, and the CLI stops at once (exit 141, as a process killed by SIGPIPE). Only a pipe: on a regular file a
// file stream writes at its own offset and would overwrite what others write to the same file.
static Stream OpenStandardOutput()
{
    if (FileTree.IsPipe(1))
    {
        try
        {
            return new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Closed or unusable: the console stream reports the failure at the first write.
        }
    }

    return Console.OpenStandardOutput();
}
