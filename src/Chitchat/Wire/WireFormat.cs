using System.Text;

namespace Chitchat.Wire;

/// <summary>Constants and size helpers of the chitchat wire format.</summary>
internal static class WireFormat
{
    /// <summary>The magic number at the start of every message (bytes <c>53 b0</c>).</summary>
    public const ushort MagicNumber = 45_139;

    /// <summary>The newest protocol version this library speaks.</summary>
    public const ProtocolVersion LatestProtocolVersion = Chitchat.ProtocolVersion.V1;

    /// <summary>
    /// The budget of an Ack's delta: the datagram payload less the 4-byte header (chitchat 0.13; 0.10 reserved
    /// only one byte, so its Acks were cut 3 bytes later).
    /// </summary>
    public const int AckDeltaBudget = MaxUdpDatagramPayloadSize - HeaderLength;

    /// <summary>Size of the message header: magic, version and message type.</summary>
    public const int HeaderLength = 4;

    /// <summary>The largest UDP payload chitchat budgets for (the IPv4 UDP maximum).</summary>
    public const int MaxUdpDatagramPayloadSize = 65_507;

    /// <summary>
    /// Delta blocks are cut every this many uncompressed bytes (or the MTU when smaller); V1 digest blocks
    /// always at this many.
    /// </summary>
    public const int BlockThreshold = 16_384;

    /// <summary>The delta builder refuses budgets below this many bytes.</summary>
    public const int MinimumDeltaMtu = 100;

    /// <summary>A compressed block may not decompress to more than this many bytes.</summary>
    public const int MaxDecompressedBlockLength = ushort.MaxValue;

    /// <summary>Length of a block header (type byte + u16 length).</summary>
    public const int BlockHeaderLength = 3;

    public static void EnsureStringLength(int byteCount)
    {
        if (byteCount > ushort.MaxValue)
        {
            throw new ArgumentException(
                $"A string of {byteCount} UTF-8 bytes cannot be encoded: the chitchat wire format allows at most {ushort.MaxValue}.");
        }
    }

    /// <summary>Returns the UTF-8 byte count of <paramref name="value"/>, throwing if it cannot be encoded.</summary>
    public static int GetStringByteCount(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        EnsureStringLength(byteCount);
        return byteCount;
    }

    /// <summary>Encoded length of a string: u16 length prefix + UTF-8 bytes.</summary>
    public static int StringLength(string value) => 2 + GetStringByteCount(value);
}
