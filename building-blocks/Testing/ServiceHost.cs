using System.Runtime.ExceptionServices;
using Community.LocalInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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
    private readonly StartFailure _startFailure = new();

    /// <summary>
    /// Called with the built host before the factory starts it: a test of the start itself can hold the factory there
    /// (the application goes on with its own start meanwhile).
    /// </summary>
    public Action<IHost>? Built { get; init; }

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

    // The factory starts the host it is handed while the application's Main goes on, and Main starts the same host. A
    // start that fails at once (bad options) disposes the host, and the factory's start then asks the disposed host for
    // its lifetime (dotnet/aspnetcore#38335): an ObjectDisposedException in place of the start's own failure. The host
    // logs that failure before it is disposed, so it is the one thrown.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        Built?.Invoke(host);
        try
        {
            host.Start();
        }
        catch (ObjectDisposedException) when (_startFailure.Exception is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(_startFailure));
        builder.UseEnvironment("Testing");
        builder.UseUrls($"http://127.0.0.1:{_port}");
        builder.PreferHostingUrls(true);
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        if (services is not null)
            builder.ConfigureServices(services);
    }
}

/// <summary>The failure the host logged when it could not start ("Hosting failed to start"), if any.</summary>
internal sealed class StartFailure : ILoggerProvider, ILogger
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private Exception? _exception;

    public Exception? Exception => Volatile.Read(ref _exception);

    public ILogger CreateLogger(string categoryName) => categoryName == HostCategory ? this : NullLogger.Instance;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    )
    {
        if (eventId.Name == "HostedServiceStartupFaulted" && exception is not null)
            Interlocked.CompareExchange(ref _exception, exception, null);
    }

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public void Dispose() { }
}
