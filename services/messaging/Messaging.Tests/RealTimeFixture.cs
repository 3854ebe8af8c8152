extern alias GatewayApp;
using Community.ServiceDefaults.Auth;
using GatewayProgram = GatewayApp::Program;

namespace Community.Messaging.Tests;

/// <summary>
/// Two messaging instances on one database, one RabbitMQ vhost and one Redis key prefix, each behind a real gateway of
/// its own: a client of gateway A is served by instance A, one of gateway B by instance B, so whatever crosses went
/// over the backplane.
/// </summary>
public class RealTimeFixture : MessagingFixture
{
    public const string HubPath = "/hubs/chat";

    public ServiceHost<Program> Second { get; private set; } = null!;
    public ServiceHost<GatewayProgram> GatewayA { get; private set; } = null!;
    public ServiceHost<GatewayProgram> GatewayB { get; private set; } = null!;

    // A test client sends its hundred messages as fast as the server answers; the per-connection and per-user limits
    // have their own tests.
    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["RealTime:CallsPerSecond"] = "500";
        settings["RealTime:Burst"] = "500";
        settings["RealTime:UserCallsPerSecond"] = "500";
        settings["RealTime:UserBurst"] = "500";
        // Shorter than the 5 s default, long enough for a leave and a rejoin on a loaded machine (a CI machine at a
        // load of 15 may hold a hub call for seconds: 2 s was tight).
        settings["Messaging:EventChatLeaveLinger"] = "00:00:04";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = StartHost(Settings);
        await BusReadyAsync(Second);
        GatewayA = StartGateway(Host);
        GatewayB = StartGateway(Second);
    }

    private ServiceHost<GatewayProgram> StartGateway(ServiceHost<Program> messaging) =>
        new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Messaging}"] = messaging.BaseAddress.ToString().TrimEnd('/'),
                ["Logging:LogLevel:Default"] = "Warning",
            },
            services =>
            {
                // The gateway checks the same test-signed tokens on the same movable clock as the service behind it.
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<ISigningKeySource>(Tokens);
            }
        ).Start();

    /// <summary>A hub client through gateway A (instance A) or B (instance B).</summary>
    public Task<LiveConnection> ConnectAsync(string token, bool viaB = false) =>
        ChatClient.ConnectAsync((viaB ? GatewayB : GatewayA).BaseAddress, token);

    public override async Task DisposeAsync()
    {
        await GatewayA.DisposeAsync();
        await GatewayB.DisposeAsync();
        await Second.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>A client of the chat hub, listening to every client method it calls (<see cref="LiveEvents"/>).</summary>
public static class ChatClient
{
    private static readonly string[] Methods = [.. LiveEvents.All.Select(e => e.Name)];

    public static Task<LiveConnection> ConnectAsync(Uri baseAddress, string token, bool reconnect = false) =>
        LiveConnection.ConnectAsync(
            new Uri(baseAddress, RealTimeFixture.HubPath),
            token,
            Methods,
            arguments: 1,
            reconnect: reconnect
        );
}

public static class HubMessages
{
    public static long Seq(this HubCall call) => call.Arguments[0].GetProperty("seq").GetInt64();

    public static string? Str(this HubCall call, string property) =>
        call.Arguments[0].GetProperty(property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
