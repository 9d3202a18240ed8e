namespace Chitchat.Listeners;

/// <summary>Key-change listeners of one instance, shared by all its node states. STUB: to be implemented.</summary>
internal sealed class ListenerRegistry
{
    public ListenerRegistry(Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        _ = logger;
    }

    /// <summary>Subscribes <paramref name="callback"/> to keys starting with <paramref name="prefix"/>.</summary>
    public ListenerHandle Subscribe(string prefix, Action<KeyChangeEvent> callback) => throw new NotImplementedException();

    /// <summary>Delivers a change of <paramref name="key"/> to every matching listener (BEHAVIOUR.md §12).</summary>
    public void Trigger(string key, string value, ChitchatId node) => throw new NotImplementedException();

    /// <summary>Gets whether any listener is registered (lets callers skip work).</summary>
    public bool IsEmpty => true;
}
