using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chitchat.Changes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chitchat.Extensions.Hosting.Dashboard;

/// <summary>
/// The web dashboard of a node: a page (assets embedded in the assembly, no CDN) and its API, all under one
/// path prefix. Read-only unless <see cref="ChitchatDashboardOptions.AllowWrites"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET {prefix}/</c>: the page; <c>dashboard.js</c>, <c>dashboard.css</c>: its assets.</item>
/// <item><c>GET {prefix}/api/state</c>: the members, their failure-detector figures and the cluster totals.</item>
/// <item><c>GET {prefix}/api/keys?member=ID@GEN&amp;prefix=P</c>: a member's keys under a prefix.</item>
/// <item><c>GET {prefix}/api/events</c>: server-sent events: <c>change</c> for every change of the node's change
/// stream, <c>state</c> with the members' figures every refresh period and after every membership change.</item>
/// <item><c>POST {prefix}/api/keys</c> (JSON <c>{"key", "value"}</c>): sets one of the node's own keys, only
/// when writes are allowed.</item>
/// </list>
/// Only ASP.NET Core and the node's public API are used, so that the endpoints can serve any application's node.
/// </remarks>
internal static class DashboardEndpoints
{
    private const string AssetPrefix = "Chitchat.Extensions.Hosting.Dashboard.Assets.";

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> s_assets = LoadAssets();

    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/> (e.g. <c>/chitchat</c>); <paramref name="node"/> gives the
    /// node once the host has started it (the endpoints are mapped before).
    /// </summary>
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, DashboardNode node, ChitchatDashboardOptions options, string prefix)
    {
        var liveViews = new LiveViewCounter();
        var group = endpoints.MapGroup(prefix);

        // RequestDelegate handlers (no reflection over delegates): the package stays trimming and AOT compatible.
        // The page's URLs are relative: it must be served with the trailing slash (routing matches both spellings).
        group.MapGet("/", context =>
            context.Request.Path.Value?.EndsWith('/') == true
                ? Asset(context, "index.html")
                : Results.Redirect(context.Request.PathBase + prefix + "/").ExecuteAsync(context));
        group.MapGet("/dashboard.js", context => Asset(context, "dashboard.js"));
        group.MapGet("/dashboard.css", context => Asset(context, "dashboard.css"));
        group.MapGet("/api/state", context =>
        {
            var (chitchat, history) = node.Get();
            return Json(DashboardView.State(chitchat, options, history), DashboardJsonContext.Default.DashboardStateJson).ExecuteAsync(context);
        });
        group.MapGet("/api/keys", context =>
        {
            var member = context.Request.Query["member"].ToString();
            if (string.IsNullOrEmpty(member))
            {
                return Error("missing query parameter 'member' (node id @ generation)", StatusCodes.Status400BadRequest).ExecuteAsync(context);
            }

            var keys = DashboardView.Keys(node.Get().Node, member, context.Request.Query["prefix"].ToString(), options.MaxKeysPerPage);
            return (keys is null
                ? Error($"no member {member}", StatusCodes.Status404NotFound)
                : Json(keys, DashboardJsonContext.Default.DashboardKeysJson)).ExecuteAsync(context);
        });
        group.MapPost("/api/keys", async context => await (await SetKeyAsync(context, node.Get().Node, options).ConfigureAwait(false)).ExecuteAsync(context).ConfigureAwait(false));
        group.MapGet("/api/events", context => LiveAsync(context, node, options, liveViews));
        return group;
    }

    private static Task Asset(HttpContext context, string name)
    {
        var (content, contentType) = s_assets[name];
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
        return Results.Bytes(content, contentType).ExecuteAsync(context);
    }

    private static async Task<IResult> SetKeyAsync(HttpContext context, ChitchatRef node, ChitchatDashboardOptions options)
    {
        if (!options.AllowWrites)
        {
            return Error("this dashboard is read-only: the application has not allowed writes (ChitchatDashboardOptions.AllowWrites; chitchat node: --ui_allow_writes)", StatusCodes.Status403Forbidden);
        }

        // A JSON body only: a cross-site form cannot send one without the browser asking first (CORS preflight).
        if (!context.Request.HasJsonContentType())
        {
            return Error("expected a JSON body {\"key\": ..., \"value\": ...}", StatusCodes.Status415UnsupportedMediaType);
        }

        DashboardSetKeyJson? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(DashboardJsonContext.Default.DashboardSetKeyJson, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Error($"bad JSON: {ex.Message}", StatusCodes.Status400BadRequest);
        }

        if (request is not { Key: { Length: > 0 } key, Value: { } value })
        {
            return Error("expected a JSON body {\"key\": ..., \"value\": ...} with a non-empty key", StatusCodes.Status400BadRequest);
        }

        try
        {
            node.Set(key, value);
        }
        catch (ArgumentException ex)
        {
            return Error(ex.Message, StatusCodes.Status400BadRequest);
        }

        return Results.NoContent();
    }

    /// <summary>The live view: server-sent events from the change stream, and the members' figures periodically.</summary>
    private static async Task LiveAsync(HttpContext context, DashboardNode dashboardNode, ChitchatDashboardOptions options, LiveViewCounter liveViews)
    {
        var (node, history) = dashboardNode.Get();
        var response = context.Response;
        if (!liveViews.TryEnter(options.MaxLiveViews))
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await response.WriteAsync($"at most {options.MaxLiveViews} live views at once\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        // The view also ends when the host stops: the web server waits for open requests before it stops, and an
        // endless stream would hold the shutdown (and the node's graceful leave after it) until its timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, dashboardNode.Stopping);
        var cancellationToken = stop.Token;
        var changes = node.WatchChangesAsync(capacity: 1024, cancellationToken).GetAsyncEnumerator(cancellationToken);
        Task<bool>? next = null;
        try
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await WriteEventAsync(response, "state", DashboardView.State(node, options, history), DashboardJsonContext.Default.DashboardStateJson, cancellationToken).ConfigureAwait(false);
            next = changes.MoveNextAsync().AsTask();
            var tick = Task.Delay(options.RefreshPeriod, dashboardNode.TimeProvider, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var done = await Task.WhenAny(next, tick).ConfigureAwait(false);
                if (done == next)
                {
                    if (!await next.ConfigureAwait(false))
                    {
                        // The node stopped.
                        return;
                    }

                    var change = changes.Current;
                    next = changes.MoveNextAsync().AsTask();
                    await WriteEventAsync(response, "change", DashboardView.Change(change), DashboardJsonContext.Default.DashboardChangeJson, cancellationToken).ConfigureAwait(false);
                    if (change.Kind is ClusterChangeKind.KeySet or ClusterChangeKind.KeyDeleted or ClusterChangeKind.KeyExpired)
                    {
                        continue;
                    }
                }
                else
                {
                    await tick.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                // After a tick, and at once after a membership change.
                await WriteEventAsync(response, "state", DashboardView.State(node, options, history), DashboardJsonContext.Default.DashboardStateJson, cancellationToken).ConfigureAwait(false);
                tick = Task.Delay(options.RefreshPeriod, dashboardNode.TimeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page was closed.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        finally
        {
            // The stream cannot be disposed while a read is pending: end the read first.
            await stop.CancelAsync().ConfigureAwait(false);
            if (next is not null)
            {
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await changes.DisposeAsync().ConfigureAwait(false);
            liveViews.Exit();
        }
    }

    private static async Task WriteEventAsync<T>(HttpResponse response, string name, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        // JSON has no raw newline (they are escaped in strings), so one "data:" line carries the document.
        var json = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        var buffer = new byte[json.Length + name.Length + 16];
        var length = Encoding.ASCII.GetBytes($"event: {name}\ndata: ", buffer);
        json.CopyTo(buffer, length);
        length += json.Length;
        buffer[length++] = (byte)'\n';
        buffer[length++] = (byte)'\n';
        await response.Body.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo) => Results.Json(value, typeInfo);

    private static IResult Error(string message, int statusCode) =>
        Results.Json(new DashboardErrorJson(message), DashboardJsonContext.Default.DashboardErrorJson, statusCode: statusCode);

    private static FrozenDictionary<string, (byte[] Content, string ContentType)> LoadAssets()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var (name, contentType) in new[]
        {
            ("index.html", "text/html; charset=utf-8"),
            ("dashboard.js", "text/javascript; charset=utf-8"),
            ("dashboard.css", "text/css; charset=utf-8"),
        })
        {
            using var stream = assembly.GetManifestResourceStream(AssetPrefix + name)
                ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded in {assembly.GetName().Name}");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name] = (copy.ToArray(), contentType);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Counts the open live views, so that their number (each holds a change stream) stays bounded.</summary>
    private sealed class LiveViewCounter
    {
        private int _count;

        public bool TryEnter(int max)
        {
            if (Interlocked.Increment(ref _count) <= max)
            {
                return true;
            }

            Interlocked.Decrement(ref _count);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _count);
    }
}
