namespace Chitchat.Cli.Common;

/// <summary>The process exit codes of the <c>chitchat</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command ran but failed (a node could not start, a demo step timed out, a datagram is malformed).</summary>
    public const int Failure = 1;

    /// <summary>The command line is invalid (unknown flag, bad value).</summary>
    public const int Usage = 2;

    /// <summary>The run was interrupted by Ctrl+C before it completed (128 + SIGINT, the shell convention).</summary>
    public const int Interrupted = 130;
}
