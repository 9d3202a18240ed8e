using System.Net;
using Chitchat.Transport;
using static Chitchat.IntegrationTests.InMemoryCluster;

namespace Chitchat.IntegrationTests;

/// <summary>Clusters over the AES-GCM transport on real UDP sockets on 127.0.0.1 (ports chosen by the OS).</summary>
public sealed class EncryptedClusterTests
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(15);
    private static readonly UdpTransport s_udp = new();
    private static readonly byte[] s_key1 = Key(0x31);
    private static readonly byte[] s_key2 = Key(0x32);

    [Fact]
    public async Task ThreeEncryptedNodes_Converge_AndShareKeysWithinTheEncryptedBudget()
    {
        var transport = Encrypted(EncryptionMode.Require, s_key1);
        var nodes = await SpawnChainAsync([transport, transport, transport]);
        try
        {
            await WaitForAllLiveAsync(nodes);
            nodes[0].WithChitchat(chitchat => chitchat.MaxDatagramPayloadSize).Should().Be(65_507 - 36);

            // More state than one datagram holds: deltas are cut to the encrypted budget and still arrive.
            var value = new string('v', 200);
            nodes[2].WithChitchat(chitchat =>
            {
                for (var i = 0; i < 600; i++)
                {
                    chitchat.SelfNodeState.Set($"key-{i:D4}", value);
                }

                return 0;
            });
            await Eventually.HoldsAsync(
                () => nodes[0].WithChitchat(chitchat => chitchat.NodeState(nodes[2].ChitchatId)?.Get("key-0599")) == value,
                Propagation,
                "node 0 has all of node 2's 120 KB of keys");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
        }
    }

    [Fact]
    public async Task RequireNodeAndPlaintextNode_NeverSeeEachOther()
    {
        var encrypted = Encrypted(EncryptionMode.Require, s_key1);
        var nodes = await SpawnChainAsync([encrypted, encrypted, s_udp]);
        try
        {
            await WaitForLiveNodesAsync(nodes[0], [nodes[0].ChitchatId, nodes[1].ChitchatId]);
            await WaitForLiveNodesAsync(nodes[1], [nodes[0].ChitchatId, nodes[1].ChitchatId]);

            // The plaintext node has gossiped with both for a while: nobody learnt anything.
            await Task.Delay(TimeSpan.FromSeconds(1));
            nodes[2].Chitchat.LiveMembers.Current.Should().BeEquivalentTo([nodes[2].ChitchatId]);
            nodes[0].WithChitchat(chitchat => chitchat.NodeState(nodes[2].ChitchatId)).Should().BeNull();
            nodes[1].WithChitchat(chitchat => chitchat.NodeState(nodes[2].ChitchatId)).Should().BeNull();
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
        }
    }

    [Fact]
    public async Task EncryptedNodesWithDifferentKeys_NeverSeeEachOther()
    {
        var nodes = await SpawnChainAsync([Encrypted(EncryptionMode.Require, s_key1), Encrypted(EncryptionMode.Accept, s_key2)]);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            foreach (var node in nodes)
            {
                node.Chitchat.LiveMembers.Current.Should().BeEquivalentTo([node.ChitchatId]);
            }
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
        }
    }

    /// <summary>
    /// A rolling migration: at every moment the cluster holds nodes of two neighbouring steps (plaintext and
    /// prepare, prepare and accept, accept and require), and each such mix converges.
    /// </summary>
    [Theory]
    [InlineData("plaintext", "prepare")]
    [InlineData("prepare", "accept")]
    [InlineData("accept", "require")]
    public async Task Migration_NeighbouringSteps_Converge(string before, string after)
    {
        var nodes = await SpawnChainAsync([Step(before), Step(after), Step(before), Step(after)]);
        try
        {
            await WaitForAllLiveAsync(nodes);
            nodes[1].WithChitchat(chitchat => chitchat.SelfNodeState.Set("migrated", "yes"));
            await Eventually.HoldsAsync(
                () => nodes.All(node => node.WithChitchat(chitchat => chitchat.NodeState(nodes[1].ChitchatId)?.Get("migrated")) == "yes"),
                Propagation,
                "every node has node 1's key");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
        }
    }

    /// <summary>A rolling key rotation: each mix of neighbouring keyrings converges.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task KeyRotation_NeighbouringSteps_Converge(int step)
    {
        ITransport[] steps =
        [
            Encrypted(EncryptionMode.Require, s_key1),
            Encrypted(EncryptionMode.Require, s_key1, s_key2),
            Encrypted(EncryptionMode.Require, s_key2, s_key1),
            Encrypted(EncryptionMode.Require, s_key2),
        ];
        var nodes = await SpawnChainAsync([steps[step], steps[step + 1], steps[step]]);
        try
        {
            await WaitForAllLiveAsync(nodes);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
        }
    }

    [Fact]
    public async Task UnverifiedSource_ReplyOnTheWireNoLargerThanTheRequestIncludingTheEncryptionOverhead()
    {
        var keys = Enumerable.Range(0, 200).Select(i => new KeyValuePair<string, string>($"key-{i:D3}", new string('x', 100)));
        var config = NodeConfig(new ChitchatId("amplifier", 1, new IPEndPoint(IPAddress.Loopback, 0)), [], TimeSpan.FromSeconds(20));
        foreach (var (key, value) in keys)
        {
            config.InitialKeyValues[key] = value;
        }

        await using var server = await ChitchatServer.SpawnChitchatAsync(config, Encrypted(EncryptionMode.Accept, s_key1));
        var address = server.ListenEndPoint;
        await using var encrypted = await Encrypted(EncryptionMode.Require, s_key1).OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var plaintext = await s_udp.OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var emptySyn = new Wire.ChitchatMessage.Syn(config.ClusterId, new Wire.Digest());

        var sent = await encrypted.SendAsync(address, emptySyn);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = await encrypted.ReceiveAsync(timeout.Token);

        sent.Should().Be(emptySyn.SerializedLength + 36);
        reply.Message.Should().BeOfType<Wire.ChitchatMessage.SynAck>();
        reply.ByteCount.Should().BeLessThanOrEqualTo(sent);

        // A 23-byte plaintext Syn cannot get an encrypted answer of at most 23 bytes: none is sent.
        await plaintext.SendAsync(address, emptySyn);
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var receive = async () => await plaintext.ReceiveAsync(shortWait.Token);
        await receive.Should().ThrowAsync<OperationCanceledException>();
    }

    private static byte[] Key(byte value)
    {
        var key = new byte[32];
        Array.Fill(key, value);
        return key;
    }

    private static ITransport Encrypted(EncryptionMode mode, byte[] primary, params byte[][] decryptOnly) =>
        s_udp.WithEncryption(EncryptionKeyring.Create(primary, decryptOnly), "default-cluster", mode);

    private static ITransport Step(string name) => name switch
    {
        "plaintext" => s_udp,
        "prepare" => Encrypted(EncryptionMode.Prepare, s_key1),
        "accept" => Encrypted(EncryptionMode.Accept, s_key1),
        _ => Encrypted(EncryptionMode.Require, s_key1),
    };

    private static async Task WaitForAllLiveAsync(IReadOnlyList<ChitchatHandle> nodes)
    {
        var ids = nodes.Select(node => node.ChitchatId).ToList();
        foreach (var node in nodes)
        {
            await WaitForLiveNodesAsync(node, ids);
        }
    }

    /// <summary>Spawns one node per transport; every node after the first is seeded with the first one.</summary>
    private static async Task<List<ChitchatHandle>> SpawnChainAsync(IReadOnlyList<ITransport> transports)
    {
        var nodes = new List<ChitchatHandle>();
        try
        {
            for (var i = 0; i < transports.Count; i++)
            {
                var seeds = i == 0 ? [] : new[] { nodes[0].ChitchatId.GossipAdvertiseAddr.ToString() };
                nodes.Add(await SpawnAsync(transports[i], $"enc-{i}", seeds));
            }

            return nodes;
        }
        catch
        {
            await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())); // one transport per node: no TestCluster
            throw;
        }
    }

    private static Task<ChitchatHandle> SpawnAsync(ITransport transport, string nodeId, IEnumerable<string> seeds)
    {
        // Port 0: the node binds a free port and advertises it.
        var config = NodeConfig(new ChitchatId(nodeId, 1, new IPEndPoint(IPAddress.Loopback, 0)), seeds, TimeSpan.FromSeconds(20));
        return ChitchatServer.SpawnChitchatAsync(config, transport);
    }
}
