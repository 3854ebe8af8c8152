using Community.Contracts.Identity;

namespace Community.Identity.Tests;

/// <summary>
/// A service that never heard of a signed-in user asks identity (UserAnnouncementRequested), and identity announces the
/// account again as it now is.
/// </summary>
public sealed class UserAnnouncementTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private Task<long> AnnouncedAsync(string type, string userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE @type AND payload->>'userId' = @id",
            ("type", $"%.{type},%"),
            ("id", userId)
        );

    private async Task<JsonNode> LatestAsync(string type, string userId) =>
        JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE @type AND payload->>'userId' = @id "
                        + "ORDER BY sequence DESC LIMIT 1",
                    ("type", $"%.{type},%"),
                    ("id", userId)
                )
            )!
        )!;

    // The database keeps microseconds of the event's time.
    private static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.InRange((actual - expected).Duration(), TimeSpan.Zero, TimeSpan.FromMicroseconds(1));

    [Fact]
    public async Task An_account_is_announced_again_as_it_now_is_and_as_of_its_last_change()
    {
        var registered = await fx.RegisterAsync();
        var userId = registered["user"]!["id"]!.GetValue<string>();
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { full_name = "Amira Again", region = "Dubai Marina" },
                registered["access_token"]!.GetValue<string>()
            )
        ).AssertStatus(200);
        var lastChange = (await LatestAsync("UserProfileUpdated", userId))["occurredAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(1L, await AnnouncedAsync("UserRegistered", userId));
        var made = (await LatestAsync("UserRegistered", userId))["occurredAt"]!.GetValue<DateTimeOffset>();
        var request = new UserAnnouncementRequested(Guid.NewGuid(), fx.Tick(), Guid.Parse(userId), "social");
        await fx.DeliverAsync(request, "UserAnnouncementConsumer");

        Assert.Equal(2L, await AnnouncedAsync("UserRegistered", userId));
        var registration = await LatestAsync("UserRegistered", userId);
        // when the account was made, for "joined" (the announcement itself is as of the last change)
        AssertSameInstant(made, registration["registeredAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("Amira Again", registration["fullName"]!.GetValue<string>());
        Assert.Equal(registered["user"]!["username"]!.GetValue<string>(), registration["username"]!.GetValue<string>());
        Assert.Equal("member", registration["role"]!.GetValue<string>());
        Assert.True(registration["isVerified"]!.GetValue<bool>());
        // As of the last change, not of now: a projection that has it changes nothing, and a later change still wins.
        AssertSameInstant(lastChange, registration["occurredAt"]!.GetValue<DateTimeOffset>());
        var profile = await LatestAsync("UserProfileUpdated", userId);
        Assert.Equal("Dubai Marina", profile["region"]!.GetValue<string>());
        Assert.Empty(profile["changedFields"]!.AsArray());
        AssertSameInstant(lastChange, profile["occurredAt"]!.GetValue<DateTimeOffset>());

        // The same request again (a redelivery) announces nothing more.
        await fx.PublishAsync(request);
        await fx.ConsumedAsync(request.MessageId, "UserAnnouncementConsumer", 2);
        Assert.Equal(2L, await AnnouncedAsync("UserRegistered", userId));
    }

    [Fact]
    public async Task An_account_that_does_not_exist_is_not_announced()
    {
        var nobody = Guid.NewGuid();
        var request = new UserAnnouncementRequested(Guid.NewGuid(), fx.Tick(), nobody, "events");

        await fx.DeliverAsync(request, "UserAnnouncementConsumer");

        Assert.Equal(0L, await AnnouncedAsync("UserRegistered", nobody.ToString()));
        Assert.Equal(0L, await AnnouncedAsync("UserProfileUpdated", nobody.ToString()));
        Assert.Equal(0L, await AnnouncedAsync("UserDeleted", nobody.ToString()));
    }
}
