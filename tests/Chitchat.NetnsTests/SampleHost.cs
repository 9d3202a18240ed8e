using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json;

namespace Chitchat.NetnsTests;

/// <summary>
/// samples/Chitchat.Sample.Web (an ASP.NET Core service joining the cluster with AddChitchat) running in its host's
/// namespace, its gossip socket and HTTP server bound to the host's address. Disposing it kills the process.
/// </summary>
internal sealed class SampleHost : IAsyncDisposable
{
    /// <summary>The sample's HTTP port (gossip uses <see cref="NetnsLab.Port"/>).</summary>
    public const int HttpPort = 8080;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> s_assemblyPath = new(() =>
        typeof(SampleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "SampleWebPath").Value!);

    private readonly HttpClient _http;

    private SampleHost(string nodeId, int host, CliProcess process, HttpClient http)
    {
        NodeId = nodeId;
        Host = host;
        Process = process;
        _http = http;
    }

    public string NodeId { get; }

    public int Host { get; }

    public CliProcess Process { get; }

    /// <summary>Starts the sample as <paramref name="nodeId"/> on <paramref name="host"/> and waits until /members answers.</summary>
    public static async Task<SampleHost> StartAsync(NetnsLab lab, int host, string nodeId, string role, string? seed, params string[] settings)
    {
        var address = NetnsLab.AddressOf(host);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(s_assemblyPath.Value)!,
        };
        string[] args =
        [
            "netns", "exec", lab.NamespaceOf(host), dotnet, s_assemblyPath.Value,
            $"--urls=http://{address}:{HttpPort}",
            "--Logging:LogLevel:Default=Warning",
            $"--Role={role}",
            $"--Chitchat:NodeId={nodeId}",
            "--Chitchat:ClusterId=netns-sample",
            $"--Chitchat:ListenAddress={NetnsLab.EndpointOf(host)}",
            .. seed is null ? Array.Empty<string>() : [$"--Chitchat:SeedNodes:0={seed}"],
            .. settings,
        ];
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["NO_COLOR"] = "1";
        var http = NamespaceHttp.Create(lab.NamespaceOf(host), new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{address}:{HttpPort}/")));
        var sample = new SampleHost(nodeId, host, new CliProcess(startInfo), http);
        var stopwatch = Stopwatch.StartNew();
        while (await sample.TryGetMembersAsync() is null)
        {
            if (sample.Process.HasExited || stopwatch.Elapsed > s_startTimeout)
            {
                var description = sample.Process.Describe();
                await sample.DisposeAsync();
                throw new InvalidOperationException($"the sample {nodeId} on host {host} did not start.\n{description}");
            }

            await Task.Delay(100);
        }

        return sample;
    }

    /// <summary>GET /members: (node id, state, role, gossip address) of every member, or null without an answer.</summary>
    public async Task<IReadOnlyList<SampleMember>?> TryGetMembersAsync()
    {
        try
        {
            using var response = await _http.GetAsync(new Uri("/members", UriKind.Relative));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.GetProperty("members").EnumerateArray()
                .Select(member => new SampleMember(
                    member.GetProperty("nodeId").GetString()!,
                    member.GetProperty("state").GetString()!,
                    member.GetProperty("role").GetString(),
                    member.GetProperty("gossipAddress").GetString()!))
                .ToList();
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _http.Dispose();
    }

    public override string ToString() => $"sample {NodeId} on host {Host}";
}

/// <summary>One member as the sample's /members lists it.</summary>
internal sealed record SampleMember(string NodeId, string State, string? Role, string GossipAddress);
