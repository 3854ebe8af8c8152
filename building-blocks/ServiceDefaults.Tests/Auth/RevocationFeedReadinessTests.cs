using System.Net;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests.Auth;

/// <summary>
/// An instance that follows identity's revocations (a service, the gateway) is not ready until it has read the feed
/// once: started while identity cannot answer, it would pass tokens revoked in the last minutes.
/// </summary>
public sealed class RevocationFeedReadinessTests
{
    private const string Key = "feed-key";

    // As a service polls: every 30 s once read (FollowSessionRevocations).
    private static Task<PipelineHost> StartAsync(string identity) =>
        PipelineHost.StartAsync(
            _ => { },
            services: services => services.AddRevocationFeed(TimeSpan.FromSeconds(30)),
            settings: new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = identity,
                [$"{RevocationFeedOptions.Section}:FeedKey"] = Key,
                // A failing feed is an outage reported once; these tests mean it.
                [$"Logging:LogLevel:{typeof(RevocationFeed).FullName}"] = "None",
            }
        );

    private static async Task<(HttpStatusCode Status, string? Revocations)> ReadinessAsync(PipelineHost host)
    {
        using var response = await host.Client.GetAsync("/health/ready");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body?["checks"]?["revocations"]?["status"]?.GetValue<string>());
    }

    [Fact]
    public async Task With_identity_unreachable_the_instance_is_live_but_not_ready()
    {
        await using var host = await StartAsync($"http://127.0.0.1:{LoopbackPorts.Take()}");

        // Several attempts fail meanwhile: still not ready.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unhealthy"), await ReadinessAsync(host));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task The_instance_is_ready_soon_after_identity_answers_not_a_poll_interval_later()
    {
        var down = true;
        var identity = WebApplication.CreateBuilder();
        identity.WebHost.UseUrls("http://127.0.0.1:0");
        await using var feed = identity.Build();
        feed.MapGet(
            RevocationFeedOptions.FeedPath,
            (HttpRequest request) =>
                Volatile.Read(ref down) ? Results.StatusCode(503)
                : request.Headers[RevocationFeedOptions.KeyHeader] == Key
                    ? Results.Json(new { items = Array.Empty<object>(), cursor = 3 })
                : Results.StatusCode(403)
        );
        await feed.StartAsync();
        await using var host = await StartAsync(feed.Urls.First());

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadinessAsync(host)).Status);

        Volatile.Write(ref down, false);
        await Eventually.TrueAsync(
            async () => await ReadinessAsync(host) == (HttpStatusCode.OK, "healthy"),
            "never ready after identity answered",
            TimeSpan.FromSeconds(10)
        );
        Assert.Equal(3, host.App.Services.GetRequiredService<RevocationFeed>().Cursor);
    }

    [Fact]
    public void A_service_that_follows_session_revocations_gates_its_readiness_on_the_feed()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = "amqp://localhost" }
        );
        builder.AddEventBus("tests", bus => bus.FollowSessionRevocations());
        using var host = builder.Build();

        var checks = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var revocations = Assert.Single(checks, c => c.Name == "revocations");
        Assert.Contains("ready", revocations.Tags);
        Assert.Equal(HealthStatus.Unhealthy, revocations.FailureStatus);
    }
}
