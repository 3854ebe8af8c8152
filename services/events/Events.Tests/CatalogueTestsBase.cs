namespace Community.Events.Tests;

/// <summary>
/// Requests and checks shared by the catalogue test classes; each class brings its own fixture (its own database).
/// </summary>
public abstract class CatalogueTestsBase
{
    protected abstract EventsFixture Fixture { get; }

    protected HttpClient Client => Fixture.Client;

    protected Task<HttpResponseMessage> Patch(string id, object body, string? token) =>
        Client.SendJson(HttpMethod.Patch, $"/api/v1/events/{id}", body, token);

    protected async Task<(Guid Id, string Token)> RegisterAsync(string eventId)
    {
        var member = Fixture.Member();
        await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, member.Token)).AssertStatus(
            201
        );
        return member;
    }

    protected Task<long> EventsOfAsync(Guid organizerId) =>
        Fixture.ScalarAsync<long>(
            "SELECT count(*) FROM community_events WHERE organizer_id = @id",
            ("id", organizerId)
        );

    protected Task<long> OutboxRowsAsync(string type, string eventId) =>
        Fixture.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND payload->>'eventId' = @id",
            ("type", type),
            ("id", eventId)
        );

    /// <summary>The changed_fields of the event's latest EventUpdated, sorted and comma-separated.</summary>
    protected Task<string?> ChangedFieldsAsync(string eventId) =>
        Fixture.ScalarAsync<string>(
            "SELECT string_agg(f, ',' ORDER BY f) FROM (SELECT payload FROM outbox_messages WHERE type LIKE "
                + "'%.EventUpdated,%' "
                + "AND payload->>'eventId' = @id ORDER BY sequence DESC LIMIT 1) m, "
                + "jsonb_array_elements_text(m.payload->'changedFields') f",
            ("id", eventId)
        );
}
