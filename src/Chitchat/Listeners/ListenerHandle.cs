namespace Chitchat.Listeners;

/// <summary>A key-change subscription; disposing it unsubscribes. STUB: to be implemented.</summary>
public sealed class ListenerHandle : IDisposable
{
    internal ListenerHandle()
    {
    }

    /// <summary>Detaches the handle: the subscription lives as long as the instance.</summary>
    public void Forever() => throw new NotImplementedException();

    /// <summary>Unsubscribes.</summary>
    public void Dispose() => throw new NotImplementedException();
}
