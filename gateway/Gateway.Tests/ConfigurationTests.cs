using Community.Contracts;
using Community.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Gateway.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void Route_ids_are_unique_and_every_route_targets_a_known_service()
    {
        Assert.Equal(GatewayRoutes.All.Count, GatewayRoutes.All.Select(r => r.Id).Distinct().Count());
        Assert.All(GatewayRoutes.All, r => Assert.Contains(r.Service, ResourceNames.Services));
    }

    [Fact]
    public void The_anonymous_allow_list_is_exactly_the_intended_one()
    {
        var anonymous = GatewayRoutes
            .All.Where(r => r.Anonymous)
            .Select(r =>
                $"{string.Join(",", r.Methods ?? ["*"])} {r.Path}"
                + (r.WithQueryParameter is { } query ? $"?{query}" : "")
            )
            .Order()
            .ToList();

        string[] expected =
        [
            "POST /api/v1/auth/register",
            "POST /api/v1/auth/register/confirm",
            "POST /api/v1/auth/login",
            "POST /api/v1/auth/login/two-factor",
            "POST /api/v1/auth/refresh",
            "POST /api/v1/auth/password/forgot",
            "POST /api/v1/auth/password/reset",
            "GET /api/v1/auth/external/providers",
            "GET /api/v1/auth/external/{provider}/start",
            "GET /api/v1/auth/external/{provider}/callback",
            "POST /api/v1/auth/external/exchange",
            "GET /.well-known/jwks.json",
            "POST /api/v1/waitlist",
            "GET /api/v1/waitlist/status",
            "GET /api/v1/waitlist/status?email",
            "POST /webhooks/stripe",
            "* /sandbox",
            "* /sandbox/{**rest}",
            "GET /api/v1/events",
            "GET /api/v1/events/nearby",
            "GET /api/v1/events/{id:guid}",
            "GET /api/v1/events/{id:guid}.ics",
            "GET /api/v1/events/{id:guid}/cover",
            .. ResourceNames.Services.Select(s => $"GET /openapi/{s}.json"),
            "GET /asyncapi/messaging.json",
        ];
        Assert.Equal(expected.Order(), anonymous);
    }

    [Fact]
    public async Task A_gateway_with_a_zero_rate_limit_does_not_start()
    {
        var error = await StartFailureAsync(new Dictionary<string, string?> { ["RateLimits:Login:PermitLimit"] = "0" });

        Assert.Contains(
            Flatten(error),
            e => e is Microsoft.Extensions.Options.OptionsValidationException && e.Message.Contains("PermitLimit > 0")
        );
    }

    [Fact]
    public async Task A_gateway_with_a_negative_share_of_the_spares_per_network_does_not_start()
    {
        var error = await StartFailureAsync(
            new Dictionary<string, string?> { ["RateLimits:CeilingSparesPerNetwork"] = "-1" }
        );

        Assert.Contains(
            Flatten(error),
            e =>
                e is Microsoft.Extensions.Options.OptionsValidationException
                && e.Message.Contains("CeilingSparesPerNetwork must be >= 0")
        );
    }

    // Credentials are allowed, so an origin must be exact: a wildcard would let every site read answers meant for a
    // user.
    [Theory]
    [InlineData("*")]
    [InlineData("https://*.example")]
    [InlineData("https://app.example/path")]
    [InlineData("app.example")]
    public async Task A_gateway_with_an_inexact_cors_origin_does_not_start(string origin)
    {
        var error = await StartFailureAsync(
            new Dictionary<string, string?>
            {
                ["Cors:AllowedOrigins:0"] = "http://localhost:5173",
                ["Cors:AllowedOrigins:1"] = origin,
            }
        );

        Assert.Contains(
            Flatten(error),
            e => e is Microsoft.Extensions.Options.OptionsValidationException && e.Message.Contains("exact origins")
        );
    }

    /// <summary>
    /// Starts the gateway's own composition on a plain host and returns why it refused to start.
    /// (Through WebApplicationFactory a failed start can surface as its teardown's ObjectDisposedException.)
    /// </summary>
    private static async Task<Exception> StartFailureAsync(
        Dictionary<string, string?> settings,
        Action<IServiceCollection>? services = null
    )
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddGateway();
        services?.Invoke(builder.Services);
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = builder.Build();
            app.UseServiceDefaults();
            app.MapDefaultEndpoints();
            app.MapGateway(); // YARP loads (and validates) its configuration here
            await app.StartAsync();
        });
    }

    private static IEnumerable<Exception> Flatten(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
            if (error is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                    yield return inner;
        }
    }
}
