using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>Identity's JWKS endpoint alone: serves whatever keys the test publishes and records every fetch.</summary>
public sealed class FakeJwks : FakeHttpServer<DateTimeOffset>
{
    private volatile EcPublicJwk[] _published = [];

    private FakeJwks() { }

    /// <summary>The keys the next fetch returns.</summary>
    public EcPublicJwk[] Published
    {
        get => _published;
        set => _published = value;
    }

    public int Fetches => Received.Count;

    public static async Task<FakeJwks> StartAsync()
    {
        var jwks = new FakeJwks();
        await jwks.StartServerAsync();
        return jwks;
    }

    protected override void Map(WebApplication app) =>
        app.MapGet(
            "/.well-known/jwks.json",
            () =>
            {
                Record(DateTimeOffset.UtcNow);
                return Results.Json(new JsonWebKeySetDocument(_published), EcPublicJwk.SerializerOptions);
            }
        );
}
