extern alias AiCompanionApi;
extern alias EventsApi;
extern alias GatewayApp;
extern alias IdentityApi;
extern alias MessagingApi;
extern alias PaymentsApi;
extern alias SocialApi;
using Microsoft.Extensions.DependencyInjection;
using CompanionProgram = AiCompanionApi::Program;
using EventsProgram = EventsApi::Program;
using GatewayProgram = GatewayApp::Program;
using IdentityProgram = IdentityApi::Program;
using MessagingProgram = MessagingApi::Program;
using PaymentsProgram = PaymentsApi::Program;
using SocialProgram = SocialApi::Program;

namespace Community.SystemTests;

/// <summary>
/// The whole platform as a client meets it: identity (this fixture's own host), the five other services beside it,
/// each with its own database on identity's vhost, and the real gateway in front of them all; <see cref="Client"/>
/// goes through the gateway. A fixture of it says what its tests need beyond that: a service's or the gateway's
/// settings, test doubles, a messaging instance of its own.
/// </summary>
public abstract class PlatformFixture() : ServiceFixture<IdentityProgram>(ResourceNames.Identity)
{
    private readonly List<IAsyncDisposable> _others = [];

    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;

    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    /// <summary>The gateway's port, chosen before identity starts: identity's settings may name the gateway.</summary>
    protected int GatewayPort { get; } = ServiceHost<GatewayProgram>.FreePort();

    protected override bool TrustsTestTokens => false;

    /// <summary>What the services' own databases, vhosts and key prefixes are named after (the test class).</summary>
    protected abstract string Name { get; }

    protected override void ConfigureService(IDictionary<string, string?> settings) =>
        settings["Revocations:FeedKey"] = FeedKey;

    /// <summary>Settings of one service beyond the platform's (payments always learns the gateway's address).</summary>
    protected virtual Dictionary<string, string?> SettingsOf(string service) => [];

    /// <summary>Test doubles of one host (a service or <see cref="ResourceNames.Gateway"/>).</summary>
    protected virtual Action<IServiceCollection>? ServicesOf(string host) => null;

    /// <summary>The gateway's settings beyond the services' addresses and the revocation feed's key.</summary>
    protected virtual void ConfigureGateway(IDictionary<string, string?> settings) { }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var gatewayPort = GatewayPort;
        var services = new Dictionary<string, Uri> { [ResourceNames.Identity] = Host.BaseAddress };
        services[ResourceNames.Social] = await StartAsync<SocialProgram>(ResourceNames.Social);
        services[ResourceNames.Messaging] = await MessagingAsync();
        services[ResourceNames.Events] = await StartAsync<EventsProgram>(ResourceNames.Events);
        services[ResourceNames.Payments] = await StartAsync<PaymentsProgram>(
            ResourceNames.Payments,
            new() { ["Payments:PublicBaseUrl"] = $"http://127.0.0.1:{gatewayPort}" }
        );
        services[ResourceNames.AiCompanion] = await StartAsync<CompanionProgram>(ResourceNames.AiCompanion);
        var settings = new Dictionary<string, string?>
        {
            ["Revocations:FeedKey"] = FeedKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (service, address) in services)
            settings[$"Services:{service}"] = address.ToString().TrimEnd('/');
        ConfigureGateway(settings);
        Gateway = new ServiceHost<GatewayProgram>(settings, ServicesOf(ResourceNames.Gateway)).Start(gatewayPort);
        Client.Dispose();
        Client = BehindIdentity.ClientOf(Gateway);
    }

    /// <summary>Starts messaging, its address; a fixture that stops and starts it mid-test does it itself.</summary>
    protected virtual Task<Uri> MessagingAsync() => StartAsync<MessagingProgram>(ResourceNames.Messaging);

    /// <summary>A database, vhost and key prefix for <paramref name="service"/>, kept to the fixture's end.</summary>
    protected async Task<IsolatedResources> IsolateAsync(string service)
    {
        var resources = await TestInfrastructure.IsolateAsync(Name + service.Replace("-", ""));
        _others.Add(resources);
        return resources;
    }

    /// <summary>
    /// <typeparamref name="T"/> behind identity on resources of its own, on <paramref name="port"/> when given (its bus
    /// still starting: <see cref="ServiceFixture{TProgram}.BusReadyAsync"/>).
    /// </summary>
    protected ServiceHost<T> StartService<T>(
        string service,
        IsolatedResources resources,
        Dictionary<string, string?>? extra = null,
        int port = 0
    )
        where T : class
    {
        var settings = SettingsOf(service);
        foreach (var (key, value) in extra ?? [])
            settings[key] = value;
        return BehindIdentity.StartService<T>(
            service,
            resources,
            Resources.BrokerUri,
            Host.BaseAddress,
            FeedKey,
            settings,
            ServicesOf(service),
            port
        );
    }

    private async Task<Uri> StartAsync<T>(string service, Dictionary<string, string?>? extra = null)
        where T : class
    {
        var host = StartService<T>(service, await IsolateAsync(service), extra);
        _others.Insert(0, host);
        // Its queues must be bound before the first registration, or it would never hear of that user.
        await BusReadyAsync(host);
        return host.BaseAddress;
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        foreach (var other in _others)
            await other.DisposeAsync();
        await base.DisposeAsync();
    }
}
