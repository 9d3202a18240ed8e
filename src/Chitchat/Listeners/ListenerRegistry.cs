using Chitchat.Changes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Listeners;

/// <summary>
/// The key-change listeners of one Chitchat instance, shared by all its node states.
/// </summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>listener.rs</c> <c>Listeners</c>. A subscription with prefix P receives every key change
/// (set, deleted, expired) of a key K that starts with P (ordinal, char by char), as the
/// <see cref="ClusterChange"/> the change streams get, with the full key. For one change,
/// the listeners of the empty prefix run first, then those of the other matching prefixes in ascending
/// UTF-8 byte order of the prefix (which, for prefixes of the same key, means shortest first); listeners
/// on the same prefix run in subscription order.
/// </para>
/// <para>
/// Unlike the Rust crate, which panics when a key starts with a non-ASCII character (it slices the first
/// byte), any key is accepted. A listener that throws is logged at Warning level and does not prevent the
/// other listeners from running.
/// </para>
/// <para>
/// Design: subscriptions are kept in an immutable snapshot (empty-prefix listeners, then the others
/// sorted by prefix) that is replaced on every subscribe or unsubscribe (copy-on-write). <see cref="Trigger"/>
/// reads the current snapshot without locking, binary-searches the first prefix that can match (the key's
/// first char) and scans until the prefixes sort after the key. It allocates nothing: every listener gets
/// the change's own immutable instance.
/// </para>
/// <para>
/// Thread safety: all members are thread-safe. <see cref="Trigger"/> is normally called under the owner's
/// lock, but a <see cref="ListenerHandle"/> may be disposed, and new listeners subscribed, from any thread,
/// including from inside a callback. Once <see cref="ListenerHandle.Dispose"/> has returned, triggers that
/// start afterwards no longer invoke the listener; a trigger running concurrently may still invoke it once.
/// </para>
/// </remarks>
internal sealed partial class ListenerRegistry
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="logger">Receives the exceptions thrown by listeners; <see langword="null"/> for none.</param>
    public ListenerRegistry(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets whether no listener is registered (lets callers skip work).</summary>
    public bool IsEmpty => Volatile.Read(ref _snapshot).Count == 0;

    /// <summary>Gets the number of registered listeners.</summary>
    public int Count => Volatile.Read(ref _snapshot).Count;

    /// <summary>Subscribes <paramref name="callback"/> to the changes of keys starting with <paramref name="prefix"/>.</summary>
    /// <remarks>
    /// The callback runs synchronously on the thread that dispatches the change, after the Chitchat lock is
    /// released (see <see cref="ChangeLog.Dispatch"/>).
    /// </remarks>
    /// <param name="prefix">The key prefix; the empty string matches every key (and the key is then not stripped).</param>
    /// <param name="callback">Receives the change, with <paramref name="prefix"/> stripped from the key.</param>
    /// <returns>A handle whose disposal unsubscribes; call <see cref="ListenerHandle.Forever"/> to keep the subscription.</returns>
    public ListenerHandle Subscribe(string prefix, Action<ClusterChange> callback)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            var subscription = new Subscription(prefix, callback);
            Volatile.Write(ref _snapshot, _snapshot.With(subscription));
            return new ListenerHandle(this, subscription);
        }
    }

    /// <summary>Delivers a key change to every listener whose prefix its key starts with; other changes are ignored.</summary>
    /// <param name="change">The change.</param>
    public void Trigger(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = change.Key;
        var snapshot = Volatile.Read(ref _snapshot);
        if (key is null || snapshot.Count == 0)
        {
            return;
        }

        foreach (var subscription in snapshot.EmptyPrefix)
        {
            Invoke(subscription, change);
        }

        var prefixed = snapshot.Prefixed;
        if (key.Length == 0 || prefixed.Length == 0)
        {
            return;
        }

        // Every non-empty prefix of the key sorts between the key's first char and the key itself.
        for (var i = LowerBound(prefixed, key.AsSpan(0, 1)); i < prefixed.Length; i++)
        {
            var subscription = prefixed[i];
            var prefix = subscription.Prefix;
            if (Utf8Ordinal.CompareSpans(prefix, key) > 0)
            {
                break;
            }

            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                Invoke(subscription, change);
            }
        }
    }

    internal void Unsubscribe(Subscription subscription)
    {
        // Cleared first, so that a Trigger still holding the previous snapshot skips the listener.
        subscription.IsActive = false;
        lock (_gate)
        {
            Volatile.Write(ref _snapshot, _snapshot.Without(subscription));
        }
    }

    private static int LowerBound(Subscription[] sorted, ReadOnlySpan<char> value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (Utf8Ordinal.CompareSpans(sorted[middle].Prefix, value) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Invoke(Subscription subscription, ClusterChange change)
    {
        if (!subscription.IsActive)
        {
            return;
        }

        try
        {
            subscription.Callback(change);
        }
#pragma warning disable CA1031 // A faulty listener must not break state application nor starve the others.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.ListenerFailed(_logger, exception, subscription.Prefix, change.Key!, change.Node);
        }
    }
}
