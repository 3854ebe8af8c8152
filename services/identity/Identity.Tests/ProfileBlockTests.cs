using Community.Contracts.Social;

namespace Community.Identity.Tests;

/// <summary>
/// The public profile answers 404 between a blocked pair, either way, as social's profiles do; identity learns the
/// blocks from social's events.
/// </summary>
public sealed class ProfileBlockTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    private sealed record Member(Guid Id, string Token);

    private async Task<Member> MemberAsync()
    {
        var registered = await fx.RegisterAsync();
        return new Member(
            Guid.Parse(registered["user"]!["id"]!.GetValue<string>()),
            registered["access_token"]!.GetValue<string>()
        );
    }

    private Task<HttpResponseMessage> ProfileAsync(Member viewer, Member of) =>
        Client.Get($"/api/v1/users/{of.Id}", viewer.Token);

    private Task BlockAsync(Member blocker, Member blocked, DateTimeOffset at) =>
        fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), at, blocker.Id, blocked.Id));

    private Task UnblockAsync(Member blocker, Member blocked, DateTimeOffset at) =>
        fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), at, blocker.Id, blocked.Id));

    [Fact]
    public async Task A_blocked_pair_see_404_of_each_other_and_others_see_both()
    {
        var (blocker, blocked, other) = (await MemberAsync(), await MemberAsync(), await MemberAsync());
        await (await ProfileAsync(blocked, blocker)).AssertStatus(200);

        await BlockAsync(blocker, blocked, fx.Tick());

        var problem = await (await ProfileAsync(blocked, blocker)).AssertProblem(404);
        Assert.Equal("No member has this id.", problem["detail"]!.GetValue<string>());
        await (await ProfileAsync(blocker, blocked)).AssertProblem(404);
        await (await ProfileAsync(other, blocker)).AssertStatus(200);
        await (await ProfileAsync(other, blocked)).AssertStatus(200);
        await (await ProfileAsync(blocked, blocked)).AssertStatus(200);
        await (await ProfileAsync(blocker, blocker)).AssertStatus(200);
    }

    /// <summary>
    /// A block told while one of the pair's accounts is being deleted is not kept after the deletion: its erasure of
    /// blocks could not see a row written meanwhile.
    /// </summary>
    [Fact]
    public async Task A_block_told_while_an_account_is_being_deleted_is_not_kept_after_it()
    {
        var (blocker, leaving) = (await MemberAsync(), await MemberAsync());
        await using var deletion = await fx.HoldAsync("DELETE FROM users WHERE id = @id", ("id", leaving.Id));
        var block = new UserBlocked(Guid.NewGuid(), fx.Tick(), blocker.Id, leaving.Id);
        await fx.PublishAsync(block);
        await fx.DoneOrWaitingOnALockAsync(
            () => fx.Consumed.Has(block.MessageId, "UserBlockedConsumer"),
            "%user_blocks%",
            1,
            "the block was neither kept nor waiting for the deletion"
        );

        await deletion.CommitAsync();
        await fx.HandledAsync(block.MessageId, "UserBlockedConsumer");

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM user_blocks WHERE blocked_user_id = @id OR blocker_user_id = @id",
                ("id", leaving.Id)
            )
        );
    }

    [Fact]
    public async Task An_unblock_shows_the_profiles_again_and_an_older_block_arriving_late_changes_nothing()
    {
        var (blocker, blocked) = (await MemberAsync(), await MemberAsync());
        var blockedAt = fx.Tick();
        var unblockedAt = fx.Tick();
        await UnblockAsync(blocker, blocked, unblockedAt);
        await BlockAsync(blocker, blocked, blockedAt);

        await (await ProfileAsync(blocked, blocker)).AssertStatus(200);
        await (await ProfileAsync(blocker, blocked)).AssertStatus(200);

        await BlockAsync(blocked, blocker, fx.Tick());
        await (await ProfileAsync(blocker, blocked)).AssertProblem(404);
        await UnblockAsync(blocked, blocker, fx.Tick());
        await (await ProfileAsync(blocker, blocked)).AssertStatus(200);
        await (await ProfileAsync(blocked, blocker)).AssertStatus(200);
    }

    [Fact]
    public async Task A_deleted_accounts_blocks_are_erased_and_never_come_back()
    {
        var (leaving, staying) = (await MemberAsync(), await MemberAsync());
        await BlockAsync(staying, leaving, fx.Tick());
        Assert.Equal(1L, await BlocksOfAsync(leaving.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(leaving.Token)).StatusCode);
        await Eventually.TrueAsync(
            async () => await BlocksOfAsync(leaving.Id) == 0,
            "the deleted account's blocks are still there"
        );

        // A block social announces late, about the account that is gone, is not recorded.
        await BlockAsync(leaving, staying, fx.Tick());
        Assert.Equal(0L, await BlocksOfAsync(leaving.Id));
    }

    private async Task<long> BlocksOfAsync(Guid userId) =>
        await fx.ScalarAsync<long>(
            "SELECT count(*) FROM user_blocks WHERE blocker_user_id = @id OR blocked_user_id = @id",
            ("id", userId)
        );
}
