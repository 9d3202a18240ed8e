using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// Port of chitchat <c>delta.rs</c> tests: the MTU-bounded delta builder, its
/// admission rule and the exact (zstd-dependent) lengths Rust asserts.
/// </summary>
public sealed class DeltaBuilderTests
{
    [Fact]
    public void Serialize_EmptyDelta_IsOneByte()
    {
        // TD1 test_delta_serialization_default
        Delta.Empty.Encoded.ToArray().Should().Equal(0x00);
        AssertRoundTrip(Delta.Empty, 1);
    }

    [Fact]
    public void Finish_NodeWithSetMaxVersion_RoundTripsIn57Bytes()
    {
        // TD2 test_delta_serialization_with_set_max_version
        using var builder = new DeltaBuilder(198);
        builder.TryAddNode(TestIds.Node10001, lastGcVersion: 80, fromVersionExcluded: 50).Should().BeTrue();
        builder.TrySetMaxVersion(100).Should().BeTrue();

        var delta = builder.Finish();

        AssertRoundTrip(delta, 57); // one raw block: 3 + 44 + 9 + 1
        WireBytes.Blocks(delta.Encoded).Should().Equal(((byte)2, 53));
        delta.NodeDeltas.Should().Equal(new NodeDelta(TestIds.Node10001, 80, 50, 100, []));
    }

    [Fact]
    public void Finish_TwoNodesWithKeyValuesAndTombstone_RoundTripsIn98Bytes()
    {
        // TD3 test_delta_serialization_simple_foo (exact bytes in GoldenExampleTests §9.7)
        var delta = BuildTd3Delta();

        AssertRoundTrip(delta, 98);
        WireBytes.Blocks(delta.Encoded).Should().Equal(((byte)1, 94));
    }

    [Theory]
    [InlineData(140)] // TD4 test_delta_serialization_simple_node: the bound is exactly 140 at the last op
    [InlineData(155)] // TD5 test_delta_serialization_simple_with_nodes_to_reset
    public void Finish_TwoKeysThenEmptyNode_RoundTripsIn80Bytes(int mtu)
    {
        using var builder = new DeltaBuilder(mtu);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        builder.TryAddKeyValue("key11", "val11", 1, DeletionStatus.Set).Should().BeTrue();
        builder.TryAddKeyValue("key12", "val12", 2, DeletionStatus.Set).Should().BeTrue();
        builder.TryAddNode(TestIds.Node10002, 0, 0).Should().BeTrue();

        var delta = builder.Finish();

        AssertRoundTrip(delta, 80); // 136-byte op stream compressed to a 76-byte frame
        delta.NodeDeltas.Select(n => (n.ChitchatId, n.MaxVersion, n.KeyValues.Count))
            .Should().Equal((TestIds.Node10001, 2UL, 2), (TestIds.Node10002, 0UL, 0));
    }

    [Fact]
    public void TryAddNode_BoundAboveMtu_RejectsNodeAndRoundTripsIn72Bytes()
    {
        // TD6 test_delta_serialization_exceed_mtu_on_add_node
        using var builder = new DeltaBuilder(100);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        builder.TryAddKeyValue("key11", "val11", 1, DeletionStatus.Set).Should().BeTrue();
        builder.TryAddKeyValue("key12", "val12", 2, DeletionStatus.Set).Should().BeTrue();

        // Bound with the 44-byte node op: 3 + 92 + 44 + 1 = 140 > 100.
        builder.TryAddNode(TestIds.Node10002, 0, 1).Should().BeFalse();
        var delta = builder.Finish();

        AssertRoundTrip(delta, 72); // the 92-byte op stream compresses to a 68-byte frame
        WireBytes.Blocks(delta.Encoded).Should().Equal(((byte)1, 68));
        delta.NodeDeltas.Should().ContainSingle().Which.ChitchatId.Should().Be(TestIds.Node10001);
    }

    [Fact]
    public void TryAddKeyValue_BoundAboveMtu_RejectsKeyValueAndRoundTripsIn72Bytes()
    {
        // TD7 test_delta_serialization_exceed_mtu_on_add_kv
        using var builder = new DeltaBuilder(100);
        builder.TryAddNode(TestIds.Node10001, 0, 1).Should().BeTrue();
        builder.TryAddKeyValue("key11", "val11", 1, DeletionStatus.Set).Should().BeTrue(); // bound 72

        // Bound with the 37-byte op: 3 + 68 + 37 + 1 = 109 > 100.
        builder.TryAddKeyValue("key12", "val12aaaaaaaaaabcc", 2, DeletionStatus.Set).Should().BeFalse();
        var delta = builder.Finish();

        AssertRoundTrip(delta, 72); // raw block 1 + 2 + 68 + 1
        WireBytes.Blocks(delta.Encoded).Should().Equal(((byte)2, 68));
        delta.NodeDeltas.Should().Equal(
            new NodeDelta(TestIds.Node10001, 0, 1, 1, [new KeyValueMutation("key11", "val11", 1, DeletionStatus.Set)]));
    }

    [Theory]
    [InlineData(62)] // TD8 test_delta_serialization_panic_if_add_after_exceed
    [InlineData(99)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_MtuBelow100_ThrowsArgumentOutOfRange(int mtu)
    {
        var create = () => new DeltaBuilder(mtu);

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("mtu");
    }

    [Fact]
    public void Constructor_Mtu100_IsAccepted()
    {
        using var builder = new DeltaBuilder(100);

        builder.Finish().Encoded.ToArray().Should().Equal(0x00);
    }

    [Fact]
    public void TrySetMaxVersion_Rejected_NodeKeepsMaxVersionZero()
    {
        // §7.3: a rejected SetMaxVersion is ignored; the node delta stays with no key-values and max 0.
        using var builder = new DeltaBuilder(100);
        builder.TryAddNode(TestIds.Local(10_003), 0, 0).Should().BeTrue(); // bound 3 + 44 + 1 = 48
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();     // bound 3 + 88 + 1 = 92
        builder.TrySetMaxVersion(100).Should().BeFalse();                  // bound 3 + 97 + 1 = 101 > 100

        var delta = builder.Finish();

        delta.NodeDeltas.Should().HaveCount(2);
        delta.NodeDeltas[1].Should().Be(new NodeDelta(TestIds.Node10001, 0, 0, 0, []));
        AssertRoundTrip(delta, delta.SerializedLength);
    }

    [Fact]
    public void TryAddKeyValue_OpLongerThan65535Bytes_IsNeverAdmitted()
    {
        using var builder = new DeltaBuilder(65_506);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();

        builder.TryAddKeyValue(new string('k', 40_000), new string('v', 40_000), 1, DeletionStatus.Set).Should().BeFalse();

        builder.Finish().NodeDeltas.Should().ContainSingle().Which.KeyValues.Should().BeEmpty();
    }

    [Fact]
    public void SerializedLength_NodeDeltaWithKeyValueOpOver65535Bytes_ThrowsInsteadOfDroppingIt()
    {
        // Re-encoding without budget must not skip the op and send the later versions (a gap the receiver
        // would take as complete); Rust's writer panics on such an op.
        var keyValues = new List<KeyValueMutation>
        {
            new("big", new string('v', 65_536 - 17), 1, DeletionStatus.Set), // op: 1 + 2 + 3 + 2 + 65,519 + 9 = 65,536 bytes
            new("next", "n", 2, DeletionStatus.Set),
        };
        var delta = Delta.FromNodeDeltas([new NodeDelta(TestIds.Node10001, 0, 0, 2, keyValues)]);

        var length = () => delta.SerializedLength;

        length.Should().Throw<InvalidOperationException>().WithMessage("*65536 bytes*may not exceed 65535*");
        keyValues[0] = keyValues[0] with { Value = new string('v', 65_535 - 17) }; // the largest allowed op
        var largest = Delta.FromNodeDeltas([new NodeDelta(TestIds.Node10001, 0, 0, 2, keyValues)]);
        AssertRoundTrip(largest, largest.SerializedLength);
        WireBytes.DecodeBlockStream(largest.Encoded, out _).Should().HaveCount(44 + 65_535 + 19);
    }

    [Fact]
    public void TryAddKeyValue_KeyLongerThan65535Bytes_ThrowsArgumentException()
    {
        using var builder = new DeltaBuilder(65_506);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();

        var add = () => builder.TryAddKeyValue(new string('k', 65_536), string.Empty, 1, DeletionStatus.Set);

        add.Should().Throw<ArgumentException>().WithMessage("*65536 UTF-8 bytes*at most 65535*");
    }

    [Fact]
    public void TryAddKeyValue_BeforeAnyNode_ThrowsInvalidOperation()
    {
        using var builder = new DeltaBuilder(1_000);

        var addKeyValue = () => builder.TryAddKeyValue("k", "v", 1, DeletionStatus.Set);
        var setMaxVersion = () => builder.TrySetMaxVersion(1);

        addKeyValue.Should().Throw<InvalidOperationException>();
        setMaxVersion.Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(0UL)] // versions start at 1
    [InlineData(5UL)] // equal to the previous version
    [InlineData(4UL)] // below it
    public void TryAddKeyValue_VersionNotAboveMaxVersion_ThrowsInvalidOperation(ulong version)
    {
        // Rust asserts here (apply_op must succeed); a receiver would reject the whole datagram.
        using var builder = new DeltaBuilder(1_000);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        if (version > 0)
        {
            builder.TryAddKeyValue("a", "1", 5, DeletionStatus.Set).Should().BeTrue();
        }

        var add = () => builder.TryAddKeyValue("b", "2", version, DeletionStatus.Set);

        add.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void TryAddKeyValue_NotAboveSetMaxVersion_ThrowsInvalidOperation()
    {
        using var builder = new DeltaBuilder(1_000);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        builder.TrySetMaxVersion(10).Should().BeTrue();

        var add = () => builder.TryAddKeyValue("a", "1", 10, DeletionStatus.Set);

        add.Should().Throw<InvalidOperationException>();
        builder.TryAddKeyValue("a", "1", 11, DeletionStatus.Set).Should().BeTrue();
    }

    [Fact]
    public void TryAddNode_SameIdTwice_ThrowsInvalidOperation()
    {
        using var builder = new DeltaBuilder(1_000);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        builder.TryAddNode(TestIds.Node10002, 0, 0).Should().BeTrue();

        var addAgain = () => builder.TryAddNode(TestIds.Node10001, 1, 1);

        addAgain.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Finish_LargeMtu_CutsBlocksEvery16384Bytes()
    {
        // §6.2/§7.4: with mtu > 16,384 the threshold is 16,384; re-encoding the node deltas with the fixed
        // 16,384 threshold (Rust's Delta::serialize) gives the very same bytes.
        using var builder = new DeltaBuilder(65_506);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        for (var version = 1UL; builder.TryAddKeyValue($"key-{version:D5}", $"value-{version % 97:D3}", version, DeletionStatus.Set); version++)
        {
        }

        var delta = builder.Finish();

        delta.SerializedLength.Should().BeLessThanOrEqualTo(65_506);
        var ops = WireBytes.DecodeBlockStream(delta.Encoded, out _);
        ops.Length.Should().BeGreaterThan(3 * 16_384);
        WireBytes.Blocks(delta.Encoded).SkipLast(1).Should().OnlyContain(b => b.Type == 1);
        AssertRoundTrip(delta, delta.SerializedLength);
    }

    [Fact]
    public void TryAddKeyValue_ContentCompressingBeyondTheDecoderCap_StopsAtMaxContentLengthAndIsAccepted()
    {
        // Values of one repeated character compress about 1,000 to 1: under the MTU alone the delta would hold
        // tens of megabytes of content, which no receiver of ours accepts. The builder stops at MaxContentLength.
        var value = new string('a', 5_000);
        using var builder = new DeltaBuilder(65_507);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        var version = 1UL;
        while (builder.TryAddKeyValue($"key-{version:D4}", value, version, DeletionStatus.Set))
        {
            version++;
        }

        var delta = builder.Finish();

        var content = WireBytes.DecodeBlockStream(delta.Encoded, out _).Length;
        content.Should().BeLessThanOrEqualTo(DeltaBuilder.MaxContentLength)
            .And.BeGreaterThan(DeltaBuilder.MaxContentLength - 5_018, "the next 5,017-byte op is what does not fit");
        delta.SerializedLength.Should().BeLessThan(20_000, "the MTU is not what stopped the builder");
        var ack = new ChitchatMessage.Ack(delta).SerializeToArray();
        ChitchatMessage.TryDeserialize(ack, out var decoded, out var error).Should().BeTrue(error.ToString());
        ((ChitchatMessage.Ack)decoded!).Delta.NodeDeltas.Single().KeyValues.Should().HaveCount((int)version - 1);
    }

    /// <summary>TD3's ops under MTU 198.</summary>
    internal static Delta BuildTd3Delta()
    {
        using var builder = new DeltaBuilder(198);
        builder.TryAddNode(TestIds.Node10001, 0, 0).Should().BeTrue();
        builder.TryAddKeyValue("key11", "val11", 1, DeletionStatus.Set).Should().BeTrue();
        builder.TryAddKeyValue("key12", string.Empty, 2, DeletionStatus.Deleted).Should().BeTrue();
        builder.TryAddNode(TestIds.Node10002, 0, 0).Should().BeTrue();
        builder.TryAddKeyValue("key21", "val21", 2, DeletionStatus.Set).Should().BeTrue();
        builder.TryAddKeyValue("key22", "val22", 3, DeletionStatus.Set).Should().BeTrue();
        return builder.Finish();
    }

    /// <summary>
    /// Rust's <c>test_serdeser_aux</c>: the encoded length is <paramref name="expectedLength"/>, re-encoding
    /// the node deltas without budget (threshold 16,384) gives the same bytes, and decoding gives the delta back.
    /// </summary>
    internal static void AssertRoundTrip(Delta delta, int expectedLength)
    {
        delta.SerializedLength.Should().Be(expectedLength);
        var encoded = delta.Encoded.ToArray();
        encoded.Should().HaveCount(expectedLength);
        Delta.FromNodeDeltas(delta.NodeDeltas).Encoded.ToArray().Should().Equal(encoded);

        WireBytes.TryDecodeDelta(encoded, out var decoded, out var error).Should().BeTrue(error.ToString());
        decoded.Should().Be(delta);
        decoded.NodeDeltas.Should().Equal(delta.NodeDeltas);
        decoded.SerializedLength.Should().Be(expectedLength);
    }
}
