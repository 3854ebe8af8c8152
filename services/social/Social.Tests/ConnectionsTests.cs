using Community.Social.Data;

namespace Community.Social.Tests;

public sealed class ConnectionsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_request_is_pending_until_the_addressee_accepts_it()
    {
        var (aId, a, _) = await fx.RegisteredAsync(region: "Deira", interests: ["chess", "golf"]);
        var (bId, b, _) = await fx.RegisteredAsync(region: "Deira", interests: ["chess"]);
        var (_, stranger, _) = await fx.RegisteredAsync();

        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = bId, message = "Chess on Friday?" }, a)
        ).AssertStatus(201);
        Assert.Equal("pending", request["status"]!.GetValue<string>());
        Assert.Equal("outgoing", request["direction"]!.GetValue<string>());
        Assert.Equal(28, request["compatibility_score"]!.GetValue<int>()); // 1 shared interest (8) + same region (20)
        var id = request["id"]!.GetValue<string>();
        Assert.Equal(1L, await OutboxAsync(nameof(ConnectionRequested), id));
        // Asking again before an answer is the same request.
        var again = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(200);
        Assert.Equal(id, again["id"]!.GetValue<string>());

        var incoming = await (
            await fx.Client.Get("/api/v1/connections?status=pending&direction=incoming", b)
        ).AssertStatus(200);
        var item = Assert.Single(incoming["items"]!.AsArray())!;
        Assert.Equal(aId.ToString(), item["user"]!["user_id"]!.GetValue<string>());
        Assert.Equal("Chess on Friday?", item["message"]!.GetValue<string>());
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/connections?status=pending&direction=outgoing", b)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );

        // Only the addressee answers; the requester is refused, a stranger does not learn the request exists.
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, a)).AssertProblem(403);
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, stranger)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/decline", new { }, stranger)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{id}", null, stranger)).AssertProblem(
            404
        );

        var accepted = await (await fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, b)).AssertStatus(
            200
        );
        Assert.Equal("accepted", accepted["status"]!.GetValue<string>());
        Assert.Equal("incoming", accepted["direction"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, b)).AssertStatus(200);
        Assert.Equal(1L, await OutboxAsync(nameof(ConnectionAccepted), id));
        var mine = await (await fx.Client.Get("/api/v1/connections", a)).AssertStatus(200);
        Assert.Equal(bId.ToString(), Assert.Single(mine["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>());
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)).AssertProblem(409);

        // Either side ends it.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{id}", null, b)).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(ConnectionRemoved), id));
        Assert.Empty((await (await fx.Client.Get("/api/v1/connections", a)).AssertStatus(200))["items"]!.AsArray());
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{id}", null, a)).AssertProblem(404);
    }

    [Fact]
    public async Task Asking_someone_who_already_asked_me_accepts_their_request()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var theirs = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            201
        );
        var mine = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)).AssertStatus(200);
        Assert.Equal(theirs["id"]!.GetValue<string>(), mine["id"]!.GetValue<string>());
        Assert.Equal("accepted", mine["status"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM connections WHERE requester_id IN (@a, @b) AND addressee_id IN (@a, @b)",
                ("a", aId),
                ("b", bId)
            )
        );
    }

    [Fact]
    public async Task Two_people_asking_each_other_at_once_end_in_one_accepted_connection()
    {
        for (var round = 0; round < 5; round++)
        {
            var (aId, a, _) = await fx.RegisteredAsync();
            var (bId, b, _) = await fx.RegisteredAsync();
            var answers = await Task.WhenAll(
                fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a),
                fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)
            );
            Assert.Equal([200, 201], answers.Select(r => (int)r.StatusCode).Order());
            Assert.Equal(
                "accepted",
                await fx.ScalarAsync<string>(
                    """
                    SELECT string_agg(status, ',') FROM connections WHERE requester_id IN (@a, @b)
                        AND addressee_id IN (@a, @b)
                    """,
                    ("a", aId),
                    ("b", bId)
                )
            );
        }
    }

    [Fact]
    public async Task Accepting_while_asking_back_at_once_accepts_once()
    {
        for (var round = 0; round < 20; round++)
        {
            var (aId, a, _) = await fx.RegisteredAsync();
            var (bId, b, _) = await fx.RegisteredAsync();
            var request = await (
                await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)
            ).AssertStatus(201);
            var id = request["id"]!.GetValue<string>();
            // b accepts a's request and asks a to connect, which accepts it too, at the same time.
            var answers = await Task.WhenAll(
                fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, b),
                fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)
            );
            Assert.Equal(200, (int)answers[0].StatusCode);
            // Asking back after the accept finds them connected.
            Assert.Contains((int)answers[1].StatusCode, new[] { 200, 409 });
            Assert.Equal(1L, await OutboxAsync(nameof(ConnectionAccepted), id));
        }
    }

    [Fact]
    public async Task Declining_or_withdrawing_removes_the_request()
    {
        var (_, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (cId, c, _) = await fx.RegisteredAsync();
        var first = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/connections/{first["id"]}/decline", new { }, a)).AssertProblem(403);
        await (await fx.Client.PostJson($"/api/v1/connections/{first["id"]}/decline", new { }, b)).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(ConnectionRemoved), first["id"]!.GetValue<string>()));
        var second = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = cId }, a)).AssertStatus(
            201
        );
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{second["id"]}", null, a)
        ).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(ConnectionRemoved), second["id"]!.GetValue<string>()));
        foreach (var asked in new[] { b, c })
            Assert.Empty(
                (await (await fx.Client.Get("/api/v1/connections?status=pending", asked)).AssertStatus(200))[
                    "items"
                ]!.AsArray()
            );
    }

    [Fact]
    public async Task A_request_withdrawn_or_declined_is_asked_again_only_after_the_wait_while_the_one_asked_may_ask()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (cId, c, _) = await fx.RegisteredAsync();
        var (dId, d, _) = await fx.RegisteredAsync();
        async Task<string> AskAsync(string token, Guid whom) =>
            (await (await fx.Client.PostJson("/api/v1/connections", new { user_id = whom }, token)).AssertStatus(201))[
                "id"
            ]!.GetValue<string>();
        async Task RefusedAsync(string token, Guid whom) =>
            await RequestWaits.AssertRefusedAsync(
                await fx.Client.PostJson("/api/v1/connections", new { user_id = whom }, token),
                "withdrawn or declined"
            );
        async Task<long> RequestsAsync(Guid from, Guid to) =>
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM connections WHERE requester_id = @from AND addressee_id = @to",
                ("from", from),
                ("to", to)
            );

        // Declined by B: A may not ask B again, and nothing is made (so nothing notifies B).
        var declined = await AskAsync(a, bId);
        await (await fx.Client.PostJson($"/api/v1/connections/{declined}/decline", new { }, b)).AssertStatus(204);
        await RefusedAsync(a, bId);
        Assert.Equal(0L, await RequestsAsync(aId, bId));
        // B may still ask A, and A asking B back then accepts it, as ever.
        var asked = await AskAsync(b, aId);
        var accepted = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            200
        );
        Assert.Equal(asked, accepted["id"]!.GetValue<string>());
        Assert.Equal("accepted", accepted["status"]!.GetValue<string>());

        // Withdrawn by its asker, or turned down with DELETE by the one asked: the asker waits either way.
        var withdrawn = await AskAsync(a, cId);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{withdrawn}", null, a)).AssertStatus(
            204
        );
        await RefusedAsync(a, cId);
        var removed = await AskAsync(d, cId);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{removed}", null, c)).AssertStatus(
            204
        );
        await RefusedAsync(d, cId);

        // Ending an accepted connection starts no wait, and being connected ended the one A had from B's decline.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{asked}", null, b)).AssertStatus(204);
        await AskAsync(a, bId);

        // A request a block ended is one declined: unblocking does not let it be asked again at once.
        var (eId, e, _) = await fx.RegisteredAsync();
        await AskAsync(d, eId);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{dId}", null, e)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{dId}", null, e)).AssertStatus(204);
        await RefusedAsync(d, eId);

        // Once the wait is over, the asker may ask again (tokens issued on the moved clock).
        fx.Clock.Advance(RequestCooldowns.Length + TimeSpan.FromDays(1));
        await AskAsync(fx.Tokens.Issue(aId), cId);

        // An erased account's waits go with it.
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE kind = 'connection' AND asker_id = @d",
                ("d", dId)
            )
        );
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), dId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE asker_id = @d OR target_id = @d",
                ("d", dId)
            )
        );
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_right_problem()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var missing = await (await fx.Client.PostJson("/api/v1/connections", new { message = "hi" }, me)).AssertProblem(
            400
        );
        Assert.NotNull(missing["errors"]!["user_id"]);
        var (otherId, _, _) = await fx.RegisteredAsync();
        var tooLong = await (
            await fx.Client.PostJson(
                "/api/v1/connections",
                new { user_id = otherId, message = new string('x', 501) },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(tooLong["errors"]!["message"]);
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = meId }, me)).AssertProblem(422);
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = Guid.NewGuid() }, me)).AssertProblem(
            404
        );
        var query = await (
            await fx.Client.Get("/api/v1/connections?status=rejected&direction=sideways&cursor=zz", me)
        ).AssertProblem(400);
        Assert.NotNull(query["errors"]!["status"]);
        Assert.NotNull(query["errors"]!["direction"]);
        Assert.NotNull(query["errors"]!["cursor"]);
        await (await fx.Client.PostJson($"/api/v1/connections/{Guid.NewGuid()}/accept", new { }, me)).AssertProblem(
            404
        );
    }

    [Fact]
    public async Task The_list_pages_newest_first()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var asked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (id, _, _) = await fx.RegisteredAsync();
            asked.Add(
                (await (await fx.Client.PostJson("/api/v1/connections", new { user_id = id }, me)).AssertStatus(201))[
                    "id"
                ]!.GetValue<string>()
            );
        }
        var first = await (await fx.Client.Get("/api/v1/connections?status=pending&limit=2", me)).AssertStatus(200);
        var second = await (
            await fx.Client.Get($"/api/v1/connections?status=pending&limit=2&cursor={first["next_cursor"]}", me)
        ).AssertStatus(200);
        var seen = first["items"]!
            .AsArray()
            .Concat(second["items"]!.AsArray())
            .Select(n => n!["id"]!.GetValue<string>())
            .ToList();
        Assert.Equal(Enumerable.Reverse(asked), seen);
        Assert.Null(second["next_cursor"]);
    }

    [Fact]
    public async Task A_request_that_waited_for_the_pairs_request_to_go_is_stamped_after_it_went()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var first = (
            await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(201)
        )["id"]!.GetValue<Guid>();

        // a withdraws their request (its row held and deleted, not committed yet) while b asks a: b's request waits
        // for the row, then finds none and makes its own. It commits after the withdrawal, so it must carry the later
        // time, or messaging (which drops a request older than the pair's last change) never tells a of it.
        string? second = null;
        var held = await HeldLocks.StampedWhileHeldAsync(
            fx,
            "DELETE FROM connections WHERE id = @p",
            first,
            "%FROM connections WHERE (requester_id%FOR UPDATE%",
            async () =>
                second = (
                    await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)).AssertStatus(201)
                )["id"]!.GetValue<string>()
        );

        await HeldLocks.AssertStampedAfterAsync(fx, held, nameof(ConnectionRequested), "connectionId", second!);
    }

    [Fact]
    public async Task Withdrawing_and_declining_wait_for_the_pairs_lock_and_are_stamped_when_they_hold_it()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var withdrawn = (
            await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(201)
        )["id"]!.GetValue<string>();

        // A request made under the pair's lock reads the time under it: a withdrawal or a decline of the pair's
        // earlier request must be ordered with it by the same lock, or the new request may carry the older time.
        var withdrawnAt = await HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            aId,
            bId,
            async () =>
                await (
                    await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{withdrawn}", null, a)
                ).AssertStatus(204)
        );
        var declined = (
            await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)).AssertStatus(201)
        )["id"]!.GetValue<string>();
        var declinedAt = await HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            aId,
            bId,
            async () =>
                await (await fx.Client.PostJson($"/api/v1/connections/{declined}/decline", new { }, a)).AssertStatus(
                    204
                )
        );

        await HeldLocks.AssertStampedAfterAsync(fx, withdrawnAt, nameof(ConnectionRemoved), "connectionId", withdrawn);
        await HeldLocks.AssertStampedAfterAsync(fx, declinedAt, nameof(ConnectionRemoved), "connectionId", declined);
    }

    private Task<long> OutboxAsync(string type, string connectionId) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'connectionId' = @v",
            ("v", connectionId)
        );
}
