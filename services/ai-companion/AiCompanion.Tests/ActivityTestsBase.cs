using Community.Contracts.Events;
using Community.Contracts.Social;

namespace Community.AiCompanion.Tests;

/// <summary>Members with a place and interests, the events other services announce, and reading the feed.</summary>
public abstract class ActivityTestsBase(CompanionFixture fx)
{
    protected CompanionFixture Fx => fx;

    /// <summary>A place of its own per test, so one test's members never match another's announcements.</summary>
    protected static string NewRegion() => "Region " + Guid.NewGuid().ToString("N")[..8];

    protected async Task<(Guid Id, string Token)> MemberAsync(
        string? region,
        string[] interests,
        string? city = null,
        string? country = null
    )
    {
        var (id, token) = await fx.RegisteredAsync();
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                fx.Tick(),
                id,
                "u" + id.ToString("N")[..10],
                null,
                region,
                city,
                country,
                interests,
                [],
                null,
                ["region", "interests"]
            )
        );
        return (id, token);
    }

    /// <summary>Publishes as the other service would and waits for the feed's consumer of it.</summary>
    protected async Task AnnounceAsync<T>(T message)
        where T : class, IIntegrationEvent
    {
        await fx.PublishAsync(message);
        await fx.HandledAsync(message.MessageId, "Activity" + typeof(T).Name + "Consumer");
    }

    protected EventPublished PublicEvent(
        Guid eventId,
        Guid organizerId,
        string? region,
        string[]? interests,
        string? city = null,
        string? country = null,
        string visibility = EventVisibility.Public
    ) =>
        new(
            Guid.NewGuid(),
            fx.Tick(),
            eventId,
            organizerId,
            "Sunrise hike",
            fx.Clock.GetUtcNow().AddDays(3),
            fx.Clock.GetUtcNow().AddDays(3).AddHours(2),
            0,
            ""
        )
        {
            Visibility = visibility,
            Region = region,
            City = city,
            Country = country,
            Interests = interests,
        };

    protected async Task<JsonArray> FeedAsync(string token, string query = "")
    {
        var page = await (await fx.Client.Get("/api/v1/activity" + query, token)).AssertStatus(200);
        return page["items"]!.AsArray();
    }

    protected async Task<JsonNode?> ItemAsync(string token, string actionLink) =>
        (await FeedAsync(token, "?limit=100")).FirstOrDefault(i => i!["action_link"]!.GetValue<string>() == actionLink);

    protected Task<long> ItemsAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM activity_items WHERE user_id = @id", ("id", userId));

    protected Task BlockAsync(Guid blocker, Guid blocked) =>
        fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), fx.Tick(), blocker, blocked));
}
