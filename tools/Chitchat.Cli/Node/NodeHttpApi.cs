using Chitchat.Cli.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Chitchat.Cli.Node;

/// <summary>
/// The HTTP API of chitchat-test: the node's view of the cluster as JSON, and two endpoints
/// to change the node's own key-values.
/// </summary>
internal static class NodeHttpApi
{
    private const string PlainTextUtf8 = "text/plain; charset=utf-8";

    /// <summary>Maps the routes; the node (<see cref="ChitchatRef"/>) is resolved from the host's services per request.</summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/", ([FromServices] ChitchatRef node) => Results.Text(StateJson(node), PlainTextUtf8));

        // Rust's server routes "/set_kv/" and its own tests call "/set_kv": ASP.NET Core routing matches a
        // template with or without a trailing slash, so one route serves both (two would be ambiguous).
        app.MapGet("/set_kv", ([FromServices] ChitchatRef node, HttpRequest request) => SetKeyValue(node, request));
        app.MapGet("/mark_for_deletion", ([FromServices] ChitchatRef node, HttpRequest request) => MarkForDeletion(node, request));
    }

    /// <summary>The pretty-printed JSON answer of <c>GET /</c>.</summary>
    public static string StateJson(ChitchatRef node)
    {
        // An immutable snapshot, serialized outside the node's lock.
        return StateDocument.ToJson(node.GetClusterState(), indented: true);
    }

    private static IResult SetKeyValue(ChitchatRef node, HttpRequest request)
    {
        const string Usage = "GET /set_kv/?key=KEY&value=VALUE";
        if (!TryGetQuery(request, "key", Usage, out var key, out var error) || !TryGetQuery(request, "value", Usage, out var value, out error))
        {
            return error;
        }

        node.Set(key, value);
        return Ok();
    }

    private static IResult MarkForDeletion(ChitchatRef node, HttpRequest request)
    {
        if (!TryGetQuery(request, "key", "GET /mark_for_deletion/?key=KEY", out var key, out var error))
        {
            return error;
        }

        node.Delete(key);
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
