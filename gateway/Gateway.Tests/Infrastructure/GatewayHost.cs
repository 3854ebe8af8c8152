using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (Program) on a real Kestrel port, with test configuration (a <see cref="ServiceHost{T}"/>).
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly ServiceHost<Program> _host;

    public Uri Address => _host.BaseAddress;
    public IServiceProvider Services => _host.Services;
    public HttpClient Client { get; }

    private GatewayHost(ServiceHost<Program> host)
    {
        _host = host;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = host.BaseAddress,
        };
    }

    public static GatewayHost Start(
        IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection>? services = null
    )
    {
        var all = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in settings)
            all[key] = value;
        var host = new ServiceHost<Program>(all, services);
        try
        {
            return new GatewayHost(host.Start());
        }
        catch
        {
            host.Dispose();
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
        await _host.DisposeAsync();
    }
}
