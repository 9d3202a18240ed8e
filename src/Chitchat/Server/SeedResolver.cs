using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

/// <summary>
/// Turns the configured seed strings into addresses. Port of chitchat server.rs
/// <c>spawn_dns_refresh_loop</c>, <c>dns_refresh_loop</c> and <c>resolve_seed_host</c>.
/// </summary>
/// <remarks>
/// <para>
/// A seed that parses as an IP socket address (<c>10.0.0.1:7280</c>, <c>[::1]:7280</c>) is used as is. Any
/// other seed is a <c>host:port</c> name, resolved to all its A and AAAA addresses when the server starts and
/// again every <see cref="RefreshPeriod"/> (<see cref="ChitchatConfig.SeedRefreshInterval"/>) while it runs,
/// so that a seed list behind DNS (say, a Kubernetes headless service) follows the nodes that come and go. Each refresh replaces the whole seed set; a host
/// whose lookup fails contributes nothing that time. Failures are logged, never fatal.
/// </para>
/// <para>Thread-safe: immutable after construction.</para>
/// </remarks>
internal sealed partial class SeedResolver
{
    /// <summary>How often host names are resolved again by default (chitchat: 60 s).</summary>
    public static readonly TimeSpan DefaultRefreshPeriod = TimeSpan.FromSeconds(60);

    private static readonly Func<string, CancellationToken, Task<IPAddress[]>> s_systemResolver =
        static (host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);

    private readonly List<IPEndPoint> _staticAddrs = [];
    private readonly List<string> _hostSeeds = [];
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolver;
    private readonly ILogger _logger;

    /// <summary>Sorts <paramref name="seeds"/> into IP addresses and host names.</summary>
    /// <param name="seeds">The configured seed strings.</param>
    /// <param name="resolver">Resolves a host name; the system resolver when null.</param>
    /// <param name="logger">Receives lookup results and failures.</param>
    /// <param name="refreshPeriod">How often host names are resolved again; <see cref="DefaultRefreshPeriod"/> when null.</param>
    public SeedResolver(
        IEnumerable<string> seeds,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolver,
        ILogger logger,
        TimeSpan? refreshPeriod = null)
    {
        _resolver = resolver ?? s_systemResolver;
        _logger = logger;
        RefreshPeriod = refreshPeriod ?? DefaultRefreshPeriod;
        foreach (var seed in seeds)
        {
            if (TryParseSocketAddress(seed, out var endPoint))
            {
                if (!_staticAddrs.Contains(endPoint))
                {
                    _staticAddrs.Add(endPoint);
                }
            }
            else if (!_hostSeeds.Contains(seed))
            {
                _hostSeeds.Add(seed);
            }
        }
    }

    /// <summary>Gets how often host names are resolved again; the first refresh is one period after start.</summary>
    public TimeSpan RefreshPeriod { get; }

    /// <summary>Gets whether some seed is a host name, hence whether the refresh loop is needed.</summary>
    public bool NeedsDns => _hostSeeds.Count > 0;

    /// <summary>
    /// Parses an IP socket address with an explicit port, as Rust's <c>SocketAddr::from_str</c> does: an IPv6
    /// address must be in brackets, and a bare address without port is not a socket address.
    /// </summary>
    internal static bool TryParseSocketAddress(string seed, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var hasPort = seed.StartsWith('[')
            ? seed.Contains("]:", StringComparison.Ordinal)
            : seed.Count(c => c == ':') == 1;
        if (!hasPort || !IPEndPoint.TryParse(seed, out var parsed))
        {
            return false;
        }

        endPoint = Normalize(parsed.Address, parsed.Port);
        return true;
    }

    /// <summary>Splits <c>host:port</c> at the last colon; the host may be bracketed.</summary>
    internal static bool TrySplitHostPort(string seed, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = seed.LastIndexOf(':');
        if (colon <= 0
            || !ushort.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parsedPort))
        {
            return false;
        }

        host = seed[..colon];
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        port = parsedPort;
        return true;
    }

    /// <summary>Resolves every seed: the IP addresses, plus the current addresses of every host name.</summary>
    /// <param name="cancellationToken">Cancels the lookups.</param>
    /// <returns>A new set; lookups that failed contribute nothing.</returns>
    public async Task<HashSet<IPEndPoint>> ResolveAsync(CancellationToken cancellationToken)
    {
        var result = new HashSet<IPEndPoint>(_staticAddrs);
        if (_hostSeeds.Count == 0)
        {
            return result;
        }

        // Hosts are looked up concurrently, so one slow name server does not delay the others.
        var lookups = new Task<List<IPEndPoint>?>[_hostSeeds.Count];
        for (var i = 0; i < lookups.Length; i++)
        {
            lookups[i] = ResolveHostAsync(_hostSeeds[i], cancellationToken);
        }

        foreach (var addrs in await Task.WhenAll(lookups).ConfigureAwait(false))
        {
            if (addrs is not null)
            {
                result.UnionWith(addrs);
            }
        }

        return result;
    }

    /// <summary>
    /// Resolves the seeds every <see cref="RefreshPeriod"/> and hands each new set to <paramref name="publish"/>,
    /// until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="publish">Receives each new seed set.</param>
    /// <param name="timeProvider">The clock of the refresh period.</param>
    /// <param name="cancellationToken">Stops the loop (it then returns normally).</param>
    /// <returns>A task that completes when the loop stops.</returns>
    public async Task RunRefreshLoopAsync(Action<IReadOnlySet<IPEndPoint>> publish, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(RefreshPeriod, timeProvider);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var seeds = await ResolveAsync(cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                publish(seeds);
                Log.SeedsRefreshed(_logger, seeds.Count);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server stopped.
        }
        catch (Exception ex)
        {
            // Only a bug (for example in publish) gets here; the seeds then stay as they are.
            Log.SeedRefreshLoopFailed(_logger, ex);
        }
    }

    private static IPEndPoint Normalize(IPAddress address, int port) =>
        new(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);

    private async Task<List<IPEndPoint>?> ResolveHostAsync(string seed, CancellationToken cancellationToken)
    {
        if (!TrySplitHostPort(seed, out var host, out var port))
        {
            Log.SeedLookupFailed(_logger, seed, "expected host:port", null);
            return null;
        }

        try
        {
            var addresses = await _resolver(host, cancellationToken).ConfigureAwait(false);
            var result = new List<IPEndPoint>(addresses.Length);
            foreach (var address in addresses)
            {
                var endPoint = Normalize(address, port);
                if (!result.Contains(endPoint))
                {
                    result.Add(endPoint);
                    Log.SeedResolved(_logger, seed, endPoint);
                }
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Log.SeedLookupFailed(_logger, seed, ex.Message, ex);
            return null;
        }
    }
}
