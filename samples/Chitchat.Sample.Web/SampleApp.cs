namespace Chitchat.Sample.Web;

/// <summary>The sample service: a chitchat node with the host, its role as a key, and its view of the members.</summary>
public static class SampleApp
{
    /// <summary>Builds the service from its command line and configuration (appsettings.json, environment).</summary>
    /// <param name="args">The command line, e.g. <c>--Chitchat:NodeId=web-2 --Chitchat:SeedNodes:0=127.0.0.1:7280</c>.</param>
    /// <returns>The application, ready to run.</returns>
    // README hosting example: begin
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Join the cluster described by the "Chitchat" section (node id, listen address, seeds...) and publish
        // this service's role in the node's own state, which every member replicates.
        builder.Services.AddChitchat(builder.Configuration.GetSection("Chitchat"))
            .AddInitialKeyValue("role", builder.Configuration["Role"] ?? "web");
        builder.Services.AddHealthChecks().AddChitchatHealthCheck(minLivePeers: 0);

        var app = builder.Build();

        // ChitchatRef resolves to the running node: here, its view of the members as JSON.
        app.MapGet("/members", (ChitchatRef chitchat) => MembersView.From(chitchat.GetClusterState()));
        app.MapHealthChecks("/health");

        // A live dashboard of the node's view of the cluster at /chitchat/ (read-only; add authorization in production).
        app.MapChitchatDashboard("/chitchat");
        return app;
    }
    // README hosting example: end
}
