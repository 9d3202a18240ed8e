using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// Port of chitchat <c>serialize.rs</c> block-stream tests: the writer is fed
/// u16-prefixed UTF-8 strings, and the stream is decoded back with <see cref="BlockStream"/>.
/// </summary>
public sealed class CompressedStreamWriterTests
{
    internal static readonly string[] TextSamples =
    [
        "I'm happy.",
        "She exercises every morning.",
        "His dog barks loudly.",
        "My school starts at 8:00.",
        "We always eat dinner together.",
        "They take the bus to work.",
        "He doesn't like vegetables.",
        "I don't want anything to drink.",
        "hello Happy tax payer",
        "do you like tea?",
    ];

    [Fact]
    public void TryDecode_EveryBlockTypeByte_ExactlyThreeTypesAreValid()
    {
        // TA5 test_serialize_block_type. Each byte b is tried as the type of an empty block: b 00 00, then 00.
        var valid = new List<byte>();
        for (var b = 0; b <= byte.MaxValue; b++)
        {
            if (BlockStream.TryDecode([(byte)b, 0, 0, 0], out _, out _, out var error)
                || error.Kind != DecodeErrorKind.InvalidBlockType)
            {
                valid.Add((byte)b);
            }
        }

        valid.Should().Equal(0, 1, 2);

        // And the writer emits each of them: 00 (end), 01 (compressible block), 02 (incompressible block).
        new CompressedStreamWriter(100).Finish().Should().Equal(0x00);
        Finish(1_000, [new string('a', 200)])[0].Should().Be(1);
        Finish(1_000, ["xu1Y3l"])[0].Should().Be(2);
    }

    [Fact]
    public void Finish_HundredSentencesThreshold1000_CompressesThreefoldAndDecodes()
    {
        // TA6 test_compressed_serialized_stream
        var sentences = Enumerable.Range(0, 100).Select(i => TextSamples[i % TextSamples.Length]).ToList();
        var uncompressedLength = sentences.Sum(s => s.Length);

        var stream = Finish(1_000, sentences);

        uncompressedLength.Should().Be(2_350);
        (3 * stream.Length).Should().BeLessThan(uncompressedLength);
        stream.Length.Should().Be(631, "libzstd 1.5.4 gives 631 bytes (zstd-dependent)");
        DecodeStrings(stream, out var consumed).Should().Equal(sentences);
        consumed.Should().Be(stream.Length);
    }

    [Fact]
    public void Finish_SentencesThenRandomStringsThreshold200_DecodesAll()
    {
        // TA7 test_compressed_serialized_stream_with_random_data
        var random = new Random(7);
        const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var items = Enumerable.Range(0, 100).Select(i => TextSamples[i % TextSamples.Length])
            .Concat(Enumerable.Range(0, 30).Select(_ => new string(random.GetItems(Alphanumeric.AsSpan(), 30))))
            .ToList();

        var stream = Finish(200, items);

        DecodeStrings(stream, out var consumed).Should().Equal(items);
        consumed.Should().Be(stream.Length);
        var blocks = WireBytes.Blocks(stream);
        blocks.Should().Contain(b => b.Type == 1);
        WireBytes.DecodeBlockStream(stream, out _).Length.Should().Be(items.Sum(s => 2 + s.Length));
    }

    [Fact]
    public void SerializedLengthUpperBoundAfter_IncompressibleItemOnEmptyWriter_IsExact()
    {
        // TA8 (a): threshold 10, "xu1Y3l" (8 bytes): 3 + 0 + 0 + 8 + 1 = 12.
        using var writer = new CompressedStreamWriter(10);

        var bound = writer.SerializedLengthUpperBoundAfter(8);
        AppendString(writer, "xu1Y3l");

        bound.Should().Be(12);
        writer.Finish().Should().HaveCount(12);
    }

    [Fact]
    public void SerializedLengthUpperBoundAfter_ItemNeedingNewBlock_CountsTwoBlockHeaders()
    {
        // TA8 (b): threshold 10, "pTs2yYd" (9 bytes) then "vLQRFPN6" (10 bytes): 3 + 0 + 9 + 3 + 10 + 1 = 26.
        using var writer = new CompressedStreamWriter(10);
        AppendString(writer, "pTs2yYd");

        var bound = writer.SerializedLengthUpperBoundAfter(10);
        AppendString(writer, "vLQRFPN6");
        var stream = writer.Finish();

        bound.Should().Be(26);
        stream.Should().HaveCount(26);
        WireBytes.Blocks(stream).Should().Equal(((byte)2, 10), ((byte)2, 9)); // cut at 10 bytes, not at the item
        DecodeStrings(stream, out _).Should().Equal("pTs2yYd", "vLQRFPN6");
    }

    [Fact]
    public void Finish_EmptyString_DecodesOneEmptyValueWithinBound()
    {
        // TA9 test_empty
        using var writer = new CompressedStreamWriter(1_000);

        var bound = writer.SerializedLengthUpperBoundAfter(2);
        AppendString(writer, string.Empty);
        var stream = writer.Finish();

        bound.Should().Be(6);
        stream.Length.Should().BeLessThanOrEqualTo(bound);
        DecodeStrings(stream, out _).Should().Equal(string.Empty);
    }

    [Theory]
    [InlineData(10, 10, new[] { 10 })]    // exactly the threshold: one block
    [InlineData(10, 11, new[] { 10, 1 })] // one byte more: a full block and a 1-byte tail block
    [InlineData(10, 25, new[] { 10, 10, 5 })]
    public void CommitItem_PendingAboveThreshold_CutsBlocksOfExactlyThreshold(int threshold, int itemLength, int[] expectedBlocks)
    {
        using var writer = new CompressedStreamWriter(threshold);
        var item = Enumerable.Range(0, itemLength).Select(i => (byte)(i * 37)).ToArray();

        writer.Append(item);
        var stream = writer.Finish();

        WireBytes.Blocks(stream).Select(b => b.Length).Should().Equal(expectedBlocks);
        WireBytes.DecodeBlockStream(stream, out _).Should().Equal(item);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_536)]
    public void Constructor_ThresholdOutsideU16_Throws(int threshold)
    {
        var create = () => new CompressedStreamWriter(threshold);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void CommitItem_ItemLongerThan65535Bytes_ThrowsInvalidOperation()
    {
        using var writer = new CompressedStreamWriter(16_384);
        writer.GetItemSpan(65_536);

        var commit = () => writer.CommitItem(65_536);

        commit.Should().Throw<InvalidOperationException>();
    }

    /// <summary>Appends a u16-prefixed UTF-8 string (the item type of the Rust tests).</summary>
    internal static void AppendString(CompressedStreamWriter writer, string value)
    {
        var length = WireFormat.StringLength(value);
        var span = writer.GetItemSpan(length);
        var wireWriter = new WireWriter(span);
        wireWriter.WriteString(value);
        writer.CommitItem(length);
    }

    internal static byte[] Finish(int threshold, IEnumerable<string> items)
    {
        var writer = new CompressedStreamWriter(threshold);
        foreach (var item in items)
        {
            AppendString(writer, item);
        }

        return writer.Finish();
    }

    /// <summary>Rust's <c>deserialize_stream::&lt;String&gt;</c>: decodes the blocks, then strings until the end.</summary>
    internal static List<string> DecodeStrings(byte[] stream, out int consumed)
    {
        var data = WireBytes.DecodeBlockStream(stream, out consumed);
        var reader = new WireReader(data);
        var values = new List<string>();
        while (!reader.IsEmpty)
        {
            reader.TryReadString(out var value).Should().BeTrue();
            values.Add(value);
        }

        return values;
    }
}
