using System.Net;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// <see cref="ChitchatId"/>: equality over its three fields, the Rust total order and the
/// normalizations that keep it equal to what a Rust peer sees on the wire.
/// </summary>
public sealed class ChitchatIdTests
{
    // U+FF01 (fullwidth '!') is one UTF-16 unit 0xFF01, UTF-8 EF BC 81.
    // U+1F600 (grinning face) is the surrogate pair D83D DE00 in UTF-16, UTF-8 F0 9F 98 80.
    private const string BmpHighChar = "\uFF01";
    private const string AstralChar = "\U0001F600";

    [Fact]
    public void Equals_SameThreeFields_AreEqualWithSameHashCode()
    {
        var a = TestIds.Create("node", 7, "10.0.0.1:7280");
        var b = TestIds.Create("node", 7, "10.0.0.1:7280");

        a.Should().Be(b);
        (a == b).Should().BeTrue();
        (a != b).Should().BeFalse();
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.CompareTo(b).Should().Be(0);
    }

    [Theory]
    [InlineData("other", 7UL, "10.0.0.1:7280")] // node id
    [InlineData("node", 8UL, "10.0.0.1:7280")]  // generation
    [InlineData("node", 7UL, "10.0.0.2:7280")]  // address
    [InlineData("node", 7UL, "10.0.0.1:7281")]  // port
    [InlineData("node", 7UL, "[::a00:1]:7280")] // same 4 low bytes, but IPv6
    public void Equals_OneFieldDiffers_AreNotEqual(string nodeId, ulong generation, string endPoint)
    {
        var reference = TestIds.Create("node", 7, "10.0.0.1:7280");

        var other = TestIds.Create(nodeId, generation, endPoint);

        other.Should().NotBe(reference);
        (other == reference).Should().BeFalse();
        other.CompareTo(reference).Should().NotBe(0);
    }

    [Fact]
    public void CompareTo_AstralVersusHighBmpNodeId_FollowsUtf8ByteOrder()
    {
        var astral = TestIds.Create(AstralChar, 0, "10.0.0.1:1");
        var bmp = TestIds.Create(BmpHighChar, 0, "10.0.0.1:1");

        // The UTF-16 pitfall: ordinal string comparison puts the surrogate (D83D) before FF01...
        string.CompareOrdinal(AstralChar, BmpHighChar).Should().BeNegative();

        // ...but Rust compares UTF-8 bytes: F0 9F 98 80 > EF BC 81.
        bmp.CompareTo(astral).Should().BeNegative();
        astral.CompareTo(bmp).Should().BePositive();
        (bmp < astral).Should().BeTrue();
        Utf8Ordinal.Instance.Compare(BmpHighChar, AstralChar).Should().BeNegative();
    }

    [Theory]
    [InlineData("a", "b")]
    [InlineData("b", "ba")]
    [InlineData("", "a")]
    [InlineData("Z", "a")]          // byte order, not culture order
    [InlineData("é", BmpHighChar)]  // C3 A9 < EF BC 81
    [InlineData(BmpHighChar, AstralChar)]
    public void CompareTo_NodeIds_SortByUtf8Bytes(string smaller, string larger)
    {
        var a = TestIds.Create(smaller, 9, "[::1]:9");
        var b = TestIds.Create(larger, 0, "10.0.0.1:1"); // node id decides before generation and address

        a.CompareTo(b).Should().BeNegative();
        b.CompareTo(a).Should().BePositive();
        Utf8Ordinal.Instance.Compare(smaller, larger).Should().BeNegative();
    }

    [Fact]
    public void CompareTo_SameNodeId_OrdersByGenerationThenFamilyThenOctetsThenPort()
    {
        ChitchatId[] sorted =
        [
            TestIds.Create("n", 1, "255.255.255.255:65535"),
            TestIds.Create("n", 2, "0.0.0.0:1"),
            TestIds.Create("n", 2, "0.0.0.0:2"),
            TestIds.Create("n", 2, "10.0.0.1:1"),
            TestIds.Create("n", 2, "10.0.0.2:1"),
            TestIds.Create("n", 2, "[::]:0"), // every IPv4 address sorts before every IPv6 address
            TestIds.Create("n", 2, "[::1]:0"),
            TestIds.Create("n", 2, "[2001:db8::]:0"),
        ];

        Enumerable.Reverse(sorted).Order().Should().Equal(sorted);
        for (var i = 1; i < sorted.Length; i++)
        {
            (sorted[i - 1] < sorted[i]).Should().BeTrue($"{sorted[i - 1]} < {sorted[i]}");
            (sorted[i] > sorted[i - 1]).Should().BeTrue();
            (sorted[i - 1] <= sorted[i]).Should().BeTrue();
            (sorted[i] >= sorted[i - 1]).Should().BeTrue();
        }
    }

    [Fact]
    public void Constructor_IPv4MappedIPv6Address_IsStoredAsIPv4()
    {
        var mapped = new ChitchatId("n", 1, new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 7280));
        var plain = TestIds.Create("n", 1, "10.1.2.3:7280");

        mapped.GossipAdvertiseAddr.Address.Should().Be(IPAddress.Parse("10.1.2.3"));
        mapped.Should().Be(plain);
        mapped.GetHashCode().Should().Be(plain.GetHashCode());
        mapped.SerializedLength.Should().Be(2 + 1 + 8 + 7);
        WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(mapped))
            .Should().Equal(WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(plain)));
    }

    [Fact]
    public void Constructor_IPv6ScopeId_IsDropped()
    {
        var scoped = new ChitchatId("n", 1, new IPEndPoint(IPAddress.Parse("fe80::1%4"), 7280));

        scoped.GossipAdvertiseAddr.Address.ScopeId.Should().Be(0);
        scoped.Should().Be(TestIds.Create("n", 1, "[fe80::1]:7280"));
    }

    [Fact]
    public void Constructor_CallerEndPointMutatedLater_IdUnchanged()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, 1);
        var id = new ChitchatId("n", 0, endPoint);

        endPoint.Port = 2;

        id.GossipAdvertiseAddr.Port.Should().Be(1);
    }

    [Fact]
    public void Constructor_NodeIdOf65535Utf8Bytes_IsAccepted()
    {
        var id = new ChitchatId(new string('€', 21_845), 0, new IPEndPoint(IPAddress.Loopback, 1)); // 65,535 bytes

        id.SerializedLength.Should().Be(2 + 65_535 + 8 + 7);
    }

    [Fact]
    public void Constructor_NodeIdOver65535Utf8Bytes_ThrowsArgumentException()
    {
        // 21,846 chars only, but 65,538 UTF-8 bytes: the limit is on bytes.
        var create = () => new ChitchatId(new string('€', 21_846), 0, new IPEndPoint(IPAddress.Loopback, 1));

        create.Should().Throw<ArgumentException>().WithParameterName("nodeId").WithMessage("*65538 UTF-8 bytes*");
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var nullNodeId = () => new ChitchatId(null!, 0, new IPEndPoint(IPAddress.Loopback, 1));
        var nullAddress = () => new ChitchatId("n", 0, null!);

        nullNodeId.Should().Throw<ArgumentNullException>();
        nullAddress.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void ForLocalTest_Port_MatchesRustShapeOf27Bytes()
    {
        var id = ChitchatId.ForLocalTest(10_001);

        id.Should().Be(TestIds.Create("node-10001", 0, "127.0.0.1:10001"));
        id.SerializedLength.Should().Be(27);
        id.ToString().Should().Be("node-10001:0:127.0.0.1:10001");
    }

    [Fact]
    public void CompareTo_Null_SortsNullFirst()
    {
        var id = TestIds.Node10001;

        id.CompareTo(null).Should().BePositive();
        (null < id).Should().BeTrue();
        (id > null).Should().BeTrue();
        id.Equals(null).Should().BeFalse();
    }
}
