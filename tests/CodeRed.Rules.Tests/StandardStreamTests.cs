using static CodeRed.Rules.Tests.TestSupport;

namespace CodeRed.Rules.Tests;

/// <summary>
/// Issue 14 item 5: the real binary with closed or full standard streams and a reader that goes away. Before,
/// a closed stderr aborted with SIGABRT (134), a closed stdout was an "internal error", and a fleet piped into
/// <c>head -1</c> was analysed to the end for nobody.
/// </summary>
public class StandardStreamTests
{
    [LinuxFact]
    public void Closed_or_full_stderr_still_exits_2_without_an_abort()
    {
        var r = ProcessSupport.Shell("$CODERED analyze no-such.log 2>&-; echo \"closed=$?\"; $CODERED analyze no-such.log 2>/dev/full; echo \"full=$?\"");
        Assert.Contains("closed=2", r.Stdout);
        Assert.Contains("full=2", r.Stdout);
    }

    [LinuxFact]
    public void Closed_or_full_stdout_is_one_clear_message_and_exit_2()
    {
        var closed = ProcessSupport.Shell("$CODERED rules list >&-");
        Assert.Equal(2, closed.ExitCode);
        Assert.Contains("codered: cannot write to standard output", closed.Stderr);
        Assert.DoesNotContain("internal error", closed.Stderr);

        var full = ProcessSupport.Shell("$CODERED analyze --model AR320 >/dev/full");
        Assert.Equal(2, full.ExitCode);
        Assert.Contains("codered: cannot write to standard output (No space left on device)", full.Stderr);
    }

    [LinuxFact]
    public void A_reader_that_goes_away_stops_the_run_at_once_and_quietly()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 3000; i++)
        {
            dir.Write($"r{i:D4}.log", "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1\n");
        }

        // The fleet's status through the pipe: 141 is what a process killed by SIGPIPE reports.
        var r = ProcessSupport.Shell($"{{ $CODERED analyze {dir.Path}; echo \"rc=$?\" >&2; }} | head -1");
        Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("rc=141", r.Stderr.Trim());
    }

    [LinuxFact]
    public void Piped_stdin_is_read_and_dev_null_is_not()
    {
        var piped = ProcessSupport.Shell("printf 'DirBcast Fail 10.0.0.1>10.0.0.255 Prot=6 Int=eth0\\n' | $CODERED analyze --model AR320");
        Assert.Equal(1, piped.ExitCode);
        Assert.Contains("CR2002", piped.Stdout);

        var devNull = ProcessSupport.Shell("$CODERED analyze --model AR320 --firmware '2.0.4 PL 7' </dev/null");
        Assert.Equal(0, devNull.ExitCode);
        Assert.DoesNotContain("-:", devNull.Stdout, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Colour_on_a_terminal_unless_no_color_is_set()
    {
        if (ProcessSupport.Shell("command -v script").ExitCode != 0)
        {
            Assert.Fail("'script' (util-linux) is needed to give the CLI a terminal");
        }

        var tty = ProcessSupport.Shell("script -qec \"$CODERED analyze --model AR130\" /dev/null");
        Assert.Contains("\u001b[33mwarning", tty.Stdout, StringComparison.Ordinal);
        var noColor = ProcessSupport.Shell("NO_COLOR=1 script -qec \"$CODERED analyze --model AR130\" /dev/null");
        Assert.Contains("warning", noColor.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[33m", noColor.Stdout, StringComparison.Ordinal); // (.NET's own terminal set-up codes may be there)
        Assert.DoesNotContain("\u001b[0m", noColor.Stdout, StringComparison.Ordinal);
    }
}
