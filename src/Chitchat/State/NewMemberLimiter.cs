using System.Net;

namespace Chitchat.State;

/// <summary>
/// Bounds how many members a node learns from one source address per gossip interval, so that a flood of Syns
/// with invented digests cannot fill the member table faster than gossip would.
/// </summary>
/// <remarks>
/// Counts are kept per source IP address (any port) for the current window and start over at the next one. At
/// most <see cref="MaxSources"/> sources are counted per window; past that (a flood from many forged addresses),
/// other sources may introduce no new member until the window ends, so memory stays bounded whatever the senders
/// claim to be. Not thread-safe; used under the node's lock.
/// </remarks>
internal sealed class NewMemberLimiter
{
    /// <summary>The most sources counted in one window.</summary>
    internal const int MaxSources = 4_096;

    private readonly int _perSource;
    private readonly TimeSpan _window;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<IPAddress, int> _introduced = [];
    private long _windowStart;

    public NewMemberLimiter(int perSource, TimeSpan window, TimeProvider timeProvider)
    {
        _perSource = perSource;
        _window = window;
        _timeProvider = timeProvider;
        _windowStart = timeProvider.GetTimestamp();
    }

    /// <summary>Returns how many new members <paramref name="source"/> may still introduce in this window.</summary>
    /// <param name="source">The datagram's source; <see langword="null"/> (a local call) is not limited per source.</param>
    public int Allowance(IPEndPoint? source)
    {
        if (source is null)
        {
            return int.MaxValue;
        }

        StartOverIfWindowEnded();
        if (_introduced.TryGetValue(Key(source), out var introduced))
        {
            return _perSource - introduced;
        }

        return _introduced.Count >= MaxSources ? 0 : _perSource;
    }

    /// <summary>Records that <paramref name="source"/> introduced <paramref name="count"/> new members.</summary>
    public void Record(IPEndPoint? source, int count)
    {
        if (source is null || count == 0)
        {
            return;
        }

        var key = Key(source);
        _introduced[key] = _introduced.GetValueOrDefault(key) + count;
    }

    private static IPAddress Key(IPEndPoint source) =>
        source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;

    private void StartOverIfWindowEnded()
    {
        var now = _timeProvider.GetTimestamp();
        if (_timeProvider.GetElapsedTime(_windowStart, now) >= _window)
        {
            _introduced.Clear();
            _windowStart = now;
        }
    }
}
