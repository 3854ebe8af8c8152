using System.Text.Json.Nodes;
using Community.ServiceDefaults.Auth;
using Community.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Events.Tests;

/// <summary>
/// The events service on real Kestrel with its own database and vhost, a movable clock, and
/// tokens signed by a test key standing in for identity's.
/// </summary>
public class EventsFixture : IAsyncLifetime
{
    public IsolatedResources Resources { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; }
    public ServiceHost<Program> Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public EventsFixture() => Tokens = new TestTokens(Clock);

    public virtual async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        Host = StartHost(Settings);
        Client = Host.NewClient();
    }

    /// <summary>Extra configuration of <see cref="Host"/> for a fixture that needs it.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>Another instance of the service on the same database and broker (several replicas).</summary>
    public ServiceHost<Program> StartHost(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:events-db"] = Resources.DatabaseConnectionString,
            ["ConnectionStrings:rabbitmq"] = Resources.BrokerUri,
            ["Events:HoldSweepInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return new ServiceHost<Program>(settings, services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ISigningKeySource>(Tokens);
        }).Start();
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Tokens.Dispose();
        await Resources.DisposeAsync();
    }

    public (Guid Id, string Token) Member() => User("member");
    public (Guid Id, string Token) Organizer() => User("organizer");
    public (Guid Id, string Token) Admin() => User("admin");

    public (Guid Id, string Token) User(string role)
    {
        var id = Guid.NewGuid();
        return (id, Tokens.Issue(id, role));
    }

    /// <summary>A token for an existing user, dated now on the test clock.</summary>
    public string TokenFor(Guid userId, string role = "member") => Tokens.Issue(userId, role);

    /// <summary>A valid creation body (Berlin, starting in 3 days, 2 hours long); <paramref name="change"/> edits it.</summary>
    public JsonObject EventBody(Action<JsonObject>? change = null)
    {
        var starts = Clock.GetUtcNow().AddDays(3);
        var body = new JsonObject
        {
            ["title"] = "Board games night " + Guid.NewGuid().ToString("N")[..6],
            ["description"] = "Bring a game, meet neighbours.",
            ["event_type"] = "meetup",
            ["interests"] = new JsonArray("games", "social"),
            ["region"] = "Berlin-Mitte",
            ["location_name"] = "Café Central",
            ["address"] = "Alexanderplatz 1",
            ["city"] = "Berlin",
            ["country"] = "DE",
            ["latitude"] = 52.5219,
            ["longitude"] = 13.4132,
            ["starts_at"] = starts.ToString("O"),
            ["ends_at"] = starts.AddHours(2).ToString("O"),
            ["time_zone"] = "Europe/Berlin",
        };
        change?.Invoke(body);
        return body;
    }

    /// <summary>Creates (and by default publishes) an event as <paramref name="organizerToken"/>; returns its JSON.</summary>
    public async Task<JsonNode> CreateEventAsync(string organizerToken, Action<JsonObject>? change = null, bool publish = true)
    {
        var created = await (await Client.PostJson("/api/v1/events", EventBody(change), organizerToken)).AssertStatus(201);
        if (!publish) return created;
        return await (await Client.PostJson($"/api/v1/events/{created["id"]}/publish", new { }, organizerToken)).AssertStatus(200);
    }

    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ScalarAsync<T>(Resources.DatabaseConnectionString, sql, parameters);

    /// <summary>How many integration events of this type the service has written to its outbox.</summary>
    public Task<long> OutboxCountAsync(string eventType) => Sql.OutboxCountAsync(Resources.DatabaseConnectionString, eventType);
}
