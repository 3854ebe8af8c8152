namespace Community.Social.Tests;

/// <summary>
/// A connection request, a follow, an invitation, a block, an innovator profile, a profile analysis's count, a group
/// joined or created or a report filed while the account it names is being erased (its UserDeleted under way, the
/// tombstone not committed yet) waits for the erasure, then finds the account deleted: nothing of it outlives the
/// erasure.
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

    [Fact]
    public async Task An_analysis_asked_while_its_account_is_erased_is_not_found_and_leaves_no_count()
    {
        var (erasedId, erased) = await KnownAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, erased)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM profile_analysis_uses WHERE user_id = @u", ("u", erasedId))
        );
    }

    [Fact]
    public async Task A_join_while_the_joiners_account_is_erased_is_not_found_and_leaves_no_membership()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (erasedId, erased) = await KnownAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, erased)
        );

        await response.AssertProblem(404);
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, erasedId));
    }

    [Fact]
    public async Task A_group_created_while_its_owners_account_is_erased_is_not_found_and_leaves_no_group()
    {
        var (erasedId, erased) = await KnownAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.PostJson("/api/v1/groups", new { name = "Created while erased" }, erased)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM groups WHERE owner_id = @u", ("u", erasedId))
        );
    }

    [Fact]
    public async Task A_block_of_an_account_being_erased_is_not_found_and_leaves_no_block()
    {
        var (_, blocker, _) = await fx.RegisteredAsync();
        var (erasedId, _, _) = await fx.RegisteredAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{erasedId}", null, blocker)
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM blocks WHERE blocked_id = @u", ("u", erasedId))
        );
        Assert.Equal(0L, await OutboxAsync(nameof(UserBlocked), "blockedUserId", erasedId));
    }

    [Fact]
    public async Task A_follow_and_a_connection_request_made_while_their_makers_account_is_erased_leave_nothing()
    {
        var (erasedId, erased) = await KnownAsync();
        var (someoneId, _, _) = await fx.RegisteredAsync();

        var follow = await SentDuringErasureAsync(
            erasedId,
            () => fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{someoneId}", null, erased)
        );
        await follow.AssertProblem(404);
        // Erased now: the same token, still let through, asks nobody either.
        var request = await fx.Client.PostJson("/api/v1/connections", new { user_id = someoneId }, erased);
        await request.AssertProblem(404);

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM follows WHERE follower_id = @u AND followed_id = @s",
                ("u", erasedId),
                ("s", someoneId)
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM connections WHERE requester_id = @u", ("u", erasedId))
        );
        Assert.Equal(0L, await OutboxAsync(nameof(ConnectionRequested), "toUserId", someoneId));
        Assert.Equal(0L, await OutboxAsync(nameof(UserFollowed), "followedUserId", someoneId));
    }

    [Fact]
    public async Task A_report_filed_while_its_reporters_account_is_erased_is_not_found_and_leaves_no_report()
    {
        var (erasedId, erased) = await KnownAsync();
        var (someoneId, _, _) = await fx.RegisteredAsync();

        var response = await SentDuringErasureAsync(
            erasedId,
            () =>
                fx.Client.PostJson(
                    "/api/v1/reports",
                    new
                    {
                        target_type = "user",
                        target_id = someoneId,
                        category = "spam",
                    },
                    erased
                )
        );

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM reports WHERE reporter_id = @u", ("u", erasedId))
        );
    }

    /// <summary>
    /// A member who wrote before (a follow): the service remembers them as known, so their token's writes are not
    /// refused once identity's deletion reaches it; only the write's own check stands between it and the erasure.
    /// </summary>
    private async Task<(Guid Id, string Token)> KnownAsync()
    {
        var (id, token, _) = await fx.RegisteredAsync();
        var (someoneId, _, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{someoneId}", null, token)).AssertStatus(204);
        return (id, token);
    }

    /// <summary>
    /// Sends <paramref name="write"/> while the erasure of <paramref name="userId"/> is under way: held at its last
    /// step (the tombstone, whose row the test holds), it has erased everything else and holds the gate. Once the write
    /// went through (before a fix) or waits on a lock too, the erasure goes on and commits; answers the write's answer.
    /// </summary>
    private async Task<HttpResponseMessage> SentDuringErasureAsync(Guid userId, Func<Task<HttpResponseMessage>> write)
    {
        await SettledAsync();
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

    /// <summary>
    /// Until the dashboard took in every follow, join and request announced so far: one taken in during the erasure
    /// would wait on the gate too, a waiter more than <see cref="SentDuringErasureAsync"/> counts.
    /// </summary>
    private async Task SettledAsync()
    {
        foreach (var type in new[] { nameof(UserFollowed), nameof(GroupMemberJoined), nameof(ConnectionRequested) })
        {
            var ids = await fx.ScalarAsync<string>(
                "SELECT string_agg(id::text, ',') FROM outbox_messages WHERE type LIKE '%.' || @t || ',%'",
                ("t", type)
            );
            foreach (var id in ids?.Split(',') ?? [])
                await fx.HandledAsync(Guid.Parse(id), "Dashboard" + type + "Consumer");
        }
    }

    private Task<long> PeopleDocumentsAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM search_documents WHERE kind = 'people' AND id = @u", ("u", userId));

    private Task<long> OutboxAsync(string type, string field, Guid value) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'{field}' = @v",
            ("v", value.ToString())
        );
}
