using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Community.ServiceDefaults.Tests;

/// <summary>
/// A bare app on the shared pipeline as a service runs it (test-signed tokens), on a free port, with the endpoints a
/// test maps.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private PipelineHost(WebApplication app, TestTokens tokens)
    {
        App = app;
        Tokens = tokens;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }
    public TestTokens Tokens { get; }
    public HttpClient Client { get; }

    public static async Task<PipelineHost> StartAsync(
        Action<WebApplication> map,
        TestTokens? tokens = null,
        Action<IServiceCollection>? services = null
    )
    {
        tokens ??= new TestTokens();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        // as a service does (its own project calls it, for the XML docs)
        builder.Services.AddOpenApi(o => o.AddContract());
        builder.Services.AddSingleton<ISigningKeySource>(tokens);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        map(app);
        await app.StartAsync();
        return new PipelineHost(app, tokens);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        Tokens.Dispose();
    }
}
