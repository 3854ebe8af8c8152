using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Community.ServiceDefaults.RealTime;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>A hub that lets a test client make the server send every way SignalR can address clients.</summary>
public sealed class ProbeHub : Hub
{
    /// <summary>The client methods it calls, each with a tag and a seq.</summary>
    public static readonly string[] ClientMethods =
    [
        "all",
        "others",
        "group",
        "groups",
        "others_in_group",
        "user",
        "users",
        "connection",
        "connections",
    ];

    public string Echo(string text) => text;

    /// <summary>Users whose connections the hub refuses as they open, as a hub's own OnConnectedAsync may.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> RefusedOnConnecting = new();

    public override Task OnConnectedAsync() =>
        RefusedOnConnecting.ContainsKey(Context.UserIdentifier ?? "")
            ? throw new HubException("Not you.")
            : Task.CompletedTask;

    /// <summary>How many <see cref="WaitForTheConnection"/> calls are running now.</summary>
    public static int Waiting;

    /// <summary>Runs until its connection ends, as a hub method on the connection's token does.</summary>
    public async Task WaitForTheConnection()
    {
        Interlocked.Increment(ref Waiting);
        try
        {
            await Task.Delay(Timeout.Infinite, Context.ConnectionAborted);
        }
        finally
        {
            Interlocked.Decrement(ref Waiting);
        }
    }

    // A burst of 2, then one every 5 s: the third call at once is refused unless the machine stalls for 5 s.
    [HubCallLimit(callsPerSecond: 0.2, burst: 2)]
    public string Typing() => "typing";

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Leave(string group) => Groups.RemoveFromGroupAsync(Context.ConnectionId, group);

    public Task JoinFor(string connectionId, string group) => Groups.AddToGroupAsync(connectionId, group);

    public Task LeaveFor(string connectionId, string group) => Groups.RemoveFromGroupAsync(connectionId, group);

    public Task ToAll(string tag, int seq) => Clients.All.SendAsync("all", tag, seq);

    public Task ToOthers(string tag, int seq) => Clients.Others.SendAsync("others", tag, seq);

    public Task ToGroup(string group, string tag, int seq) => Clients.Group(group).SendAsync("group", tag, seq);

    public Task ToGroups(string[] groups, string tag, int seq) => Clients.Groups(groups).SendAsync("groups", tag, seq);

    public Task ToOthersInGroup(string group, string tag, int seq) =>
        Clients.OthersInGroup(group).SendAsync("others_in_group", tag, seq);

    public Task ToUser(string user, string tag, int seq) => Clients.User(user).SendAsync("user", tag, seq);

    public Task ToUsers(string[] users, string tag, int seq) => Clients.Users(users).SendAsync("users", tag, seq);

    public Task ToConnection(string connectionId, string tag, int seq) =>
        Clients.Client(connectionId).SendAsync("connection", tag, seq);

    public Task ToConnections(string[] connectionIds, string tag, int seq) =>
        Clients.Clients(connectionIds).SendAsync("connections", tag, seq);

    /// <summary>
    /// Refuses as a service's hub method does (hub, not_found, validation, forbidden, unavailable), or fails.
    /// </summary>
    public string Refuse(string kind) =>
        kind switch
        {
            "hub" => throw new HubException("Not now."),
            "not_found" => throw new NotFoundException("No such thing."),
            "validation" => throw new RequestValidationException("text", "text is required."),
            "forbidden" => throw new ForbiddenException("Not yours."),
            "unavailable" => throw new ServiceUnavailableException("The mail server is down.", TimeSpan.FromSeconds(2)),
            "database" => throw new Npgsql.NpgsqlException(
                "Exception while reading from stream",
                new IOException("Connection reset by peer")
            ),
            _ => throw new InvalidOperationException($"A genuine fault: {kind}."),
        };
}

/// <summary>
/// A small service with <see cref="ProbeHub"/> on real Kestrel, wired as a real-time service wires itself.
/// </summary>
public sealed class HubHost : IAsyncDisposable
{
    public const string Service = "hubprobe";
    public const string HubPath = "/hubs/probe";

    private HubHost(WebApplication app) => App = app;

    public WebApplication App { get; }
    public Uri BaseAddress => new(App.Urls.First());
    public IServiceProvider Services => App.Services;

    public static async Task<HubHost> StartAsync(
        IsolatedResources resources,
        TestTokens tokens,
        TimeProvider clock,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null
    )
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var configuration = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
            [$"ConnectionStrings:{ResourceNames.Redis}"] = resources.RedisConnectionString,
            ["RealTime:RedisKeyPrefix"] = resources.RedisKeyPrefix,
            ["RateLimits:InvalidTokens:RedisKeyPrefix"] = resources.RedisKeyPrefix + "invalid-tokens:",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // A test's own settings win (another Redis, for instance).
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ISigningKeySource>(tokens);
        builder.Services.AddSingleton(clock);
        builder.AddEventBus(Service, bus => bus.FollowSessionRevocations());
        builder.AddRealTime();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        app.MapRealTimeHub<ProbeHub>(HubPath);
        await app.StartAsync();
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    app.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy
                ),
            "the hub host's bus never became ready"
        );
        return new HubHost(app);
    }

    public Task<LiveConnection> ConnectAsync(string? token, bool skipNegotiation = false, bool reconnect = false) =>
        LiveConnection.ConnectAsync(
            new Uri(BaseAddress, HubPath),
            token,
            ProbeHub.ClientMethods,
            arguments: 2,
            skipNegotiation,
            reconnect
        );

    public Task PublishAsync<T>(T message)
        where T : class => Services.GetRequiredService<IBus>().Publish(message);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Test tokens with a session id, as identity issues them.</summary>
public static class SessionTokens
{
    public static string Issue(
        TestTokens tokens,
        TimeProvider clock,
        Guid userId,
        Guid sessionId,
        DateTimeOffset? issuedAt = null
    )
    {
        var claims = TestTokens.Claims(userId.ToString(), issuedAt ?? clock.GetUtcNow());
        claims[ClaimNames.Session] = sessionId.ToString();
        return TestTokens.Es256(tokens.Key, tokens.Kid, claims);
    }
}
