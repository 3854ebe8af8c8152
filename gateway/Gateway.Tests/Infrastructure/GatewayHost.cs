using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>The real gateway (Program) on a real Kestrel port, with test configuration.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly Factory _factory;

    public Uri Address { get; }
    public HttpClient Client { get; }

    private GatewayHost(Factory factory, Uri address)
    {
        _factory = factory;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = address };
    }

    public static GatewayHost Start(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var factory = new Factory(settings, services);
        try
        {
            factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new GatewayHost(factory, new Uri(address));
        }
        catch
        {
            factory.Dispose();
            throw;
        }
    }

    /// <summary>A loopback address where nothing listens (the port was just released).</summary>
    public static string DeadAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class Factory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
        : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            if (services is not null) builder.ConfigureServices(services);
        }
    }
}
