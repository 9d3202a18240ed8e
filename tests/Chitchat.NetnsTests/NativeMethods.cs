using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Chitchat.NetnsTests;

/// <summary>The two system calls the tests need: who runs them, and entering a network namespace.</summary>
internal static partial class NativeMethods
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Gets whether the test host runs as root (needed to create namespaces).</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    /// <summary>
    /// Creates a TCP socket in the network namespace <paramref name="namespaceName"/>. A socket belongs for life to
    /// the namespace of the thread that created it, so it is created on a short-lived thread that enters the
    /// namespace first; the test host's own threads never change namespace.
    /// </summary>
    public static Socket CreateTcpSocketIn(string namespaceName, AddressFamily family = AddressFamily.InterNetwork)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{namespaceName}");
                if (SetNamespace((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns({namespaceName}) failed");
                }

                socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (Exception ex)
            {
                error = ex;
            }
        })
        {
            IsBackground = true,
            Name = "netns socket",
        };
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"cannot create a socket in namespace {namespaceName}", error);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nsType);
}
