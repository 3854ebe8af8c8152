namespace Community.Social.Tests;

/// <summary>
/// A connection request, a follow, an invitation or an innovator profile written while the account it names is being
/// erased (its UserDeleted under way, the tombstone not committed yet) waits for the erasure, then finds the account
/// deleted: nothing of it outlives the erasure.
/// </summary>
public sealed class WritesDuringErasureTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_connection_request_to_an_account_being_erased_is_not_found_and_leaves_no_request()
    {
        var (_, asker, _) = await fx.RegisteredAsync();
        var (erasedId, _, _) = await fx.RegisteredAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.PostJson("/api/v1/connections", new { user_id = erasedId }, asker)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM connections WHERE requester_id = @u OR addressee_id = @u",
                ("u", erasedId)
            )
        );
        Assert.Equal(0L, await OutboxAsync(nameof(ConnectionRequested), "toUserId", erasedId));
    }

    [Fact]
    public async Task A_follow_of_an_account_being_erased_is_not_found_and_leaves_no_follow()
    {
        var (_, follower, _) = await fx.RegisteredAsync();
        var (erasedId, _, _) = await fx.RegisteredAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{erasedId}", null, follower)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM follows WHERE followed_id = @u", ("u", erasedId))
        );
        Assert.Equal(0L, await OutboxAsync(nameof(UserFollowed), "followedUserId", erasedId));
    }

    [Fact]
    public async Task An_invitation_to_an_account_being_erased_is_not_found_and_leaves_no_invitation()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (erasedId, _, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = erasedId }, owner)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM group_invitations WHERE user_id = @u", ("u", erasedId))
        );
        Assert.Equal(0L, await OutboxAsync(nameof(GroupInvitationSent), "userId", erasedId));
    }

    [Fact]
    public async Task An_innovator_profile_put_while_its_account_is_erased_leaves_no_profile_and_no_search_document()
    {
        var (erasedId, erased, _) = await fx.RegisteredAsync();
        var (someoneId, _, _) = await fx.RegisteredAsync();
        // A member who wrote before: the service remembers them as known, so their token's writes are not refused
        // once identity's deletion reaches it; only the write's own check stands between it and the erasure.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{someoneId}", null, erased)).AssertStatus(
            204
        );
        // The profile's own search document, which the erasure deletes.
        Assert.Equal(1L, await PeopleDocumentsAsync(erasedId));

        var response = await SentDuringErasureAsync(
            erasedId,
            () =>
                fx.Client.SendJson(
                    HttpMethod.Put,
                    "/api/v1/profiles/me",
                    new { skills = new[] { "PostgreSQL" } },
                    erased
                )
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM innovator_profiles WHERE user_id = @u", ("u", erasedId))
        );
        // Built from the profile as it was before the erasure, it would put the account's name and bio back in search.
        Assert.Equal(0L, await PeopleDocumentsAsync(erasedId));
    }

    /// <summary>
    /// Sends <paramref name="write"/> while the erasure of <paramref name="userId"/> is under way: held at its last
    /// step (the tombstone, whose row the test holds), it has erased everything else and holds the gate. Once the write
    /// went through (before a fix) or waits on a lock too, the erasure goes on and commits; answers the write's answer.
    /// </summary>
    private async Task<HttpResponseMessage> SentDuringErasureAsync(Guid userId, Func<Task<HttpResponseMessage>> write)
    {
        Task erasing;
        Task<HttpResponseMessage> sent;
        await using (
            var profile = await fx.HoldAsync(
                "SELECT 1 FROM user_profiles WHERE user_id = @u FOR NO KEY UPDATE",
                ("u", userId)
            )
        )
        {
            erasing = fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), userId));
            await fx.WaitingOnALockAsync("%INSERT INTO user_profiles%", 1, "the erasure never reached the tombstone");
            sent = write();
            await fx.DoneOrWaitingOnALockAsync(
                () => sent.IsCompleted,
                "%",
                2,
                "the write neither went through nor waited on a lock"
            );
            await profile.CommitAsync();
        }
        await erasing;
        return await sent;
    }

    private Task<long> PeopleDocumentsAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM search_documents WHERE kind = 'people' AND id = @u", ("u", userId));

    private Task<long> OutboxAsync(string type, string field, Guid value) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'{field}' = @v",
            ("v", value.ToString())
        );
}
