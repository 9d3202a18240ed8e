using Chitchat.Changes;
namespace Chitchat.Listeners;

internal sealed partial class ListenerRegistry
{
    /// <summary>One registered listener.</summary>
    /// <param name="prefix">The key prefix.</param>
    /// <param name="callback">The callback.</param>
    internal sealed class Subscription(string prefix, Action<ClusterChange> callback)
    {
        private volatile bool _isActive = true;

        /// <summary>Gets the key prefix.</summary>
        public string Prefix { get; } = prefix;

        /// <summary>Gets the callback.</summary>
        public Action<ClusterChange> Callback { get; } = callback;

        /// <summary>Gets or sets whether the listener may still be invoked (cleared when unsubscribed).</summary>
        public bool IsActive
        {
            get => _isActive;
            set => _isActive = value;
        }
    }

    /// <summary>An immutable set of subscriptions, replaced as a whole on every change (copy-on-write).</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], []);

        private Snapshot(Subscription[] emptyPrefix, Subscription[] prefixed)
        {
            EmptyPrefix = emptyPrefix;
            Prefixed = prefixed;
        }

        /// <summary>Gets the listeners of the empty prefix, in subscription order.</summary>
        public Subscription[] EmptyPrefix { get; }

        /// <summary>Gets the other listeners, sorted by prefix (UTF-8 byte order), then subscription order.</summary>
        public Subscription[] Prefixed { get; }

        /// <summary>Gets the total number of listeners.</summary>
        public int Count => EmptyPrefix.Length + Prefixed.Length;

        public Snapshot With(Subscription subscription)
        {
            if (subscription.Prefix.Length == 0)
            {
                return new Snapshot([.. EmptyPrefix, subscription], Prefixed);
            }

            // Insert after every entry that sorts before or equal to the prefix, so that listeners on the
            // same prefix stay in subscription order.
            var prefixed = Prefixed;
            var index = 0;
            while (index < prefixed.Length && Utf8Ordinal.CompareSpans(prefixed[index].Prefix, subscription.Prefix) <= 0)
            {
                index++;
            }

            var inserted = new Subscription[prefixed.Length + 1];
            Array.Copy(prefixed, inserted, index);
            inserted[index] = subscription;
            Array.Copy(prefixed, index, inserted, index + 1, prefixed.Length - index);
            return new Snapshot(EmptyPrefix, inserted);
        }

        public Snapshot Without(Subscription subscription)
        {
            var emptyPrefix = Remove(EmptyPrefix, subscription);
            var prefixed = Remove(Prefixed, subscription);
            return ReferenceEquals(emptyPrefix, EmptyPrefix) && ReferenceEquals(prefixed, Prefixed)
                ? this
                : new Snapshot(emptyPrefix, prefixed);
        }

        private static Subscription[] Remove(Subscription[] subscriptions, Subscription subscription)
        {
            var index = Array.IndexOf(subscriptions, subscription);
            if (index < 0)
            {
                return subscriptions;
            }

            var removed = new Subscription[subscriptions.Length - 1];
            Array.Copy(subscriptions, removed, index);
            Array.Copy(subscriptions, index + 1, removed, index, subscriptions.Length - index - 1);
            return removed;
        }
    }
}
