using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Chitchat.Testing.Simulation;

/// <summary>
/// A running 64-bit hash of the delivered datagrams (time, sender, receiver, bytes): two runs with the same hash
/// delivered the same datagrams at the same times. Not cryptographic; word-at-a-time so that hashing stays a small
/// share of a large run.
/// </summary>
internal struct TraceHash
{
    private const ulong Prime = 0x9E3779B97F4A7C15;

    private ulong _state;

    public TraceHash()
    {
        _state = 0xCBF29CE484222325;
    }

    public readonly ulong Value => Finalize(_state);

    public void Add(long time, int from, int to, ReadOnlySpan<byte> datagram)
    {
        Mix((ulong)time);
        Mix(((ulong)(uint)from << 32) | (uint)to);
        Mix((ulong)datagram.Length);
        var words = MemoryMarshal.Cast<byte, ulong>(datagram);
        foreach (var word in words)
        {
            Mix(BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        var tail = datagram[(words.Length * sizeof(ulong))..];
        ulong last = 0;
        for (var i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }

        Mix(last);
    }

    private void Mix(ulong value) => _state = (ulong.RotateLeft(_state ^ value, 29) * Prime) + 0x632BE59BD9B4E019;

    private static ulong Finalize(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        return h ^ (h >> 33);
    }
}
