using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>
/// Seeded simulations of N state machines gossiping over a faulty network (drops, duplicates, reordering,
/// small datagram budgets, tombstone GC and resets). After the faults stop, every replica must equal its
/// owner, and no replica's (last_gc_version, max_version) may ever decrease.
/// </summary>
public sealed class ReconciliationSimulationTests
{
    public static TheoryData<int, int, int> Scenarios => new()
    {
        // seed, nodes, datagram budget
        { 1, 2, 65_507 },
        { 2, 3, 1_200 },
        { 3, 4, 800 },
        { 4, 5, 2_000 },
        { 5, 6, 1_500 },
        { 6, 8, 1_100 },
        { 7, 8, 65_507 },
        { 8, 3, 600 },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Gossip_FaultyNetwork_ConvergesToOwnersState(int seed, int nodeCount, int budget)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider();
        var grace = TimeSpan.FromSeconds(20);
        var nodes = Enumerable.Range(0, nodeCount).Select(i =>
        {
            var config = Config(20_000 + i);
            config.MarkedForDeletionGracePeriod = grace;
            return new ChitchatInstance(config, timeProvider: time, random: new Random(seed * 100 + i)) { MaxDatagramPayloadSize = budget };
        }).ToArray();
        var monotonic = new Dictionary<(int Observer, ChitchatId Node), (ulong, ulong)>();
        var inFlight = new List<(int From, int To, byte[] Datagram)>();

        void Deliver(int from, int to, byte[] datagram)
        {
            ChitchatMessage.TryDeserialize(datagram, out var message, out var error).Should().BeTrue(error.ToString());
            var reply = nodes[to].ProcessMessage(message!);
            CheckMonotonic(to);
            if (reply is not null)
            {
                inFlight.Add((to, from, reply.SerializeToArray()));
            }
        }

        void CheckMonotonic(int observer)
        {
            foreach (var (id, state) in nodes[observer].NodeStates)
            {
                var now = state.MonotonicProperty;
                if (monotonic.TryGetValue((observer, id), out var before))
                {
                    now.CompareTo(before).Should().BeGreaterThanOrEqualTo(0, $"node {observer}'s view of {id} went from {before} to {now}");
                }

                monotonic[(observer, id)] = now;
            }
        }

        // Fault phase.
        for (var step = 0; step < 600; step++)
        {
            var roll = random.NextDouble();
            if (roll < 0.25)
            {
                Mutate(nodes[random.Next(nodeCount)].SelfNodeState, random);
            }
            else if (roll < 0.45)
            {
                var a = random.Next(nodeCount);
                var b = (a + 1 + random.Next(nodeCount - 1)) % nodeCount;
                inFlight.Add((a, b, nodes[a].CreateSynMessage().SerializeToArray()));
            }
            else if (roll < 0.5)
            {
                time.Advance(TimeSpan.FromSeconds(random.Next(1, 8)));
                foreach (var node in nodes)
                {
                    node.GcKeysMarkedForDeletion();
                }

                for (var i = 0; i < nodeCount; i++)
                {
                    CheckMonotonic(i);
                }
            }
            else if (inFlight.Count > 0)
            {
                // Deliver a random in-flight message (reordering), sometimes dropping or duplicating it.
                var index = random.Next(inFlight.Count);
                var (from, to, datagram) = inFlight[index];
                var fate = random.NextDouble();
                if (fate >= 0.1)
                {
                    Deliver(from, to, datagram);
                }

                if (fate >= 0.2)
                {
                    inFlight.Remove((from, to, datagram));
                }
            }
        }

        // Quiet phase: no faults; let time pass so every replica garbage-collects what owners did.
        inFlight.Clear();
        for (var round = 0; round < 30; round++)
        {
            for (var a = 0; a < nodeCount; a++)
            {
                for (var b = 0; b < nodeCount; b++)
                {
                    if (a != b)
                    {
                        Deliver(a, b, nodes[a].CreateSynMessage().SerializeToArray());
                        while (inFlight.Count > 0)
                        {
                            var (from, to, datagram) = inFlight[0];
                            inFlight.RemoveAt(0);
                            Deliver(from, to, datagram);
                        }
                    }
                }
            }

            if (round % 5 == 4)
            {
                time.Advance(grace + grace);
                foreach (var node in nodes)
                {
                    node.GcKeysMarkedForDeletion();
                }
            }
        }

        foreach (var observer in nodes)
        {
            observer.NodeStates.Keys.Should().BeEquivalentTo(nodes.Select(n => n.SelfChitchatId));
            foreach (var owner in nodes)
            {
                observer.NodeState(owner.SelfChitchatId)!.KeyValues
                    .Should().Equal(owner.SelfNodeState.KeyValues, $"{observer.SelfChitchatId} converged on {owner.SelfChitchatId}");
            }
        }
    }

    [Fact]
    public void Gossip_ThousandKeys_ConvergesToFreshPeerInBoundedRounds()
    {
        var random = new Random(7);
        var owner = new ChitchatInstance(Config(10_001), random: new Random(1));
        var totalRaw = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var value = RandomAlphanumeric(random, 200);
            owner.SelfNodeState.Set($"key-{i:D4}", value);
            totalRaw += KeyValueMutation.OpLengthOf($"key-{i:D4}", value);
        }

        var peer = new ChitchatInstance(Config(10_002), random: new Random(2));
        var rounds = 0;
        while (peer.NodeState(owner.SelfChitchatId)?.MaxVersion != 1_000 && rounds < 100)
        {
            RunHandshake(peer, owner);
            rounds++;
        }

        AssertNodesSync(owner, peer);

        // Each SynAck carries at most 65,506 framed bytes and the builder counts at most one 16,384-byte
        // block uncompressed, so at least (65,506 - 16,384 - 3) raw bytes of operations go per round.
        var upperBound = (int)Math.Ceiling(totalRaw / (65_506.0 - 16_384 - 3)) + 1;
        rounds.Should().BeInRange(2, upperBound);
        Console.WriteLine($"1,000 keys of 200 random characters ({totalRaw} raw bytes) converged in {rounds} rounds");
    }

    private static void Mutate(Chitchat.State.NodeState state, Random random)
    {
        var key = $"key-{random.Next(12)}";
        switch (random.Next(5))
        {
            case 0:
            case 1:
                state.Set(key, RandomAlphanumeric(random, random.Next(0, 40)));
                break;
            case 2:
                state.SetWithTtl(key, RandomAlphanumeric(random, random.Next(0, 40)));
                break;
            case 3:
                state.Delete(key);
                break;
            default:
                state.DeleteAfterTtl(key);
                break;
        }
    }

    private static string RandomAlphanumeric(Random random, int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }
}
