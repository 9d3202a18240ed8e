using Chitchat.Cli.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Chitchat.Cli.Node;

/// <summary>
/// The HTTP API of chitchat-test: the node's view of the cluster as JSON, and two endpoints
/// to change the node's own key-values.
/// </summary>
internal static class NodeHttpApi
{
    private const string PlainTextUtf8 = "text/plain; charset=utf-8";

    public static void Map(WebApplication app, ChitchatHandle node)
    {
        app.MapGet("/", () => Results.Text(StateJson(node), PlainTextUtf8));

        // Rust's server routes "/set_kv/" and its own tests call "/set_kv": ASP.NET Core routing matches a
        // template with or without a trailing slash, so one route serves both (two would be ambiguous).
        app.MapGet("/set_kv", (HttpRequest request) => SetKeyValue(node, request));
        app.MapGet("/mark_for_deletion", (HttpRequest request) => MarkForDeletion(node, request));
    }

    /// <summary>The pretty-printed JSON answer of <c>GET /</c>.</summary>
    public static string StateJson(ChitchatHandle node)
    {
        // An immutable snapshot, serialized outside the node's lock.
        return StateDocument.ToJson(node.Chitchat.GetClusterState(), indented: true);
    }

    private static IResult SetKeyValue(ChitchatHandle node, HttpRequest request)
    {
        const string Usage = "GET /set_kv/?key=KEY&value=VALUE";
        if (!TryGetQuery(request, "key", Usage, out var key, out var error) || !TryGetQuery(request, "value", Usage, out var value, out error))
        {
            return error;
        }

        node.Chitchat.Set(key, value);
        return Ok();
    }

    private static IResult MarkForDeletion(ChitchatHandle node, HttpRequest request)
    {
        if (!TryGetQuery(request, "key", "GET /mark_for_deletion/?key=KEY", out var key, out var error))
        {
            return error;
        }

        node.Chitchat.Delete(key);
        return Ok();
    }

    private static IResult Ok() =>
        Results.Json(new SetKeyValueResponseJson(true), CliJsonContext.Default.SetKeyValueResponseJson);

    private static bool TryGetQuery(HttpRequest request, string name, string usage, out string value, out IResult error)
    {
        var values = request.Query[name];
        if (values.Count == 0 || values[0] is null)
        {
            value = string.Empty;
            error = Results.Text(
                $"missing query parameter '{name}' (usage: {usage})\n",
                PlainTextUtf8,
                statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        value = values[0]!;
        error = Results.Empty;
        return true;
    }
}
