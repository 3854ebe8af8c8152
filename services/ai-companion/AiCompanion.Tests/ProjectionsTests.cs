using Community.Contracts.Payments;
using Community.Contracts.Social;

namespace Community.AiCompanion.Tests;

public sealed class ProjectionsTests(CompanionFixture fixture) : IClassFixture<CompanionFixture>
{
    [Fact]
    public async Task A_profile_update_is_kept_and_an_older_one_changes_nothing()
    {
        var (id, _) = await fixture.RegisteredAsync();
        var newer = fixture.Tick();
        await fixture.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                newer,
                id,
                "newer",
                null,
                "Bay Area",
                "Oakland",
                "US",
                ["hiking"],
                [],
                null,
                ["region"]
            )
            {
                DateOfBirth = new DateOnly(2010, 5, 1),
                IdentityBadge = "verified",
            }
        );
        await fixture.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                newer.AddSeconds(-1),
                id,
                "older",
                null,
                "Elsewhere",
                null,
                "FR",
                ["chess"],
                [],
                null,
                ["region"]
            )
        );

        Assert.Equal(
            "Bay Area",
            await fixture.ScalarAsync<string>("SELECT region FROM user_profiles WHERE user_id = @id", ("id", id))
        );
        Assert.Equal(
            "hiking",
            await fixture.ScalarAsync<string>(
                "SELECT array_to_string(interests, ',') FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );
        Assert.Equal(
            "verified",
            await fixture.ScalarAsync<string>(
                "SELECT identity_badge FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );
    }

    [Fact]
    public async Task An_account_announced_again_keeps_its_profile_whichever_of_its_two_events_comes_first()
    {
        // identity's announcement: a registration and a profile update, both as of the account's last change
        foreach (var profileFirst in new[] { false, true })
        {
            var id = Guid.NewGuid();
            var at = fixture.Tick();
            var username = "again" + id.ToString("N")[..8];
            var profile = IdentityMessages.Profile(id, at, username, "Again") with
            {
                Region = "Bay Area",
                DateOfBirth = new DateOnly(2010, 5, 1),
            };
            await fixture.AnnouncedAgainAsync(
                IdentityMessages.Registered(id, at, username, "Again"),
                profile,
                profileFirst
            );

            Assert.Equal(
                "Bay Area",
                await fixture.ScalarAsync<string>("SELECT region FROM user_profiles WHERE user_id = @id", ("id", id))
            );
            Assert.Equal(
                new DateOnly(2010, 5, 1),
                await fixture.ScalarAsync<DateOnly>(
                    "SELECT date_of_birth FROM user_profiles WHERE user_id = @id",
                    ("id", id)
                )
            );
        }
    }

    [Fact]
    public async Task A_tier_change_is_kept_and_an_unknown_tier_is_not()
    {
        var (id, _) = await fixture.RegisteredAsync();
        await fixture.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fixture.Tick(), id, "elite", null));
        Assert.Equal(
            "elite",
            await fixture.ScalarAsync<string>("SELECT tier FROM user_profiles WHERE user_id = @id", ("id", id))
        );

        var stale = new SubscriptionChanged(Guid.NewGuid(), fixture.Tick().AddDays(-1), id, "premium", null);
        await fixture.DeliverAsync(stale);
        Assert.Equal(
            "elite",
            await fixture.ScalarAsync<string>("SELECT tier FROM user_profiles WHERE user_id = @id", ("id", id))
        );
    }

    [Fact]
    public async Task A_registration_after_a_tier_change_sets_the_username_and_an_erased_account_stays_erased()
    {
        // payments announced the tier before identity's registration arrived
        var id = Guid.NewGuid();
        var registered = IdentityMessages.Registered(id, fixture.Tick(), "late" + id.ToString("N")[..8]);
        await fixture.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fixture.Tick(), id, "premium", null));
        await fixture.DeliverAsync(registered);
        Assert.Equal(
            registered.Username + " premium",
            await fixture.ScalarAsync<string>(
                "SELECT username || ' ' || tier FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );

        // an erased account's tombstone gets no username back from a registration delivered late
        var erased = Guid.NewGuid();
        await fixture.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fixture.Tick(), erased, "premium", null));
        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), erased));
        await fixture.DeliverAsync(IdentityMessages.Registered(erased, fixture.Tick(), "back" + erased.ToString("N")));
        Assert.Equal(
            "deleted",
            await fixture.ScalarAsync<string>(
                "SELECT coalesce(username, 'deleted') FROM user_profiles WHERE user_id = @id AND deleted_at IS NOT "
                    + "NULL",
                ("id", erased)
            )
        );
    }

    [Fact]
    public async Task A_deleted_user_loses_the_profile_and_their_blocks_and_stays_deleted()
    {
        var (id, _) = await fixture.RegisteredAsync();
        var (other, _) = await fixture.RegisteredAsync();
        await fixture.ProfileAsync(
            id,
            region: "Bay Area",
            interests: ["hiking"],
            dateOfBirth: new DateOnly(1990, 1, 1)
        );
        await fixture.DeliverAsync(new UserBlocked(Guid.NewGuid(), fixture.Tick(), id, other));
        await fixture.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fixture.Tick(), id, "elite", null));

        await fixture.DeliverAsync(new UserDeleted(Guid.NewGuid(), fixture.Tick(), id));
        await fixture.ProfileAsync(id, region: "Back again");
        await fixture.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), fixture.Tick(), id, "premium", null));

        Assert.True(
            await fixture.ScalarAsync<bool>(
                "SELECT deleted_at IS NOT NULL FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );
        Assert.Null(
            await fixture.ScalarAsync<string>("SELECT region FROM user_profiles WHERE user_id = @id", ("id", id))
        );
        Assert.Null(
            await fixture.ScalarAsync<DateTime?>(
                "SELECT date_of_birth::timestamp FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );
        Assert.Equal(
            0,
            await fixture.ScalarAsync<long>("SELECT count(*) FROM blocks WHERE blocker_id = @id", ("id", id))
        );
        // The subscription goes too, as a row that never had one, and a late change does not bring it back.
        Assert.Equal(
            "free -infinity",
            await fixture.ScalarAsync<string>(
                "SELECT tier || ' ' || tier_as_of::text FROM user_profiles WHERE user_id = @id",
                ("id", id)
            )
        );
    }
}
