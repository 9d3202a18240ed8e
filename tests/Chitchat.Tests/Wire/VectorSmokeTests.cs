using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

public sealed class VectorSmokeTests
{
    [Fact]
    public void AllVectorMessages_DecodeAndReencode()
    {
        var mismatches = new List<string>();
        foreach (var vector in Vectors.Messages.Concat(Vectors.HandshakeSteps))
        {
            var name = vector.GetProperty("name").GetString();
            var bytes = Vectors.Hex(vector.GetProperty("hex").GetString()!);
            ChitchatMessage.TryDeserialize(bytes, out var message, out var error).Should().BeTrue($"{name}: {error}");
            var reencoded = message!.SerializeToArray();
            if (!reencoded.AsSpan().SequenceEqual(bytes))
            {
                mismatches.Add($"{name}: {Convert.ToHexString(reencoded).ToLowerInvariant()}");
            }
        }

        mismatches.Should().BeEmpty();
    }
}
