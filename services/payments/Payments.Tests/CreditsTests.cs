using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Payments.Credits;
using Npgsql;

namespace Community.Payments.Tests;

public sealed class CreditsTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    private const string StarterPack = "6d1c4f0e-5b8a-4e55-9a53-1f3c2b7a9e01";

    // ---- buying and reading ----

    [Fact]
    public async Task A_credit_pack_paid_in_the_sandbox_grants_its_credits_once()
    {
        var (userId, token) = fx.User();
        var packs = await (await fx.Client.Get("/api/v1/credits/packs", token)).AssertStatus(200);
        var pack = packs["items"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "Starter")!;
        Assert.Equal(100, pack["credits"]!.GetValue<int>());
        Assert.Equal(499, pack["amount_cents"]!.GetValue<long>());
        Assert.Equal("EUR", pack["currency"]!.GetValue<string>());
        var packId = pack["id"]!.GetValue<Guid>();

        var checkout = await fx.CheckoutAsync(token, "credits", packId);
        Assert.Equal(499, checkout["amount_cents"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);

        // PaymentSucceeded goes out through the outbox and comes back from the broker.
        await Eventually.TrueAsync(
            async () => await BalanceAsync(token) == 100,
            "the paid pack's credits never arrived"
        );
        var credits = await CreditsAsync(token);
        var entry = Assert.Single(credits["items"]!.AsArray())!;
        Assert.Equal(100, entry["amount"]!.GetValue<long>());
        Assert.Equal("grant", entry["kind"]!.GetValue<string>());
        Assert.Equal("credit_pack", entry["reason"]!.GetValue<string>());

        // The same payment announced again in a new message (past the inbox): its key grants once.
        var paymentId = checkout["payment_id"]!.GetValue<Guid>();
        var again = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paymentId,
            userId,
            "credits",
            packId,
            499,
            "EUR"
        );
        await PublishAsync(again, again.MessageId);
        await fx.HandledAsync(again.MessageId, nameof(CreditPackPaidConsumer));
        Assert.Equal(100, await BalanceAsync(token));
        Assert.Equal(1, await OutboxForUserAsync("CreditsGranted", userId));
        Assert.Equal(
            "payment:" + paymentId,
            await fx.ScalarAsync<string>(
                "SELECT idempotency_key FROM credit_transactions WHERE user_id = @u",
                ("u", userId)
            )
        );
    }

    [Fact]
    public async Task The_balance_read_is_always_the_sum_of_the_entries_read_with_it_while_grants_land()
    {
        var (userId, token) = fx.User();
        var lockStep = new ReadsAmongWrites();
        var grants = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                // Every six grants, wait for a read that starts now: it falls between two grants, whatever the load.
                if (i > 0 && i % 6 == 0)
                    await lockStep.AwaitReadAsync();
                await using var scope = fx.Host.Services.CreateAsyncScope();
                await scope
                    .ServiceProvider.GetRequiredService<CreditLedger>()
                    .GrantAsync(userId, 1, "test", "test:" + Guid.NewGuid(), CancellationToken.None);
            }
        });
        var balances = new HashSet<long>();
        await lockStep.ReadUntilAsync(
            grants,
            async () =>
            {
                var credits = await CreditsAsync(token, "?limit=100");
                // every entry fits the page: a balance its entries do not explain is two reads of two moments
                Assert.Equal(credits["balance"]!.GetValue<long>(), Amounts(credits).Sum());
                balances.Add(credits["balance"]!.GetValue<long>());
            }
        );
        // The reads the grants waited for saw every sixth grant land.
        Assert.Superset(Enumerable.Range(1, 9).Select(n => 6L * n).ToHashSet(), balances);
        Assert.Equal(60, await BalanceAsync(token));
    }

    [Fact]
    public async Task Unknown_body_fields_and_query_parameters_are_refused_naming_the_valid_ones()
    {
        var (_, token) = fx.User();
        var packId = (await (await fx.Client.Get("/api/v1/credits/packs", token)).AssertStatus(200))["items"]![0]![
            "id"
        ]!.GetValue<Guid>();

        var priced = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "credits",
                reference_id = packId,
                payment_method = "card",
                amount_cents = 1,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
        var misspelled = await fx.Client.Get("/api/v1/credits?limt=2", token);

        Assert.Equal(
            "amount_cents is not a known field; the valid fields are: cancel_url, payment_method, purpose, "
                + "reference_id, success_url.",
            (await priced.AssertProblem(400))["errors"]!["amount_cents"]![0]!.GetValue<string>()
        );
        Assert.Equal(
            "limt is not a known query parameter; the valid query parameters are: cursor, limit.",
            (await misspelled.AssertProblem(400))["errors"]!["limt"]![0]!.GetValue<string>()
        );
    }

    [Theory]
    [InlineData("Credits", "0", "Payments:CreditPacks:2:Credits must be above 0")]
    [InlineData("AmountCents", "-499", "Payments:CreditPacks:2:AmountCents must be above 0")]
    [InlineData("Currency", "", "Payments:CreditPacks:2:Currency must be an ISO 4217 code")]
    [InlineData("Currency", "EURO", "Payments:CreditPacks:2:Currency must be an ISO 4217 code")]
    [InlineData("Id", StarterPack, "Payments:CreditPacks:2:Id " + StarterPack + " is the id of an earlier pack")]
    public void A_credit_pack_that_cannot_be_delivered_stops_the_service_at_start_up(
        string setting,
        string value,
        string problem
    )
    {
        var pack = new Dictionary<string, string?>
        {
            ["Payments:CreditPacks:2:Id"] = "6d1c4f0e-5b8a-4e55-9a53-1f3c2b7a9e03",
            ["Payments:CreditPacks:2:Name"] = "Bulk",
            ["Payments:CreditPacks:2:Credits"] = "2000",
            ["Payments:CreditPacks:2:AmountCents"] = "6999",
            ["Payments:CreditPacks:2:Currency"] = "EUR",
        };
        pack[$"Payments:CreditPacks:2:{setting}"] = value;

        // Sold, it would be paid and then fail in CreditPackPaidConsumer: the service does not start with it.
        var failure = Assert.ThrowsAny<Exception>(() => fx.StartHost(pack));

        Assert.Contains(problem, failure.ToString());
        // The packs appsettings.json ships pass.
        Assert.DoesNotContain("Payments:CreditPacks:0", failure.ToString());
        Assert.DoesNotContain("Payments:CreditPacks:1", failure.ToString());
    }

    [Theory]
    [InlineData("Tiers:premium:AmountCents", "0", "Payments:Tiers:premium:AmountCents must be above 0")]
    [InlineData("Tiers:elite:Currency", "EURO", "Payments:Tiers:elite:Currency must be an ISO 4217 code")]
    [InlineData("Tiers:elite:PeriodDays", "0", "Payments:Tiers:elite:PeriodDays must be from 1 to 365")]
    [InlineData("Tiers:gold:AmountCents", "4999", "Payments:Tiers:gold is not a tier sold: premium, elite")]
    [InlineData("Boosts:07:AmountCents", "899", "Payments:Boosts:07 must be named by its days")]
    [InlineData("Boosts:7:Credits", "-90", "Payments:Boosts:7:Credits must be above 0, or unset")]
    [InlineData("Boosts:30:AmountCents", "-1", "Payments:Boosts:30:AmountCents must be above 0")]
    [InlineData("Boosts:1:Currency", "", "Payments:Boosts:1:Currency must be an ISO 4217 code")]
    [InlineData("CompanionSessionCredits", "0", "Payments:CompanionSessionCredits must be above 0, or unset")]
    public void A_plan_boost_or_session_that_cannot_be_charged_stops_the_service_at_start_up(
        string setting,
        string value,
        string problem
    )
    {
        // Sold, its checkout would fail (a 500 to the buyer) or charge what was not meant: the service does not start.
        var failure = Assert.ThrowsAny<Exception>(() =>
            fx.StartHost(new Dictionary<string, string?> { ["Payments:" + setting] = value })
        );

        Assert.Contains(problem, failure.ToString());
        // The prices appsettings.json ships pass: only the one changed is named.
        var named = System
            .Text.RegularExpressions.Regex.Matches(failure.ToString(), @"Payments:(Tiers|Boosts):[a-z0-9]+")
            .Select(m => m.Value)
            .Distinct();
        Assert.All(named, n => Assert.StartsWith(n, problem, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_balance_comes_with_my_entries_newest_first_in_cursor_pages()
    {
        var (userId, token) = fx.User();
        for (var amount = 1; amount <= 5; amount++)
            await GrantAsync(userId, amount);
        await GrantAsync(fx.User().Id, 1000); // someone else's

        var first = await CreditsAsync(token, "?limit=2");
        Assert.Equal(15, first["balance"]!.GetValue<long>());
        Assert.Equal(new[] { 5L, 4L }, Amounts(first));
        var second = await CreditsAsync(token, $"?limit=2&cursor={first["next_cursor"]}");
        Assert.Equal(new[] { 3L, 2L }, Amounts(second));
        var last = await CreditsAsync(token, $"?limit=2&cursor={second["next_cursor"]}");
        Assert.Equal(new[] { 1L }, Amounts(last));
        Assert.Null(last["next_cursor"]);
        Assert.Equal(5, Amounts(await CreditsAsync(token, "?limit=100")).Count);

        var empty = await CreditsAsync(fx.User().Token);
        Assert.Equal(0, empty["balance"]!.GetValue<long>());
        Assert.Empty(empty["items"]!.AsArray());

        foreach (
            var bad in new[] { "?limit=0", "?limit=101", "?cursor=not-a-cursor", $"?cursor={first["next_cursor"]}x" }
        )
            await (await fx.Client.Get("/api/v1/credits" + bad, token)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/credits")).AssertStatus(401);
    }

    [Fact]
    public async Task Every_transaction_is_two_entries_summing_to_zero_and_the_ledger_is_append_only()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 100);
        var enrollment = await EnrollmentForCreditsAsync(userId, 40);
        var spent = await (await SpendAsync(token, enrollment)).AssertStatus(201);
        await PublishAsync(
            new PurchaseRejected(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                spent["spend_id"]!.GetValue<Guid>(),
                "course",
                enrollment,
                "test"
            )
        );
        await Eventually.TrueAsync(
            async () => await BalanceAsync(token) == 100,
            "the rejected spend was never paid back"
        );

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM (
                    SELECT t.id FROM credit_transactions t LEFT JOIN credit_entries e ON e.transaction_id = t.id
                    GROUP BY t.id HAVING count(e.sequence) <> 2 OR coalesce(sum(e.amount), 0) <> 0) unbalanced
                """
            )
        );
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT coalesce(sum(amount), 0) FROM credit_entries"));
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM credit_transactions WHERE user_id = @u", ("u", userId))
        );

        var changed = await Assert.ThrowsAsync<PostgresException>(() =>
            fx.ExecuteAsync("UPDATE credit_entries SET amount = amount * 2 WHERE user_id = @u", ("u", userId))
        );
        Assert.Contains("append-only", changed.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() =>
            fx.ExecuteAsync("DELETE FROM credit_entries WHERE user_id = @u", ("u", userId))
        );
        await Assert.ThrowsAsync<PostgresException>(() =>
            fx.ExecuteAsync("DELETE FROM credit_transactions WHERE user_id = @u", ("u", userId))
        );
        var unbalanced = await Assert.ThrowsAsync<PostgresException>(() =>
            fx.ExecuteAsync(
                """
                INSERT INTO credit_transactions (id, user_id, kind, amount, reason, idempotency_key, created_at)
                    VALUES (@t, @u, 'grant', 10, 'forged', @k, now());
                INSERT INTO credit_entries (transaction_id, account, user_id, amount, created_at)
                    VALUES (@t, 'user:' || @u::text, @u, 10, now());
                """,
                ("t", Guid.NewGuid()),
                ("u", userId),
                ("k", "forged:" + Guid.NewGuid())
            )
        );
        Assert.Equal(PostgresErrorCodes.CheckViolation, unbalanced.SqlState);
        Assert.Equal(100, await BalanceAsync(token));
    }

    // ---- spending ----

    [Fact]
    public async Task A_spend_the_balance_does_not_cover_is_refused_and_writes_nothing()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 30);
        var enrollment = await EnrollmentForCreditsAsync(userId, 50);

        var problem = await (await SpendAsync(token, enrollment)).AssertProblem(422);
        Assert.Equal("Insufficient credits", problem["title"]!.GetValue<string>());
        Assert.Equal(30, problem["balance"]!.GetValue<long>());
        Assert.Equal(50, problem["required"]!.GetValue<long>());

        Assert.Equal(30, await BalanceAsync(token));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM credit_transactions WHERE user_id = @u", ("u", userId))
        );
        Assert.Equal(0, await OutboxForUserAsync("CreditsSpent", userId));
    }

    [Fact]
    public async Task A_spend_by_a_user_identity_never_announced_is_refused_and_writes_nothing()
    {
        var (userId, token) = fx.Stranger();
        await GrantAsync(userId, 500);
        var enrollment = await EnrollmentForCreditsAsync(userId, 120);

        await (await SpendAsync(token, enrollment)).AssertProblem(403);

        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM credit_transactions WHERE user_id = @u", ("u", userId))
        );
        Assert.Equal(0, await OutboxForUserAsync("CreditsSpent", userId));
    }

    [Fact]
    public async Task Spends_are_priced_by_the_enrollment_and_only_for_its_learner()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 500);
        var enrollment = await EnrollmentForCreditsAsync(userId, 120);

        await (
            await fx.Client.PostJson(
                "/api/v1/credits/spend",
                new { purpose = "event_registration", reference_id = enrollment },
                token
            )
        ).AssertProblem(400);
        await (await fx.Client.PostJson("/api/v1/credits/spend", new { purpose = "course" }, token)).AssertProblem(400);
        await (await SpendAsync(fx.User().Token, enrollment)).AssertProblem(404);
        // An enrollment payments has not heard of (yet): asked again after Retry-After, and nothing is spent.
        var early = await SpendAsync(token, Guid.NewGuid());
        await early.AssertProblem(409);
        Assert.Equal(TimeSpan.FromSeconds(2), early.Headers.RetryAfter?.Delta);
        Assert.Equal(500, await BalanceAsync(token));
        await (await SpendAsync(token, await EnrollmentForCreditsAsync(userId, null))).AssertProblem(422);
        await (
            await fx.Client.PostJson("/api/v1/credits/spend", new { purpose = "course", reference_id = enrollment })
        ).AssertStatus(401);

        var spent = await (await SpendAsync(token, enrollment)).AssertStatus(201);
        Assert.Equal(120, spent["amount"]!.GetValue<long>());
        Assert.Equal(380, spent["balance"]!.GetValue<long>());
        Assert.Equal(enrollment, spent["reference_id"]!.GetValue<Guid>());
        var spendId = spent["spend_id"]!.GetValue<Guid>();

        // Paid once: a second spend (another key) is refused while the first stands.
        var twice = await (await SpendAsync(token, enrollment)).AssertProblem(409);
        Assert.Equal(spendId, twice["spend_id"]!.GetValue<Guid>());

        // What events confirms with: CreditsSpent whose event id is the spend id.
        Assert.Equal(
            120L,
            await fx.ScalarAsync<long>(
                "SELECT (payload->>'amount')::bigint FROM outbox_messages WHERE id = @id AND type LIKE "
                    + "'%.CreditsSpent,%' AND payload->>'referenceId' = @r",
                ("id", spendId),
                ("r", enrollment.ToString())
            )
        );
        var entry = (await CreditsAsync(token))["items"]![0]!;
        Assert.Equal(-120, entry["amount"]!.GetValue<long>());
        Assert.Equal("spend", entry["kind"]!.GetValue<string>());
        Assert.Equal(spendId, entry["transaction_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Twenty_concurrent_spends_of_a_balance_covering_three_leave_exactly_three()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 30);
        var enrollments = new List<Guid>();
        for (var i = 0; i < 20; i++)
            enrollments.Add(await EnrollmentForCreditsAsync(userId, 10));

        var answers = await Task.WhenAll(enrollments.Select(e => SpendAsync(token, e)));
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(17, answers.Count(a => a.StatusCode == HttpStatusCode.UnprocessableEntity));

        Assert.Equal(0, await BalanceAsync(token));
        Assert.True(
            await fx.ScalarAsync<long>(
                "SELECT min(running) FROM (SELECT sum(amount) OVER (ORDER BY sequence) AS running FROM "
                    + "credit_entries WHERE user_id = @u) r",
                ("u", userId)
            ) >= 0,
            "the balance went below zero at some point"
        );
        Assert.Equal(3, await OutboxForUserAsync("CreditsSpent", userId));
    }

    [Fact]
    public async Task A_spend_retried_with_the_same_idempotency_key_is_applied_once()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 100);
        var enrollment = await EnrollmentForCreditsAsync(userId, 25);

        var first = await (await SpendAsync(token, enrollment, "key-1")).AssertStatus(201);
        var again = await (await SpendAsync(token, enrollment, "key-1")).AssertStatus(200);
        Assert.Equal(first["spend_id"]!.GetValue<Guid>(), again["spend_id"]!.GetValue<Guid>());
        Assert.Equal(75, again["balance"]!.GetValue<long>());
        // A key is the caller's: another user's "key-1" is their own.
        await (await SpendAsync(fx.User().Token, enrollment, "key-1")).AssertProblem(404);
        // The same key for something else is a client bug, not a replay.
        await (await SpendAsync(token, await EnrollmentForCreditsAsync(userId, 25), "key-1")).AssertProblem(422);

        // Retries racing each other still spend once.
        var other = await EnrollmentForCreditsAsync(userId, 5);
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SpendAsync(token, other, "key-2")));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Single(
            (await Task.WhenAll(racing.Select(async r => (await r.Body())["spend_id"]!.GetValue<Guid>()))).Distinct()
        );

        Assert.Equal(70, await BalanceAsync(token));
        Assert.Equal(2, await OutboxForUserAsync("CreditsSpent", userId));
    }

    [Fact]
    public async Task A_spend_events_rejects_is_paid_back_once_with_a_compensating_transaction()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 100);
        var enrollment = await EnrollmentForCreditsAsync(userId, 40);
        var spendId = (await (await SpendAsync(token, enrollment)).AssertStatus(201))["spend_id"]!.GetValue<Guid>();
        Assert.Equal(60, await BalanceAsync(token));

        // Rejected twice (a redelivery, and events saying it again in a new message): paid back once.
        var rejected = new PurchaseRejected(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            spendId,
            "course",
            enrollment,
            "The enrollment is already active."
        );
        await PublishAsync(rejected, rejected.MessageId);
        await PublishAsync(rejected, rejected.MessageId);
        var sentAgain = rejected with { MessageId = Guid.NewGuid() };
        await PublishAsync(sentAgain, sentAgain.MessageId);
        await fx.ConsumedAsync(rejected.MessageId, "PurchaseRejectedConsumer", times: 2);
        await fx.HandledAsync(sentAgain.MessageId, "PurchaseRejectedConsumer");

        Assert.Equal(100, await BalanceAsync(token));
        var entries = (await CreditsAsync(token))["items"]!.AsArray();
        Assert.Equal(
            new[] { "reversal", "spend", "grant" },
            entries.Select(e => e!["kind"]!.GetValue<string>()).ToArray()
        );
        Assert.Equal(40, entries[0]!["amount"]!.GetValue<long>());
        Assert.Equal(
            spendId,
            await fx.ScalarAsync<Guid>(
                "SELECT reverses_transaction_id FROM credit_transactions WHERE user_id = @u AND kind = 'reversal'",
                ("u", userId)
            )
        );

        // Paid back, the enrollment can be paid again.
        await (await SpendAsync(token, enrollment)).AssertStatus(201);
        Assert.Equal(60, await BalanceAsync(token));
    }

    // ---- referrals ----

    [Fact]
    public async Task A_referral_conversion_grants_fifty_credits_to_each_side_once()
    {
        var (referrerId, referrerToken) = fx.User();
        var (referredId, referredToken) = fx.User();
        var converted = new ReferralConverted(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            referrerId,
            referredId,
            Guid.NewGuid()
        );
        await PublishAsync(converted, converted.MessageId);
        await PublishAsync(converted, converted.MessageId); // redelivered
        var announcedAgain = converted with { MessageId = Guid.NewGuid() };
        await PublishAsync(announcedAgain, announcedAgain.MessageId);

        await Eventually.TrueAsync(
            async () => await BalanceAsync(referrerToken) == 50 && await BalanceAsync(referredToken) == 50,
            "the referral rewards never arrived"
        );
        await fx.ConsumedAsync(converted.MessageId, "ReferralConvertedConsumer", times: 2);
        await fx.HandledAsync(announcedAgain.MessageId, "ReferralConvertedConsumer");
        Assert.Equal(50, await BalanceAsync(referrerToken));
        Assert.Equal(50, await BalanceAsync(referredToken));
        Assert.Equal(1, await OutboxForUserAsync("CreditsGranted", referrerId));
        Assert.Equal(1, await OutboxForUserAsync("CreditsGranted", referredId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM referral_conversions WHERE referrer_user_id = @u",
                ("u", referrerId)
            )
        );
        Assert.Equal(
            $"referral:{referredId}:referrer",
            await fx.ScalarAsync<string>(
                "SELECT idempotency_key FROM credit_transactions WHERE user_id = @u",
                ("u", referrerId)
            )
        );
        Assert.Equal(0, await OutboxForUserAsync("SubscriptionChanged", referrerId));
    }

    [Fact]
    public async Task The_fifth_conversion_grants_three_months_of_elite_and_the_tenth_elite_for_life()
    {
        var (referrerId, referrerToken) = fx.User();
        async Task ConvertAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var converted = new ReferralConverted(
                    Guid.NewGuid(),
                    fx.Clock.GetUtcNow(),
                    referrerId,
                    Guid.NewGuid(),
                    Guid.NewGuid()
                );
                await PublishAsync(converted, converted.MessageId);
                await PublishAsync(converted, converted.MessageId);
            }
        }
        async Task<long> ConversionsAsync() =>
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM referral_conversions WHERE referrer_user_id = @u",
                ("u", referrerId)
            );

        await ConvertAsync(4);
        await Eventually.TrueAsync(async () => await ConversionsAsync() == 4, "four conversions were never counted");
        Assert.Equal(0, await OutboxForUserAsync("SubscriptionChanged", referrerId));

        await ConvertAsync(1);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("SubscriptionChanged", referrerId) == 1,
            "the fifth conversion granted nothing"
        );
        var elite = await SubscriptionChangedAsync(referrerId, 1);
        Assert.Equal("elite", elite["tier"]!.GetValue<string>());
        var periodEnd = elite["currentPeriodEnd"]!.GetValue<DateTimeOffset>();
        Assert.InRange(periodEnd, fx.Clock.GetUtcNow().AddDays(89), fx.Clock.GetUtcNow().AddDays(90));

        await ConvertAsync(5);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("SubscriptionChanged", referrerId) == 2,
            "the tenth conversion granted nothing"
        );
        var lifetime = await SubscriptionChangedAsync(referrerId, 2);
        Assert.Equal("elite", lifetime["tier"]!.GetValue<string>());
        Assert.Null(lifetime["currentPeriodEnd"]);

        await Eventually.TrueAsync(
            async () => await BalanceAsync(referrerToken) == 500,
            "the referrer was not paid 50 credits per conversion"
        );
        Assert.Equal(10, await ConversionsAsync());
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM referral_rewards WHERE referrer_user_id = @u",
                ("u", referrerId)
            )
        );
    }

    // Paid with credits, a course is not offered for money too: the card would be charged, the enrollment's seller
    // would turn the payment down, and it would be refunded days later.
    [Fact]
    public async Task A_course_paid_with_credits_opens_no_card_checkout()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 500);
        var enrollment = await CourseForMoneyAndCreditsAsync(userId);
        // A card checkout opened first, left, then the course paid with credits: the checkout is not handed out again.
        await fx.CheckoutAsync(token, "course", enrollment);
        var spendId = (await (await SpendAsync(token, enrollment)).AssertStatus(201))["spend_id"]!.GetValue<Guid>();

        var refused = await (await fx.StartCheckoutAsync(token, "course", enrollment)).AssertProblem(409);

        Assert.Equal(spendId, refused["spend_id"]!.GetValue<Guid>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", enrollment))
        );

        // Nor is a new one opened when none was.
        var other = await CourseForMoneyAndCreditsAsync(userId);
        var otherSpend = (await (await SpendAsync(token, other)).AssertStatus(201))["spend_id"]!.GetValue<Guid>();
        var refusedOther = await (await fx.StartCheckoutAsync(token, "course", other)).AssertProblem(409);
        Assert.Equal(otherSpend, refusedOther["spend_id"]!.GetValue<Guid>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", other))
        );
    }

    [Fact]
    public async Task An_enrollment_ended_with_its_withdrawn_course_is_sold_no_more_for_money_or_credits()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 500);
        var ended = await CourseForMoneyAndCreditsAsync(userId);
        var kept = await CourseForMoneyAndCreditsAsync(userId);
        var withdrawn = new CourseWithdrawn(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            "Pottery for beginners",
            [ended]
        );
        await fx.DeliverAsync(withdrawn);
        await fx.DeliverAsync(withdrawn);

        await AssertOffSaleAsync(token, ended);
        // an enrollment it did not end is sold as ever
        await (await SpendAsync(token, kept)).AssertStatus(201);
    }

    [Fact]
    public async Task A_checkout_open_for_an_enrollment_its_courses_withdrawal_ended_ends_with_it()
    {
        var (userId, token) = fx.User();
        var ended = await CourseForMoneyAndCreditsAsync(userId);
        var kept = await CourseForMoneyAndCreditsAsync(userId);
        await fx.CheckoutAsync(token, "course", ended);
        await fx.CheckoutAsync(token, "course", kept);

        await fx.DeliverAsync(
            new CourseWithdrawn(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                Guid.NewGuid(),
                Guid.NewGuid(),
                "Pottery",
                [ended]
            )
        );

        Assert.Equal("expired course_withdrawn", await PaymentStateAsync(ended));
        var refused = await (await fx.StartCheckoutAsync(token, "course", ended)).AssertProblem(422);
        Assert.Contains("taken off sale", refused["detail"]!.GetValue<string>());
        Assert.Equal("pending", await PaymentStateAsync(kept));
    }

    private Task<string?> PaymentStateAsync(Guid reference) =>
        fx.ScalarAsync<string>(
            "SELECT string_agg(status || coalesce(' ' || failure_reason, ''), ',') FROM payments "
                + "WHERE reference_id = @r",
            ("r", reference)
        );

    // The enrollment's price comes on another queue than the withdrawal, so it may be told after it.
    [Fact]
    public async Task An_enrollment_whose_price_is_told_after_its_course_was_withdrawn_is_not_put_up_for_sale()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 500);
        var course = Guid.NewGuid();
        var ended = Guid.NewGuid();
        var now = fx.Clock.GetUtcNow();
        var withdrawn = new CourseWithdrawn(Guid.NewGuid(), now, course, Guid.NewGuid(), "Pottery", [ended]);
        await fx.DeliverAsync(withdrawn);
        await fx.DeliverAsync(withdrawn);
        await fx.DeliverAsync(Pending(ended, course, userId, now.AddSeconds(-5)));

        await AssertOffSaleAsync(token, ended);
        // another course's enrollment, told after it, is sold as ever
        var kept = Guid.NewGuid();
        await fx.DeliverAsync(Pending(kept, Guid.NewGuid(), userId, now));
        await (await SpendAsync(token, kept)).AssertStatus(201);
    }

    /// <summary>
    /// The enrollment is sold neither for credits nor for money: both refused as taken off sale, the 500 credits the
    /// tests grant untouched, and no payment made.
    /// </summary>
    private async Task AssertOffSaleAsync(string token, Guid enrollment)
    {
        var spend = await (await SpendAsync(token, enrollment)).AssertProblem(422);
        Assert.Contains("taken off sale", spend["detail"]!.GetValue<string>());
        var checkout = await (await fx.StartCheckoutAsync(token, "course", enrollment)).AssertProblem(422);
        Assert.Contains("taken off sale", checkout["detail"]!.GetValue<string>());
        Assert.Equal(500, await BalanceAsync(token));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", enrollment))
        );
    }

    /// <summary>What events announces for an enrollment awaiting payment, for 15.00 EUR or 120 credits.</summary>
    private static CourseEnrollmentPending Pending(Guid enrollmentId, Guid courseId, Guid userId, DateTimeOffset at) =>
        new(Guid.NewGuid(), at, enrollmentId, courseId, userId, 1500, "EUR", 120, Guid.NewGuid());

    // ---- helpers ----

    /// <summary>An enrollment of the user's in a course sold for 15.00 EUR or 120 credits.</summary>
    private async Task<Guid> CourseForMoneyAndCreditsAsync(Guid userId)
    {
        var enrollment = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, currency, price_credits, "
                + "seller_user_id, created_at) VALUES (@r, 'course', @u, 1500, 'EUR', 120, @s, now())",
            ("r", enrollment),
            ("u", userId),
            ("s", Guid.NewGuid())
        );
        return enrollment;
    }

    private async Task<JsonNode> CreditsAsync(string token, string query = "") =>
        await (await fx.Client.Get("/api/v1/credits" + query, token)).AssertStatus(200);

    private async Task<long> BalanceAsync(string token) => (await CreditsAsync(token))["balance"]!.GetValue<long>();

    private static List<long> Amounts(JsonNode credits) =>
        credits["items"]!.AsArray().Select(e => e!["amount"]!.GetValue<long>()).ToList();

    private async Task<HttpResponseMessage> SpendAsync(string token, Guid enrollmentId, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/spend")
        {
            Content = System.Net.Http.Json.JsonContent.Create(
                new { purpose = "course", reference_id = enrollmentId },
                options: Json.Options
            ),
        };
        request.Headers.Authorization = new("Bearer", token);
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await fx.Client.SendAsync(request);
    }

    /// <summary>Credits from the platform, written through the ledger as the grant consumers write them.</summary>
    private async Task GrantAsync(Guid userId, long amount)
    {
        await using var scope = fx.Host.Services.CreateAsyncScope();
        await scope
            .ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(userId, amount, "test", "test:" + Guid.NewGuid(), CancellationToken.None);
    }

    /// <summary>
    /// What events would have announced for a pending course enrollment, written straight into payments' projection.
    /// </summary>
    private async Task<Guid> EnrollmentForCreditsAsync(Guid userId, int? priceCredits)
    {
        var enrollmentId = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, currency, price_credits, "
                + "seller_user_id, created_at) "
                + "VALUES (@r, 'course', @u, @a, @c, @p, @s, now())",
            ("r", enrollmentId),
            ("u", userId),
            ("a", priceCredits is null ? 1500L : 0L),
            ("c", priceCredits is null ? "EUR" : (object)DBNull.Value),
            ("p", priceCredits is { } p ? p : (object)DBNull.Value),
            ("s", Guid.NewGuid())
        );
        return enrollmentId;
    }

    private async Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = messageId ?? Guid.NewGuid());

    private async Task<long> OutboxForUserAsync(string eventType, Guid userId) =>
        await fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND payload->>'userId' = @u",
            ("type", eventType),
            ("u", userId.ToString())
        );

    /// <summary>The <paramref name="nth"/> SubscriptionChanged published for the user (1: the first).</summary>
    private async Task<JsonNode> SubscriptionChangedAsync(Guid userId, int nth) =>
        JsonNode.Parse(
            await fx.ScalarAsync<string>(
                "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                    + "payload->>'userId' = @u ORDER BY sequence OFFSET @n LIMIT 1",
                ("u", userId.ToString()),
                ("n", nth - 1)
            ) ?? "null"
        )!;
}
