namespace Chitchat.Listeners;

/// <summary>A key-change subscription; disposing it unsubscribes.</summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>listener.rs</c> <c>ListenerHandle</c>. Rust unsubscribes when the handle is dropped;
/// .NET has no deterministic drop, so call <see cref="Dispose"/> (or use a <see langword="using"/>
/// declaration) to unsubscribe. A handle that is neither disposed nor detached keeps its subscription
/// alive as long as the instance, even after the handle itself is garbage-collected.
/// </para>
/// <para>
/// Thread safety: <see cref="Dispose"/> and <see cref="Forever"/> are thread-safe and idempotent; the first
/// of the two to run decides the fate of the subscription.
/// </para>
/// </remarks>
internal sealed class ListenerHandle : IDisposable
{
    private readonly ListenerRegistry.Subscription _subscription;
    private ListenerRegistry? _registry;

    internal ListenerHandle(ListenerRegistry registry, ListenerRegistry.Subscription subscription)
    {
        _registry = registry;
        _subscription = subscription;
    }

    /// <summary>Gets the key prefix this handle is subscribed to.</summary>
    public string Prefix => _subscription.Prefix;

    /// <summary>Detaches the handle: the subscription then lives as long as the instance.</summary>
    /// <remarks>A later <see cref="Dispose"/> does nothing. Does nothing if the handle was already disposed.</remarks>
    public void Forever() => Interlocked.Exchange(ref _registry, null);

    /// <summary>Unsubscribes, unless <see cref="Forever"/> was called first. Idempotent.</summary>
    /// <remarks>
    /// Once this method returns, changes applied afterwards no longer invoke the callback; a change being
    /// delivered concurrently on another thread may still invoke it once.
    /// </remarks>
    public void Dispose() => Interlocked.Exchange(ref _registry, null)?.Unsubscribe(_subscription);
}
