using Community.Contracts;

namespace Community.Events.Tests;

/// <summary>
/// The events service on real Kestrel with its own database and vhost, a movable clock, and
/// tokens signed by a test key standing in for identity's.
/// </summary>
public class EventsFixture() : ServiceFixture<Program>(ResourceNames.Events)
{
    protected override void ConfigureService(IDictionary<string, string?> settings) =>
        settings["Events:HoldSweepInterval"] = "00:00:00.200";

    public (Guid Id, string Token) Member() => User(Roles.Member);

    public (Guid Id, string Token) Organizer() => User(Roles.Organizer);

    public (Guid Id, string Token) Admin() => User(Roles.Admin);

    /// <summary>
    /// A valid creation body (Berlin, starting in 3 days, 2 hours long); <paramref name="change"/> edits it.
    /// </summary>
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

    /// <summary>
    /// Creates (and by default publishes) an event as <paramref name="organizerToken"/>; returns its JSON.
    /// </summary>
    public async Task<JsonNode> CreateEventAsync(
        string organizerToken,
        Action<JsonObject>? change = null,
        bool publish = true
    )
    {
        var created = await (await Client.PostJson("/api/v1/events", EventBody(change), organizerToken)).AssertStatus(
            201
        );
        if (!publish)
            return created;
        return await (
            await Client.PostJson($"/api/v1/events/{created["id"]}/publish", new { }, organizerToken)
        ).AssertStatus(200);
    }
}
