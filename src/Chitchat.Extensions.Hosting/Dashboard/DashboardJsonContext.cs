using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chitchat.Extensions.Hosting.Dashboard;

/// <summary>Source-generated JSON metadata of the dashboard's documents (camelCase, for the page's script).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DashboardStateJson))]
[JsonSerializable(typeof(DashboardKeysJson))]
[JsonSerializable(typeof(DashboardChangeJson))]
[JsonSerializable(typeof(DashboardSetKeyJson))]
[JsonSerializable(typeof(DashboardErrorJson))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
