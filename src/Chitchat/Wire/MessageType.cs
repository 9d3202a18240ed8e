namespace Chitchat.Wire;

/// <summary>The message type byte of the envelope.</summary>
internal enum MessageType : byte
{
    /// <summary>Digest and cluster id sent by the initiator.</summary>
    Syn = 0,

    /// <summary>Digest and delta sent back by the responder.</summary>
    SynAck = 1,

    /// <summary>Delta sent by the initiator to finish the handshake.</summary>
    Ack = 2,

    /// <summary>Reply to a Syn whose cluster id does not match.</summary>
    BadCluster = 3,
}
