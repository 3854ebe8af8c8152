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

    /// <summary>The status of <paramref name="userId"/>'s registration for the event.</summary>
    public Task<string?> StatusAsync(string eventId, Guid userId) =>
        ScalarAsync<string>(
            "SELECT status FROM registrations WHERE event_id = @e AND user_id = @u",
            ("e", Guid.Parse(eventId)),
            ("u", userId)
        );

    /// <summary>How many integration events of <paramref name="type"/> about <paramref name="userId"/> are in the
    /// outbox.</summary>
    public Task<long> OutboxForAsync(string type, Guid userId) =>
        ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @t || ',%' AND payload->>'userId' = @u",
            ("t", type),
            ("u", userId.ToString())
        );

    /// <summary>A waiter the event closed to lost the place: cancelled from the waiting list (so announced), and
    /// neither a seat nor a hold announced for them.</summary>
    public async Task AssertWaitingPlaceLostAsync(string eventId, Guid userId)
    {
        Assert.Equal("cancelled", await StatusAsync(eventId, userId));
        Assert.Equal(0L, await OutboxForAsync("RegistrationConfirmed", userId));
        Assert.Equal(0L, await OutboxForAsync("TicketHoldCreated", userId));
        Assert.Equal(
            "waitlisted",
            await ScalarAsync<string>(
                "SELECT payload->>'previousStatus' FROM outbox_messages WHERE type LIKE '%.RsvpCancelled,%' "
                    + "AND payload->>'userId' = @u",
                ("u", userId.ToString())
            )
        );
    }

    public Task<int> SeatsTakenAsync(string eventId) =>
        ScalarAsync<int>("SELECT seats_taken FROM community_events WHERE id = @e", ("e", Guid.Parse(eventId)));

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
    /// Sends what <paramref name="send"/> starts while the account of <paramref name="userId"/> is being erased: the
    /// erasure holds the account's profile row (here with its tombstone written) until the request waits on it, or is
    /// done (the code before a fix, which the test's assertions then refuse), and commits then.
    /// </summary>
    public async Task<T> WhileErasedAsync<T>(Guid userId, Func<Task<T>> send)
    {
        await ExecuteAsync(
            "INSERT INTO user_profiles (user_id, username, full_name, as_of) VALUES (@u, 'leaving', 'Lea Ving', now()) "
                + "ON CONFLICT DO NOTHING",
            ("u", userId)
        );
        await using var erasure = await HoldAsync(
            "UPDATE user_profiles SET username = NULL, full_name = NULL, deleted_at = now() WHERE user_id = @u",
            ("u", userId)
        );
        var sent = send();
        await DoneOrWaitingOnALockAsync(
            () => sent.IsCompleted,
            "%FROM user_profiles%",
            1,
            "the request never waited for the erasure"
        );
        await erasure.CommitAsync();
        return await sent;
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
