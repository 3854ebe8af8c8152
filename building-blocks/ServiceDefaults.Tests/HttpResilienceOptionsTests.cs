using System.Net;
using Community.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly.Timeout;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// Per-client resilience options, through the HttpClientFactory that AddServiceDefaults configures, against a real slow
/// server.
/// </summary>
public sealed class HttpResilienceOptionsTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private int _flakyCalls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.Map(
            "/slow",
            async (CancellationToken token) =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1500), token);
                return Results.Ok("late");
            }
        );
        _server.Map(
            "/flaky",
            () => Interlocked.Increment(ref _flakyCalls) <= 2 ? Results.StatusCode(503) : Results.Ok("fine")
        );
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>"quick" has the defaults; "patient" and "single" have handlers of their own.</summary>
    private IServiceProvider Services(
        Dictionary<string, string?> settings,
        Action<HttpStandardResilienceOptions>? patient = null
    )
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        foreach (var name in new[] { "quick", "patient", "single" })
            builder.Services.AddHttpClient(name, c => c.BaseAddress = new Uri(_server.Urls.First()));
        builder.Services.AddHttpClient("patient").AddResilience(builder.Configuration, patient);
        builder.Services.AddHttpClient("single").AddResilience(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }

    [Fact]
    public async Task Each_client_keeps_its_own_timeouts()
    {
        var services = Services(
            new()
            {
                ["Http:Resilience:TotalRequestTimeout:Timeout"] = "00:00:00.5",
                ["Http:Resilience:AttemptTimeout:Timeout"] = "00:00:00.5",
            },
            o =>
            {
                // no attempt timeout of its own: one as long as the whole call
                o.TotalRequestTimeout.Timeout = o.AttemptTimeout.Timeout = TimeSpan.FromMinutes(5);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(10);
            }
        );
        var factory = services.GetRequiredService<IHttpClientFactory>();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => factory.CreateClient("quick").GetAsync("/slow"));
        var response = await factory.CreateClient("patient").GetAsync("/slow");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_client_section_in_configuration_turns_retries_off_for_that_client_only()
    {
        var services = Services(new() { ["Http:Resilience:Clients:single:Retry:MaxRetryAttempts"] = "0" });
        var factory = services.GetRequiredService<IHttpClientFactory>();

        var once = await factory.CreateClient("single").GetAsync("/flaky");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, once.StatusCode);
        Assert.Equal(1, _flakyCalls);

        var retried = await factory.CreateClient("quick").GetAsync("/flaky");
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(3, _flakyCalls);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_when_the_client_is_made()
    {
        var services = Services(new() { ["Http:Resilience:Clients:single:Retry:MaxRetryAttempts"] = "-1" });
        var factory = services.GetRequiredService<IHttpClientFactory>();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            factory.CreateClient("single")
        );
        Assert.Contains("single", error.Message);
        await Task.CompletedTask;
    }
}
