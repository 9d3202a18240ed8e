using Chitchat.Transport;

namespace Chitchat.Tests.Transport;

public sealed class EncryptionKeyringTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Create_ValidKeyLength_Accepted(int length)
    {
        var keyring = EncryptionKeyring.Create(new byte[length].Fill(1));

        keyring.KeyCount.Should().Be(1);
        keyring.PrimaryKeyId.Should().MatchRegex("^[0-9a-f]{8}$");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Create_InvalidKeyLength_ThrowsNamingTheLength(int length)
    {
        var create = () => EncryptionKeyring.Create(new byte[length]);

        create.Should().Throw<ArgumentException>()
            .WithMessage($"Key 1 of the keyring is {length} bytes; an AES-GCM key must be 16, 24 or 32 bytes*");
    }

    [Fact]
    public void Create_InvalidDecryptOnlyKey_ThrowsNamingItsPosition()
    {
        var create = () => EncryptionKeyring.Create(new byte[32].Fill(1), new byte[16].Fill(2), new byte[20]);

        create.Should().Throw<ArgumentException>().WithMessage("Key 3 of the keyring is 20 bytes*");
    }

    [Fact]
    public void Create_SameKeyTwice_Throws()
    {
        var create = () => EncryptionKeyring.Create(new byte[32].Fill(7), new byte[32].Fill(7));

        create.Should().Throw<ArgumentException>().WithMessage("Keys 1 and 2 of the keyring are the same key*");
    }

    [Fact]
    public void Parse_KeyFile_FirstKeyIsPrimaryCommentsAndBlankLinesIgnored()
    {
        var primary = new byte[32].Fill(3);
        var old = new byte[16].Fill(4);
        var text = $"# rotated 2026-12-01\r\n{Convert.ToBase64String(primary)}\r\n\r\n  {Convert.ToBase64String(old)}  \n";

        var keyring = EncryptionKeyring.Parse(text);

        keyring.KeyCount.Should().Be(2);
        keyring.PrimaryKeyId.Should().Be(EncryptionKeyring.Create(primary).PrimaryKeyId);
        keyring.KeyIds[1].Should().Be(EncryptionKeyring.Create(old).KeyIds[0]);
    }

    [Fact]
    public void Parse_NotBase64_ThrowsNamingTheLine()
    {
        var text = $"{EncryptionKeyring.GenerateKey()}\nnot base64!\n";

        var parse = () => EncryptionKeyring.Parse(text);

        parse.Should().Throw<FormatException>().WithMessage("Line 2 of the key file is not a base64 key.");
    }

    [Fact]
    public void Parse_NoKey_ThrowsFormatException()
    {
        var parse = () => EncryptionKeyring.Parse("# nothing here\n\n");

        parse.Should().Throw<FormatException>().WithMessage("The key file holds no key*");
    }

    [Fact]
    public void Parse_ShortKey_ThrowsArgumentException()
    {
        var parse = () => EncryptionKeyring.Parse(Convert.ToBase64String(new byte[10]));

        parse.Should().Throw<ArgumentException>().WithMessage("Key 1 of the keyring is 10 bytes*");
    }

    [Fact]
    public void GenerateKey_Returns32RandomBytesInBase64()
    {
        var first = Convert.FromBase64String(EncryptionKeyring.GenerateKey());
        var second = Convert.FromBase64String(EncryptionKeyring.GenerateKey());

        first.Should().HaveCount(32);
        first.Should().NotEqual(second);
    }
}

internal static class ByteArrayFill
{
    public static byte[] Fill(this byte[] array, byte value)
    {
        Array.Fill(array, value);
        return array;
    }
}
