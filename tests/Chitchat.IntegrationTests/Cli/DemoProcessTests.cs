using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary><c>chitchat demo</c>, the README's main command, run as a process with its output redirected.</summary>
public sealed class DemoProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_RedirectedOutput_RunsEveryStepAndExitsWithCode0()
    {
        var result = await CliTool.RunAsync(TimeSpan.FromSeconds(90), null, "demo");
        output.WriteLine(result.StandardOutput);

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should()
            .Contain("Step 1/5").And.Contain("the cluster converged, every node sees all 5 nodes live")
            .And.Contain("Step 2/5").And.Contain("the key reached all 5 nodes")
            .And.Contain("Step 3/5").And.Contain("node-4 crashed").And.Contain("all 4 survivors declared node-4 dead")
            .And.Contain("Step 4/5").And.Contain("rejoined, every node sees all 5 nodes live")
            .And.Contain("Step 5/5").And.Contain("every node forgot the old incarnation of node-4")
            .And.Contain("Summary: all 5 steps completed in");
        result.StandardOutput.Should().NotContain("\u001b[", "redirected output is plain text, without terminal escape codes");
        result.StandardOutput.Should().NotContain("FAILED");
    }

    [Fact]
    public async Task Demo_BasePortTaken_ExitsWithCode1AndSaysWhy()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;

        var result = await CliTool.RunAsync(TimeSpan.FromSeconds(30), null, "demo", "--nodes", "2", "--base_port", port.ToString());

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("cannot start a demo node").And.Contain(port.ToString());
    }
}
