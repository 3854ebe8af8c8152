namespace Community.Social.Tests;

/// <summary>
/// A validly signed token is not enough to write: the subject must be a user identity announced and did not delete.
/// </summary>
public sealed class KnownUsersTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    private static object NewGroup(string name) =>
        new
        {
            name,
            visibility = "public",
            join_policy = "open",
        };

    private Task<long?> GroupsOwnedBy(Guid userId) =>
        fx.ScalarAsync<long?>("SELECT count(*) FROM groups WHERE owner_id = @id", ("id", userId));

    [Fact]
    public async Task A_write_by_a_user_identity_never_announced_is_refused_and_creates_nothing()
    {
        var (id, token) = fx.Stranger();

        var refused = await (
            await fx.Client.PostJson("/api/v1/groups", NewGroup("Owned by nobody"), token)
        ).AssertProblem(403);

        Assert.Contains("not known", refused["detail"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsOwnedBy(id));
        // Reads are not held up: a stranger sees what anyone signed in sees.
        await (await fx.Client.Get("/api/v1/groups", token)).AssertStatus(200);
    }

    [Fact]
    public async Task A_write_that_arrives_before_the_users_announcement_waits_for_it()
    {
        var (id, token) = fx.Stranger();

        // The token is issued as the account is created; its UserRegistered is still on its way.
        var write = fx.Client.PostJson("/api/v1/groups", NewGroup("Early bird"), token);
        await fx.PublishAsync(
            new UserRegistered(
                Guid.NewGuid(),
                fx.Tick(),
                id,
                "early" + id.ToString("N")[..8],
                null,
                null,
                null,
                Roles.Member,
                "REFEARLY",
                null
            )
        );

        await (await write).AssertStatus(201);
        Assert.Equal(1L, await GroupsOwnedBy(id));
    }

    [Fact]
    public async Task A_deleted_user_cannot_write_even_if_the_deletion_overtook_the_registration()
    {
        var (id, token) = fx.Stranger();
        await fx.PublishAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), id));
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM known_users WHERE user_id = @id AND deleted_at IS NOT NULL",
                    ("id", id)
                ) == 1,
            "UserDeleted was never recorded"
        );
        await fx.PublishAsync(
            new UserRegistered(
                Guid.NewGuid(),
                fx.Tick(),
                id,
                "gone" + id.ToString("N")[..8],
                null,
                null,
                null,
                Roles.Member,
                "REFGONE",
                null
            )
        );

        await (await fx.Client.PostJson("/api/v1/groups", NewGroup("After deletion"), token)).AssertProblem(403);
        Assert.Equal(0L, await GroupsOwnedBy(id));
    }
}
