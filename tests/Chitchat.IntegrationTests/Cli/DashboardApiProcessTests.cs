using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>The dashboard's HTTP API on a <c>chitchat node</c> process: the page, its JSON, the live view, writes.</summary>
public sealed class DashboardApiProcessTests
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Ui_ServesTheEmbeddedPageAndAssets_WithoutExternalReferences()
    {
        await using var node = await NodeProcess.StartAsync("node_ui", 7, []);

        using var redirect = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync(new Uri($"http://{node.Address}/ui"));
        redirect.StatusCode.Should().Be(HttpStatusCode.Redirect);
        redirect.Headers.Location!.ToString().Should().EndWith("/ui/");

        using var page = await s_http.GetAsync(new Uri($"http://{node.Address}/ui/"));
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'self'");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("<table id=\"members\">").And.Contain("<caption>").And.Contain("<label for=\"key-prefix\">");
        html.Should().NotContain("http://").And.NotContain("https://", "the page works offline: no CDN");

        foreach (var (asset, type) in new[] { ("dashboard.js", "text/javascript"), ("dashboard.css", "text/css") })
        {
            using var response = await s_http.GetAsync(new Uri($"http://{node.Address}/ui/{asset}"));
            response.StatusCode.Should().Be(HttpStatusCode.OK, asset);
            response.Content.Headers.ContentType!.MediaType.Should().Be(type);
            (await response.Content.ReadAsStringAsync()).Should().NotContain("https://");
        }
    }

    [Fact]
    public async Task UiApi_StateKeysAndEvents_DescribeTheNode_AndWritesAreRefusedByDefault()
    {
        await using var node = await NodeProcess.StartAsync("node_api", 9, []);
        (await node.GetAsync("/set_kv/?key=app.port&value=8080")).Status.Should().Be(HttpStatusCode.OK);

        using var state = JsonDocument.Parse(await s_http.GetStringAsync(new Uri($"http://{node.Address}/ui/api/state")));
        var root = state.RootElement;
        root.GetProperty("self").GetString().Should().Be("node_api@9");
        root.GetProperty("phiThreshold").GetDouble().Should().Be(8);
        root.GetProperty("allowWrites").GetBoolean().Should().BeFalse();
        var self = root.GetProperty("members").EnumerateArray().Single();
        self.GetProperty("isSelf").GetBoolean().Should().BeTrue();
        self.GetProperty("state").GetString().Should().Be("live");
        self.GetProperty("address").GetString().Should().Be(node.Address);
        self.GetProperty("keyCount").GetInt32().Should().Be(1);
        root.GetProperty("totals").GetProperty("keys").GetInt64().Should().Be(1);

        using var keys = JsonDocument.Parse(await s_http.GetStringAsync(new Uri($"http://{node.Address}/ui/api/keys?member=node_api@9&prefix=app.")));
        var key = keys.RootElement.GetProperty("keys").EnumerateArray().Single();
        key.GetProperty("key").GetString().Should().Be("app.port");
        key.GetProperty("value").GetString().Should().Be("8080");
        (await node.GetAsync("/ui/api/keys?member=nobody@1")).Status.Should().Be(HttpStatusCode.NotFound);
        (await node.GetAsync("/ui/api/keys")).Status.Should().Be(HttpStatusCode.BadRequest);

        using var write = await s_http.PostAsJsonAsync(new Uri($"http://{node.Address}/ui/api/keys"), new { key = "x", value = "y" });
        write.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // The live view: a first state at once, then the changes as they happen.
        using var events = await s_http.GetAsync(new Uri($"http://{node.Address}/ui/api/events"), HttpCompletionOption.ResponseHeadersRead);
        events.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().Be("event: state");
        (await node.GetAsync("/set_kv/?key=app.color&value=blue")).Status.Should().Be(HttpStatusCode.OK);
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("\"kind\":\"KeySet\"", StringComparison.Ordinal))
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            line.Should().NotBeNull();
            seen.AppendLine(line);
        }

        seen.ToString().Should().Contain("event: change").And.Contain("\"key\":\"app.color\"").And.Contain("\"value\":\"blue\"");
    }

    [Fact]
    public async Task UiApi_AllowWrites_SetsOwnKeyFromJsonOnly()
    {
        await using var node = await NodeProcess.StartAsync("node_rw", 3, ["--ui_allow_writes"]);

        using var form = await s_http.PostAsync(
            new Uri($"http://{node.Address}/ui/api/keys"),
            new FormUrlEncodedContent([new("key", "k"), new("value", "v")]));
        form.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType, "a cross-site form post must not write");

        using var empty = await s_http.PostAsJsonAsync(new Uri($"http://{node.Address}/ui/api/keys"), new { key = "", value = "v" });
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var write = await s_http.PostAsJsonAsync(new Uri($"http://{node.Address}/ui/api/keys"), new { key = "from.ui", value = "ok" });
        write.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await node.TryGetStateAsync())!.Json.Should().Contain("from.ui");
    }

    [Fact]
    public async Task UiEvents_MoreThan16LiveViews_TheNextIsRefusedUntilOneCloses()
    {
        await using var node = await NodeProcess.StartAsync("node_views", 5, []);
        var events = new Uri($"http://{node.Address}/ui/api/events");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                var response = await client.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
                response.StatusCode.Should().Be(HttpStatusCode.OK, $"live view {i + 1} of 16");
                open.Add(response);
            }

            using (var refused = await client.GetAsync(events, HttpCompletionOption.ResponseHeadersRead))
            {
                refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            }

            open[0].Dispose();
            open.RemoveAt(0);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                using var again = await client.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
                if (again.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a closed live view frees its place");
                await Task.Delay(100);
            }
        }
        finally
        {
            open.ForEach(response => response.Dispose());
        }
    }
}
