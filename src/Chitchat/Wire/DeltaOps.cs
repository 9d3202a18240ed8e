namespace Chitchat.Wire;

/// <summary>Encodes the three delta operations.</summary>
internal static class DeltaOps
{
    public const byte NodeTag = 0;
    public const byte KeyValueTag = 1;
    public const byte SetMaxVersionTag = 2;

    public static void WriteNode(Span<byte> destination, ChitchatId id, ulong lastGcVersion, ulong fromVersionExcluded)
    {
        var writer = new WireWriter(destination);
        writer.WriteU8(NodeTag);
        writer.WriteChitchatId(id);
        writer.WriteU64(lastGcVersion);
        writer.WriteU64(fromVersionExcluded);
    }

    public static void WriteKeyValue(Span<byte> destination, string key, string value, ulong version, DeletionStatus status)
    {
        var writer = new WireWriter(destination);
        writer.WriteU8(KeyValueTag);
        writer.WriteString(key);
        writer.WriteString(value);
        writer.WriteU64(version);
        writer.WriteU8((byte)status);
    }

    public static void WriteSetMaxVersion(Span<byte> destination, ulong maxVersion)
    {
        var writer = new WireWriter(destination);
        writer.WriteU8(SetMaxVersionTag);
        writer.WriteU64(maxVersion);
    }
}
