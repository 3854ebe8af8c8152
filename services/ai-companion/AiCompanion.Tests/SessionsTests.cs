using Community.Contracts.Payments;

namespace Community.AiCompanion.Tests;

/// <summary>
/// Sessions bought with credits, end to end on the companion's bus: the test plays payments, reading the
/// CompanionSessionRequested the companion published and answering CreditsSpent or CreditsSpendDeclined.
/// </summary>
public sealed class SessionsTests(AllowanceFixture fx) : IClassFixture<AllowanceFixture>
{
    [Fact]
    public async Task A_session_bought_by_a_user_identity_never_announced_is_refused_and_requests_nothing()
    {
        var (strangerId, stranger) = fx.Stranger();

        await (await BuyAsync(stranger, "stranger-key")).AssertProblem(403);

        Assert.Equal(
            0,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CompanionSessionRequested,%' AND "
                    + "payload->>'userId' = @u",
                ("u", strangerId.ToString())
            )
        );
    }

    [Fact]
    public async Task A_tier_without_a_daily_limit_is_not_sold_a_session_and_a_key_used_before_still_answers()
    {
        var (eliteId, _) = await fx.RegisteredAsync();
        var refused = await (
            await BuyAsync(fx.Tokens.Issue(eliteId, Roles.Member, Tiers.Elite), "elite-key")
        ).AssertProblem(422);
        Assert.Contains("no daily limit", refused["detail"]!.GetValue<string>());
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM companion_sessions WHERE user_id = @u", ("u", eliteId))
        );

        // Bought before the membership went elite: the key still answers with it.
        var (userId, member) = await fx.RegisteredAsync();
        var bought = await (await BuyAsync(member, "before-elite")).AssertStatus(202);
        var elite = fx.Tokens.Issue(userId, Roles.Member, Tiers.Elite);
        await (await BuyAsync(elite, "as-elite")).AssertProblem(422);
        // What the key bought before stays its answer.
        var again = await (await BuyAsync(elite, "before-elite")).AssertStatus(200);
        Assert.Equal(bought["id"]!.GetValue<Guid>(), again["id"]!.GetValue<Guid>());
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CompanionSessionRequested,%' AND "
                    + "payload->>'userId' = @u",
                ("u", userId.ToString())
            )
        );
    }

    [Fact]
    public async Task A_session_is_requested_once_per_key_and_one_at_a_time()
    {
        var (userId, token) = await fx.RegisteredAsync();
        var first = await (await BuyAsync(token, "key-1")).AssertStatus(202);
        var sessionId = first["id"]!.GetValue<Guid>();
        Assert.Equal("pending", first["state"]!.GetValue<string>());
        Assert.Equal(AllowanceFixture.SessionCredits, first["price_credits"]!.GetValue<long>());

        var again = await (await BuyAsync(token, "key-1")).AssertStatus(200);
        Assert.Equal(sessionId, again["id"]!.GetValue<Guid>());
        var another = await (await BuyAsync(token, "key-2")).AssertStatus(409);
        Assert.Equal(sessionId, another["session_id"]!.GetValue<Guid>());
        // Concurrent repeats of one key buy one session.
        var (_, other) = await fx.RegisteredAsync();
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => BuyAsync(other, "same")));
        Assert.Equal(1, racing.Count(r => (int)r.StatusCode == 202));
        Assert.All(racing, r => Assert.Contains((int)r.StatusCode, new[] { 200, 202 }));

        Assert.Equal(1, await RequestedAsync(sessionId, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CompanionSessionRequested,%' AND "
                    + "payload->>'userId' = @u",
                ("u", userId.ToString())
            )
        );
        Assert.Equal("pending", (await GetAsync(token, sessionId))["state"]!.GetValue<string>());
        await (await fx.Client.Get($"/api/v1/companion/sessions/{sessionId}", other)).AssertStatus(404);
    }

    [Fact]
    public async Task A_paid_session_lifts_the_daily_limit_for_its_messages_until_it_ends()
    {
        fx.AwayFromMidnight();
        var (userId, token) = await fx.RegisteredAsync();
        for (var i = 0; i < AllowanceFixture.Free; i++)
            await fx.ReserveAsync(userId, Tiers.Free);
        Assert.False((await fx.ReserveAsync(userId, Tiers.Free)).Allowed);

        var sessionId = (await (await BuyAsync(token, "k")).AssertStatus(202))["id"]!.GetValue<Guid>();
        Assert.Equal(1, await RequestedAsync(sessionId, userId));
        var spent = new CreditsSpent(
            Guid.NewGuid(),
            fx.Tick(),
            userId,
            AllowanceFixture.SessionCredits,
            PaymentPurposes.CompanionSession,
            sessionId
        );
        await fx.DeliverAsync(spent);
        await fx.PublishAsync(spent); // a redelivery changes nothing
        await fx.ConsumedAsync(spent.MessageId, "CreditsSpentConsumer", times: 2);

        var session = await GetAsync(token, sessionId);
        Assert.Equal("active", session["state"]!.GetValue<string>());
        Assert.Equal(
            session["starts_at"]!.GetValue<DateTimeOffset>().AddMinutes(60),
            session["ends_at"]!.GetValue<DateTimeOffset>()
        );
        var usage = await (await fx.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200);
        Assert.Equal(sessionId, usage["session"]!["id"]!.GetValue<Guid>());

        // Past the daily limit the session carries its messages, 20 racing sends at most its allowance.
        var racing = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(_ => Task.Run(() => fx.ReserveAsync(userId, Tiers.Free)))
        );
        Assert.Equal(AllowanceFixture.SessionMessages, racing.Count(a => a.Allowed));
        Assert.All(racing.Where(a => a.Allowed), a => Assert.Equal(sessionId, a.SessionId));
        Assert.Equal("ended", (await GetAsync(token, sessionId))["state"]!.GetValue<string>());

        // A failed reply gives the session's message back; the session's time still bounds it.
        await fx.ReleaseAsync(racing.First(a => a.Allowed));
        Assert.Equal(sessionId, (await fx.ReserveAsync(userId, Tiers.Free)).SessionId);
        await fx.ReleaseAsync(new Limits.AllowanceAccess.Allowance(true, 0, null, null, sessionId));
        fx.Clock.Advance(TimeSpan.FromMinutes(61));
        token = fx.Tokens.Issue(userId);
        Assert.Equal("ended", (await GetAsync(token, sessionId))["state"]!.GetValue<string>());
        Assert.Null((await (await fx.Client.Get("/api/v1/companion/usage", token)).AssertStatus(200))["session"]);

        // Ended, the next one may be bought.
        await (await BuyAsync(token, "next")).AssertStatus(202);
        Assert.Equal(0, await PurchaseRejectedAsync(spent.MessageId));
    }

    /// <summary>
    /// A session's last message counted while its reply is still being written: buying the next session then keeps
    /// the first open (409, ask again in a moment), so a reply that fails gives its message back to a session that
    /// can still use it.
    /// </summary>
    [Fact]
    public async Task A_session_whose_last_message_is_still_being_answered_stays_open_until_the_reply_is_in()
    {
        fx.AwayFromMidnight();
        var (userId, token) = await fx.RegisteredAsync();
        for (var i = 0; i < AllowanceFixture.Free; i++)
            await fx.ReserveAsync(userId, Tiers.Free);
        var sessionId = (await (await BuyAsync(token, "first")).AssertStatus(202))["id"]!.GetValue<Guid>();
        await fx.DeliverAsync(
            new CreditsSpent(
                Guid.NewGuid(),
                fx.Tick(),
                userId,
                AllowanceFixture.SessionCredits,
                PaymentPurposes.CompanionSession,
                sessionId
            )
        );
        Limits.AllowanceAccess.Allowance last = null!;
        for (var i = 0; i < AllowanceFixture.SessionMessages; i++)
            last = await fx.ReserveAsync(userId, Tiers.Free);
        Assert.Equal(sessionId, last.SessionId);
        // the last message's send holds its claim, counted against the session, while the model answers
        const string Claim = """
            INSERT INTO companion_sends (user_id, client_txn_id, claimed_at, counted_day, counted_session_id)
            VALUES (@u, @txn, @at, NULL, @s)
            """;
        await fx.ExecuteAsync(
            Claim,
            ("u", userId),
            ("txn", "in-flight"),
            ("at", fx.Clock.GetUtcNow()),
            ("s", sessionId)
        );

        var refused = await (await BuyAsync(token, "second")).AssertProblem(409);
        Assert.Contains("still being answered", refused["detail"]!.GetValue<string>());
        // the reply failed: its message goes back to the session, which takes it
        await fx.ExecuteAsync("DELETE FROM companion_sends WHERE user_id = @u", ("u", userId));
        await fx.ReleaseAsync(last);
        Assert.Equal(sessionId, (await fx.ReserveAsync(userId, Tiers.Free)).SessionId);

        // used up again, its last send's process dead (a claim older than any reply takes): the next one may be bought
        await fx.ExecuteAsync(
            Claim,
            ("u", userId),
            ("txn", "died"),
            ("at", fx.Clock.GetUtcNow().AddHours(-1)),
            ("s", sessionId)
        );
        await (await BuyAsync(token, "third")).AssertStatus(202);
    }

    [Fact]
    public async Task A_declined_spend_rejects_the_session_and_the_next_may_be_bought()
    {
        var (userId, token) = await fx.RegisteredAsync();
        var sessionId = (await (await BuyAsync(token, "k")).AssertStatus(202))["id"]!.GetValue<Guid>();

        await fx.DeliverAsync(
            new CreditsSpendDeclined(
                Guid.NewGuid(),
                fx.Tick(),
                userId,
                PaymentPurposes.CompanionSession,
                sessionId,
                "insufficient_credits",
                10,
                AllowanceFixture.SessionCredits
            )
        );

        var session = await GetAsync(token, sessionId);
        Assert.Equal("rejected", session["state"]!.GetValue<string>());
        Assert.Equal("insufficient_credits", session["rejection"]!.GetValue<string>());
        await (await BuyAsync(token, "k2")).AssertStatus(202);
    }

    [Fact]
    public async Task A_purchase_payments_never_answers_stops_standing_in_the_way_and_a_late_spend_is_given_back()
    {
        var (userId, token) = await fx.RegisteredAsync();
        var stuck = (await (await BuyAsync(token, "k")).AssertStatus(202))["id"]!.GetValue<Guid>();
        fx.Clock.Advance(TimeSpan.FromMinutes(14));
        await (await BuyAsync(token, "k2")).AssertStatus(409);

        // No answer within 15 minutes: the next purchase goes ahead, and the stuck one says why it ended.
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        var next = (await (await BuyAsync(token, "k3")).AssertStatus(202))["id"]!.GetValue<Guid>();
        var ended = await GetAsync(token, stuck);
        Assert.Equal("rejected", ended["state"]!.GetValue<string>());
        Assert.Contains("did not answer", ended["rejection"]!.GetValue<string>());

        // A spend for it after all is given back; the new one starts on its own.
        var late = new CreditsSpent(
            Guid.NewGuid(),
            fx.Tick(),
            userId,
            AllowanceFixture.SessionCredits,
            PaymentPurposes.CompanionSession,
            stuck
        );
        await fx.DeliverAsync(late);
        Assert.Equal(1, await PurchaseRejectedAsync(late.MessageId));
        Assert.Equal("pending", (await GetAsync(token, next))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_spend_the_session_cannot_take_is_rejected_so_payments_gives_it_back()
    {
        var (userId, token) = await fx.RegisteredAsync();
        var sessionId = (await (await BuyAsync(token, "k")).AssertStatus(202))["id"]!.GetValue<Guid>();

        // Another amount than the price: not started, and refunded.
        var wrong = new CreditsSpent(
            Guid.NewGuid(),
            fx.Tick(),
            userId,
            AllowanceFixture.SessionCredits - 5,
            PaymentPurposes.CompanionSession,
            sessionId
        );
        await fx.DeliverAsync(wrong);
        Assert.Equal("rejected", (await GetAsync(token, sessionId))["state"]!.GetValue<string>());
        Assert.Equal(1, await PurchaseRejectedAsync(wrong.MessageId));

        // A second spend on an active session is refunded; the session keeps its first.
        var sessionId2 = (await (await BuyAsync(token, "k2")).AssertStatus(202))["id"]!.GetValue<Guid>();
        var paid = new CreditsSpent(
            Guid.NewGuid(),
            fx.Tick(),
            userId,
            AllowanceFixture.SessionCredits,
            PaymentPurposes.CompanionSession,
            sessionId2
        );
        var twice = paid with { MessageId = Guid.NewGuid() };
        await fx.DeliverAsync(paid);
        await fx.DeliverAsync(twice);
        Assert.Equal("active", (await GetAsync(token, sessionId2))["state"]!.GetValue<string>());
        Assert.Equal(0, await PurchaseRejectedAsync(paid.MessageId));
        Assert.Equal(1, await PurchaseRejectedAsync(twice.MessageId));

        // Other purposes are not the companion's.
        var course = new CreditsSpent(Guid.NewGuid(), fx.Tick(), userId, 40, PaymentPurposes.Course, Guid.NewGuid());
        await fx.ConsumedAsync(course);
        Assert.Equal(0, await PurchaseRejectedAsync(course.MessageId));
    }

    [Fact]
    public async Task A_deleted_account_loses_its_usage_and_sessions_and_a_late_spend_is_refunded()
    {
        var (userId, token) = await fx.RegisteredAsync();
        await fx.ReserveAsync(userId, Tiers.Free);
        var sessionId = (await (await BuyAsync(token, "k")).AssertStatus(202))["id"]!.GetValue<Guid>();

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), userId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM companion_usage WHERE user_id = @u", ("u", userId))
        );
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM companion_sessions WHERE user_id = @u", ("u", userId))
        );

        var late = new CreditsSpent(
            Guid.NewGuid(),
            fx.Tick(),
            userId,
            AllowanceFixture.SessionCredits,
            PaymentPurposes.CompanionSession,
            sessionId
        );
        await fx.DeliverAsync(late);
        Assert.Equal(1, await PurchaseRejectedAsync(late.MessageId));
    }

    private async Task<HttpResponseMessage> BuyAsync(string token, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/companion/sessions");
        request.Headers.Authorization = new("Bearer", token);
        if (key is not null)
            request.Headers.Add("Idempotency-Key", key);
        return await fx.Client.SendAsync(request);
    }

    private async Task<JsonNode> GetAsync(string token, Guid sessionId) =>
        await (await fx.Client.Get($"/api/v1/companion/sessions/{sessionId}", token)).AssertStatus(200);

    private Task<long> RequestedAsync(Guid sessionId, Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CompanionSessionRequested,%' AND "
                + "payload->>'sessionId' = @s AND payload->>'userId' = @u",
            ("s", sessionId.ToString()),
            ("u", userId.ToString())
        );

    /// <summary>PurchaseRejected the companion published for one spend (payments reverses the spend on it).</summary>
    private Task<long> PurchaseRejectedAsync(Guid spendId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.PurchaseRejected,%' AND payload->>'paymentId' = "
                + "@p AND payload->>'purpose' = 'companion_session'",
            ("p", spendId.ToString())
        );
}
