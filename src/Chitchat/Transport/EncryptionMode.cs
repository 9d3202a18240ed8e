namespace Chitchat.Transport;

/// <summary>
/// How an encrypting transport treats plaintext chitchat datagrams, so that a running cluster can move from
/// plaintext to encryption without downtime.
/// </summary>
/// <remarks>
/// Migrating a plaintext cluster takes three rolling restarts, each finished on every node before the next
/// starts: <see cref="Prepare"/> everywhere (nothing changes on the wire yet, but every node can now read
/// encrypted datagrams), then <see cref="Accept"/> everywhere (every node sends encrypted datagrams, and still
/// reads plaintext from the nodes not restarted yet), then <see cref="Require"/> everywhere (plaintext is
/// dropped). Skipping <see cref="Prepare"/> partitions the cluster during the rollout: a node that sends
/// encrypted datagrams is deaf to nodes that cannot decrypt them.
/// </remarks>
public enum EncryptionMode
{
    /// <summary>
    /// Encrypts everything sent and drops every datagram that is not encrypted with a key of the keyring. The
    /// mode of a cluster that has finished migrating; the default.
    /// </summary>
    Require = 0,

    /// <summary>
    /// Encrypts everything sent, and accepts both encrypted and plaintext datagrams: the second step of a migration.
    /// </summary>
    Accept = 1,

    /// <summary>
    /// Sends plaintext, and accepts both encrypted and plaintext datagrams: the first step of a migration. The
    /// node is wire-compatible with plaintext nodes in this mode.
    /// </summary>
    Prepare = 2,
}
