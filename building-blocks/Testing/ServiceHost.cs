using Community.LocalInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Community.Testing;

/// <summary>
/// A service under test on real Kestrel at a free loopback port: the whole HTTP pipeline,
/// real sockets (so a gateway can proxy to it and WebSockets work), configuration injected
/// as the AppHost injects it.
/// </summary>
public sealed class ServiceHost<TEntryPoint>(
    IReadOnlyDictionary<string, string?> settings,
    Action<IServiceCollection>? services = null
) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private int _port;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts on <paramref name="port"/>, or a free one when 0.</summary>
    public ServiceHost<TEntryPoint> Start(int port = 0)
    {
        // The port goes in the host's URLs (ConfigureWebHost), not UseKestrel(port): the factory would rewrite the
        // addresses while the app may already be binding them (dotnet/aspnetcore#67714).
        _port = port;
        UseKestrel();
        StartServer();
        var address = Services
            .GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        return this;
    }

    public HttpClient NewClient() => new() { BaseAddress = BaseAddress };

    /// <summary>
    /// A free loopback port for a host whose address others must know before it starts, outside the kernel's ephemeral
    /// range (<see cref="LoopbackPorts"/>): no connection made meanwhile can take it.
    /// </summary>
    public static int FreePort() => LoopbackPorts.Take();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseUrls($"http://127.0.0.1:{_port}");
        builder.PreferHostingUrls(true);
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        if (services is not null)
            builder.ConfigureServices(services);
    }
}
