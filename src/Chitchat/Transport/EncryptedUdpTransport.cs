using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

/// <summary>
/// A UDP transport whose datagrams are encrypted and authenticated with AES-GCM; created by
/// <see cref="UdpTransport.WithEncryption"/>.
/// </summary>
internal sealed class EncryptedUdpTransport : ITransport
{
    private readonly ILogger _logger;
    private readonly EncryptionKeyring _keyring;
    private readonly string _clusterId;
    private readonly EncryptionMode _mode;
    private readonly TimeProvider _timeProvider;

    public EncryptedUdpTransport(ILogger logger, EncryptionKeyring keyring, string clusterId, EncryptionMode mode, TimeProvider timeProvider)
    {
        _logger = logger;
        _keyring = keyring;
        _clusterId = clusterId;
        _mode = mode;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listenAddress);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<ISocket>(EncryptedUdpSocket.Open(listenAddress, _keyring, _clusterId, _mode, _logger, _timeProvider));
    }
}
