using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Community.Testing;

/// <summary>
/// The base of every fake third party (Stripe, S3, an OTLP collector, a JWKS endpoint): a small real
/// Kestrel app in the test process on a free loopback port, so the service under test talks to it
/// through its real HTTP client, and a record of what it received for the test to assert on.
/// </summary>
/// <typeparam name="TRequest">What the fake keeps of each request (its own shape: form fields, body,
/// headers...).</typeparam>
public abstract class FakeHttpServer<TRequest> : IAsyncDisposable
{
    private readonly ConcurrentQueue<TRequest> _received = new();
    private WebApplication? _app;

    /// <summary>Where the fake listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the fake has received so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<TRequest> Received => [.. _received];

    protected void Record(TRequest request) => _received.Enqueue(request);

    /// <summary>The fake's routes (or one terminal handler).</summary>
    protected abstract void Map(WebApplication app);

    /// <summary>Builds and starts the app; a subclass's static StartAsync returns the started instance.</summary>
    protected async Task StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            // Headers counted by their size, as the services take them (RequestSizeLimits), not by Kestrel's 100.
            k.Limits.MaxRequestHeaderCount = 1024;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        });
        _app = builder.Build();
        Map(_app);
        await _app.StartAsync();
        BaseAddress = new Uri(
            _app.Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single()
        );
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
