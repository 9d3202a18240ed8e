using System.Net;

namespace Chitchat.Testing;

/// <summary>
/// The links a partition decorator (<see cref="TransportExtensions.Partition"/>) cuts: messages from one
/// endpoint to another are dropped while their link is blocked, like datagrams lost in a network split.
/// </summary>
/// <remarks>Thread-safe: links may be blocked and healed while nodes gossip.</remarks>
public sealed class NetworkPartitions
{
    private readonly Lock _gate = new();
    private HashSet<(IPEndPoint From, IPEndPoint To)> _blocked = [];

    /// <summary>Blocks the messages sent from <paramref name="from"/> to <paramref name="to"/> (one direction).</summary>
    /// <param name="from">The sender's local endpoint.</param>
    /// <param name="to">The destination.</param>
    public void Block(IPEndPoint from, IPEndPoint to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        Update(links => links.Add((from, to)));
    }

    /// <summary>Splits the network: no message crosses between <paramref name="side"/> and <paramref name="otherSide"/>, in either direction.</summary>
    /// <param name="side">The endpoints on one side.</param>
    /// <param name="otherSide">The endpoints on the other side.</param>
    public void Split(IEnumerable<IPEndPoint> side, IEnumerable<IPEndPoint> otherSide)
    {
        ArgumentNullException.ThrowIfNull(side);
        ArgumentNullException.ThrowIfNull(otherSide);
        var left = side.ToList();
        var right = otherSide.ToList();
        Update(links =>
        {
            foreach (var a in left)
            {
                foreach (var b in right)
                {
                    links.Add((a, b));
                    links.Add((b, a));
                }
            }
        });
    }

    /// <summary>Unblocks every link.</summary>
    public void Heal() => Update(links => links.Clear());

    /// <summary>Returns whether messages from <paramref name="from"/> to <paramref name="to"/> are dropped.</summary>
    /// <param name="from">The sender's local endpoint.</param>
    /// <param name="to">The destination.</param>
    /// <returns>Whether the link is blocked.</returns>
    public bool IsBlocked(IPEndPoint from, IPEndPoint to)
    {
        var blocked = Volatile.Read(ref _blocked);
        return blocked.Count != 0 && blocked.Contains((from, to));
    }

    // Copy-on-write, so that the send path reads the set without locking.
    private void Update(Action<HashSet<(IPEndPoint From, IPEndPoint To)>> change)
    {
        lock (_gate)
        {
            var copy = new HashSet<(IPEndPoint From, IPEndPoint To)>(_blocked);
            change(copy);
            Volatile.Write(ref _blocked, copy);
        }
    }
}
