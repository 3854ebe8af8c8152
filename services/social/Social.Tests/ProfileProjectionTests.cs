using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>
/// The profile projection: fed by identity's and payments' events only, idempotent, newest message wins.
/// </summary>
public sealed class ProfileProjectionTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Registration_and_profile_update_make_a_public_profile()
    {
        var (_, viewer, _) = await fx.RegisteredAsync();
        var id = Guid.NewGuid();
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                now,
                id,
                "amira",
                "amira@example.com",
                "+971500000001",
                "Amira K",
                Roles.Organizer,
                "AMIRA1",
                null
            )
            {
                IsVerified = true,
            }
        );
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                now.AddSeconds(1),
                id,
                "amira",
                "Amira K.",
                "Dubai Marina",
                "Dubai",
                "AE",
                ["fitness", "travel"],
                ["en", "ar"],
                "https://cdn.example/a.jpg",
                ["region"]
            )
            {
                IsVerified = true,
                Bio = "Runner",
                Gender = "female",
                DateOfBirth = new DateOnly(1990, 1, 1),
                IdentityBadge = "Explorer",
            }
        );

        var profile = await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200);
        Assert.Equal("amira", profile["username"]!.GetValue<string>());
        Assert.Equal("Amira K.", profile["full_name"]!.GetValue<string>());
        Assert.Equal("Runner", profile["bio"]!.GetValue<string>());
        Assert.Equal("organizer", profile["role"]!.GetValue<string>());
        Assert.Equal("Explorer", profile["identity_badge"]!.GetValue<string>());
        Assert.True(profile["is_verified"]!.GetValue<bool>());
        Assert.NotNull(profile["age"]);
        // Public fields only: no contact details, no birth date, no gender.
        Assert.Null(profile["email"]);
        Assert.Null(profile["phone"]);
        Assert.Null(profile["date_of_birth"]);
        Assert.Null(profile["gender"]);
        Assert.Equal("none", profile["connection_status"]!.GetValue<string>());
        Assert.Equal(now, profile["joined_at"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(["fitness", "travel"], profile["common_interests"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Replayed_and_older_messages_change_nothing()
    {
        var (_, viewer, _) = await fx.RegisteredAsync();
        var (id, _, username) = await fx.RegisteredAsync(region: "Jumeirah");
        var now = fx.Clock.GetUtcNow();
        var newer = new UserProfileUpdated(
            Guid.NewGuid(),
            now.AddMinutes(5),
            id,
            username,
            "Newest Name",
            "Deira",
            null,
            null,
            ["chess"],
            [],
            null,
            ["full_name"]
        );
        await fx.DeliverAsync(newer);
        // The same message again (a redelivery) and an older update arriving late.
        await fx.PublishAsync(newer);
        await fx.ConsumedAsync(newer.MessageId, nameof(UserProfileUpdated) + "Consumer", times: 2);
        var older = new UserProfileUpdated(
            Guid.NewGuid(),
            now.AddMinutes(1),
            id,
            username,
            "Older Name",
            "Karama",
            null,
            null,
            ["golf"],
            [],
            null,
            ["full_name"]
        );
        await fx.DeliverAsync(older);
        var role = new UserRoleChanged(
            Guid.NewGuid(),
            now.AddMinutes(2),
            id,
            Roles.Member,
            Roles.Organizer,
            Guid.Empty
        );
        await fx.DeliverAsync(role);
        await fx.DeliverAsync(
            new UserRoleChanged(Guid.NewGuid(), now.AddMinutes(1), id, Roles.Organizer, Roles.Member, Guid.Empty)
        );
        await fx.DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                now.AddMinutes(-1),
                id,
                username,
                null,
                null,
                "Registered Name",
                Roles.Member,
                "X",
                null
            )
        );

        var profile = await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200);
        Assert.Equal("Newest Name", profile["full_name"]!.GetValue<string>());
        Assert.Equal("Deira", profile["region"]!.GetValue<string>());
        Assert.Equal(["chess"], profile["interests"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("organizer", profile["role"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", newer.MessageId)
            )
        );
    }

    [Fact]
    public async Task Tiers_and_boosts_follow_payments_newest_first()
    {
        var (id, _, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now, id, Tiers.Premium, now.AddDays(30)));
        await fx.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now.AddSeconds(-10), id, Tiers.Free, null));
        Assert.Equal(
            Tiers.Premium,
            await fx.ScalarAsync<string>("SELECT tier FROM user_profiles WHERE user_id = @id", ("id", id))
        );

        var purchase = new BoostPurchased(Guid.NewGuid(), now, id, now.AddDays(7));
        await fx.DeliverAsync(purchase);
        await fx.PublishAsync(purchase);
        Assert.True(
            (await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200))[
                "is_boosted"
            ]!.GetValue<bool>()
        );

        await fx.DeliverAsync(new BoostRevoked(Guid.NewGuid(), now.AddSeconds(1), id, Guid.NewGuid(), now));
        Assert.False(
            (await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200))[
                "is_boosted"
            ]!.GetValue<bool>()
        );
    }

    [Fact]
    public async Task A_tier_before_the_registration_does_not_make_a_visible_profile()
    {
        var (_, viewer, _) = await fx.RegisteredAsync();
        var id = Guid.NewGuid();
        await fx.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fx.Clock.GetUtcNow(), id, Tiers.Elite, null));
        await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertProblem(404);
        await fx.DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                id,
                "late_" + id.ToString("N")[..6],
                null,
                null,
                null,
                Roles.Member,
                "R",
                null
            )
        );
        await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200);
        Assert.Equal(
            Tiers.Elite,
            await fx.ScalarAsync<string>("SELECT tier FROM user_profiles WHERE user_id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task A_deleted_user_leaves_nothing_and_late_messages_do_not_revive_them()
    {
        var (id, token, username) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var (thirdId, _, _) = await fx.RegisteredAsync();
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = otherId }, token)).AssertStatus(201);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{otherId}", null, token)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{id}", null, other)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{thirdId}", null, token)).AssertStatus(204);

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), id);
        await fx.DeliverAsync(deleted);
        await fx.PublishAsync(deleted);
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow().AddMinutes(1),
                id,
                username,
                "Back",
                null,
                null,
                null,
                [],
                [],
                null,
                ["full_name"]
            )
        );

        await (await fx.Client.Get($"/api/v1/profiles/{id}", other)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/profiles/by-username/{username}", other)).AssertProblem(404);
        foreach (
            var table in new[]
            {
                "connections WHERE requester_id = @id OR addressee_id = @id",
                "follows WHERE follower_id = @id OR followed_id = @id",
                "blocks WHERE blocker_id = @id OR blocked_id = @id",
            }
        )
            Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM " + table, ("id", id)));
        Assert.Null(
            await fx.ScalarAsync<string>("SELECT full_name FROM user_profiles WHERE user_id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task An_account_announced_again_joined_when_it_was_made_not_at_its_last_change()
    {
        var (_, viewer, _) = await fx.RegisteredAsync();
        var id = Guid.NewGuid();
        var made = fx.Clock.GetUtcNow().AddDays(-30);
        // Identity's answer to a service that never heard of the account: as of its last change, made a month ago.
        await fx.DeliverAsync(
            new UserRegistered(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow().AddDays(-2),
                id,
                "seeded_admin",
                "admin@example.com",
                null,
                null,
                Roles.Admin,
                "ADMIN1",
                null
            )
            {
                RegisteredAt = made,
            }
        );

        var profile = await (await fx.Client.Get($"/api/v1/profiles/{id}", viewer)).AssertStatus(200);
        Assert.Equal("seeded_admin", profile["username"]!.GetValue<string>());
        Assert.Equal(made, profile["joined_at"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
    }
}
