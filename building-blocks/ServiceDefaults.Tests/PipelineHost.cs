using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

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

    /// <param name="settings">Configuration beyond the defaults.</param>
    /// <param name="trustTestTokens">False: tokens are checked against identity's JWKS, as outside tests.</param>
    /// <param name="configure">What a service adds to its builder (a blob store...).</param>
    public static async Task<PipelineHost> StartAsync(
        Action<WebApplication> map,
        TestTokens? tokens = null,
        Action<IServiceCollection>? services = null,
        IDictionary<string, string?>? settings = null,
        bool trustTestTokens = true,
        Action<WebApplicationBuilder>? configure = null
    )
    {
        tokens ??= new TestTokens();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        // as a service does (its own project calls it, for the XML docs)
        builder.Services.AddOpenApi(o => o.AddContract());
        if (trustTestTokens)
            builder.Services.AddSingleton<ISigningKeySource>(tokens);
        configure?.Invoke(builder);
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
