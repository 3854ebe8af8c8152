using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>
/// Identity's JWKS endpoint alone: serves whatever keys the test publishes and records every fetch; it can be made to
/// fail (<see cref="Down"/>) or to keep its answers until released (<see cref="Hold"/>).
/// </summary>
public sealed class FakeJwks : FakeHttpServer<DateTimeOffset>
{
    private volatile EcPublicJwk[] _published = [];
    private volatile TaskCompletionSource _held = Released();

    private FakeJwks() { }

    /// <summary>The keys the next fetch returns.</summary>
    public EcPublicJwk[] Published
    {
        get => _published;
        set => _published = value;
    }

    /// <summary>While true, every fetch answers 503.</summary>
    public bool Down { get; set; }

    public int Fetches => Received.Count;

    /// <summary>From now on, fetches wait for <see cref="Release"/> before answering.</summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _held.TrySetResult();

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }

    public static async Task<FakeJwks> StartAsync()
    {
        var jwks = new FakeJwks();
        await jwks.StartServerAsync();
        return jwks;
    }

    public override ValueTask DisposeAsync()
    {
        Release();
        return base.DisposeAsync();
    }

    protected override void Map(WebApplication app) =>
        app.MapGet(
            "/.well-known/jwks.json",
            async () =>
            {
                Record(DateTimeOffset.UtcNow);
                await _held.Task;
                return Down
                    ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                    : Results.Json(new JsonWebKeySetDocument(_published), EcPublicJwk.SerializerOptions);
            }
        );
}
