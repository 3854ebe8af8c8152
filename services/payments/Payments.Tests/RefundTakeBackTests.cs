using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Payments.Credits;

namespace Community.Payments.Tests;

/// <summary>
/// A full refund takes back what the money bought (credits, membership, boost days, the referral
/// it converted); a partial refund is a goodwill gesture and leaves it. Everything through the
/// sandbox checkout, the admin refund route and the service's own consumers on a real broker.
/// </summary>
public sealed class RefundTakeBackTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    private const string StarterPack = "6d1c4f0e-5b8a-4e55-9a53-1f3c2b7a9e01";

    [Fact]
    public async Task A_refunded_credit_pack_takes_its_credits_back_once_and_a_partial_refund_takes_nothing()
    {
        var (userId, token) = fx.User();
        var first = await BuyAsync(token, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");

        await (await RefundAsync(first, amountCents: 100)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await HandledCountAsync("CreditPackRefundedConsumer", userId) == 1,
            "the partial refund was not handled"
        );
        Assert.Equal(100, await BalanceAsync(token));

        await (await RefundAsync(first)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await BalanceAsync(token) == 0,
            "the refunded pack's credits were not taken back"
        );
        var entries = (await CreditsAsync(token))["items"]!.AsArray();
        var clawback = entries.Single(e => e!["kind"]!.GetValue<string>() == "clawback")!;
        Assert.Equal(-100, clawback["amount"]!.GetValue<long>());
        // Its purpose is what earned the grant, a value the contract lists.
        Assert.Equal(CreditLedger.CreditPackGrant, clawback["purpose"]!.GetValue<string>());
        Assert.Contains(CreditLedger.CreditPackGrant, CreditsApi.EntryPurposes);
        Assert.Equal(1, await OutboxForUserAsync("CreditsRevoked", userId));
        // Refunding what is already refunded is refused and takes nothing more.
        await (await RefundAsync(first)).AssertProblem(422);
        Assert.Equal(0, await BalanceAsync(token));
    }

    [Fact]
    public async Task Credits_already_spent_stay_spent_and_the_balance_never_goes_negative()
    {
        var (userId, token) = fx.User();
        var payment = await BuyAsync(token, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");
        var enrollment = await EnrollmentForCreditsAsync(userId, 60);
        await (
            await fx.Client.PostJson(
                "/api/v1/credits/spend",
                new { purpose = "course", reference_id = enrollment },
                token
            )
        ).AssertStatus(201);
        Assert.Equal(40, await BalanceAsync(token));

        await (await RefundAsync(payment)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("CreditsRevoked", userId) == 1,
            "nothing was taken back"
        );
        Assert.Equal(0, await BalanceAsync(token));
        var revoked = await fx.ScalarAsync<long>(
            "SELECT amount FROM credit_transactions WHERE user_id = @u AND kind = 'clawback'",
            ("u", userId)
        );
        Assert.Equal(40, revoked);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT coalesce(sum(amount), 0) FROM credit_entries GROUP BY transaction_id HAVING sum(amount) "
                    + "<> 0 LIMIT 1"
            )
        );
    }

    [Fact]
    public async Task Credits_a_refund_could_not_take_are_taken_from_spends_paid_back_later_once()
    {
        var (userId, token) = fx.User();
        var payment = await BuyAsync(token, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");
        var first = await SpendForAsync(token, await EnrollmentForCreditsAsync(userId, 60));
        var second = await SpendForAsync(token, await EnrollmentForCreditsAsync(userId, 30));
        Assert.Equal(10, await BalanceAsync(token));

        // The pack refunded: 10 taken now, 90 owed.
        await (await RefundAsync(payment)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("CreditsRevoked", userId) == 1,
            "nothing was taken back"
        );
        Assert.Equal(0, await BalanceAsync(token));
        Assert.Equal(90L, await OwedAsync(userId));

        // The first spend paid back (and said again): its 60 go to the debt, once.
        var rejected = Rejected(first);
        await PublishAsync(rejected, rejected.MessageId);
        var sentAgain = rejected with { MessageId = Guid.NewGuid() };
        await PublishAsync(sentAgain, sentAgain.MessageId);
        await fx.HandledAsync(rejected.MessageId, "PurchaseRejectedConsumer");
        await fx.HandledAsync(sentAgain.MessageId, "PurchaseRejectedConsumer");
        Assert.Equal(0, await BalanceAsync(token));
        Assert.Equal(30L, await OwedAsync(userId));

        // The second: the last 30. Nothing of the refunded pack is the user's again.
        var alsoRejected = Rejected(second);
        await PublishAsync(alsoRejected, alsoRejected.MessageId);
        await fx.HandledAsync(alsoRejected.MessageId, "PurchaseRejectedConsumer");
        Assert.Equal(0, await BalanceAsync(token));
        Assert.Equal(0L, await OwedAsync(userId));

        var entries = (await CreditsAsync(token))["items"]!.AsArray();
        Assert.Equal(
            new[] { "clawback", "reversal", "clawback", "reversal", "clawback", "spend", "spend", "grant" },
            entries.Select(e => e!["kind"]!.GetValue<string>()).ToArray()
        );
        Assert.Equal(
            new long[] { -30, 30, -60, 60, -10 },
            entries.Take(5).Select(e => e!["amount"]!.GetValue<long>()).ToArray()
        );
        Assert.Equal(CreditLedger.DebtSettled, entries[0]!["reason"]!.GetValue<string>());
        Assert.All(
            entries,
            e =>
                Assert.True(
                    e!["purpose"] is null || CreditsApi.EntryPurposes.Contains(e["purpose"]!.GetValue<string>())
                )
        );
        Assert.Equal(3, await OutboxForUserAsync("CreditsRevoked", userId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT coalesce(sum(amount), 0) FROM credit_entries GROUP BY transaction_id HAVING sum(amount) "
                    + "<> 0 LIMIT 1"
            )
        );

        PurchaseRejected Rejected((Guid SpendId, Guid Enrollment) spend) =>
            new(Guid.NewGuid(), fx.Clock.GetUtcNow(), spend.SpendId, "course", spend.Enrollment, "Not honoured.");
    }

    [Fact]
    public async Task A_spend_paid_back_with_nothing_owed_gives_everything_back()
    {
        var (userId, token) = fx.User();
        var payment = await BuyAsync(token, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");
        var spend = await SpendForAsync(token, await EnrollmentForCreditsAsync(userId, 60));
        var rejected = new PurchaseRejected(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            spend.SpendId,
            "course",
            spend.Enrollment,
            "Not honoured."
        );
        await PublishAsync(rejected, rejected.MessageId);
        await fx.HandledAsync(rejected.MessageId, "PurchaseRejectedConsumer");
        Assert.Equal(100, await BalanceAsync(token));
        Assert.Equal(0L, await OwedAsync(userId));
        // Refunded with every credit still there: all taken, nothing owed.
        await (await RefundAsync(payment)).AssertStatus(201);
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 0, "nothing was taken back");
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM credit_debts WHERE user_id = @u", ("u", userId))
        );
    }

    [Fact]
    public async Task A_pack_refunded_after_every_credit_was_spent_owes_them_all_once_however_often_it_is_taken_back()
    {
        var (userId, token) = fx.User();
        var payment = await BuyAsync(token, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");
        await SpendForAsync(token, await EnrollmentForCreditsAsync(userId, 100));
        await (await RefundAsync(payment)).AssertStatus(201);
        await Eventually.TrueAsync(async () => await OwedAsync(userId) == 100, "the spent credits were not owed");

        // Taken back again (a refund heard twice): nothing taken, nothing more owed.
        await using var scope = fx.Host.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<CreditLedger>();
        var grantKey = CreditPackPaidConsumer.GrantKey(payment);
        Assert.Null(await ledger.ClawBackAsync(grantKey, "credit_pack_refunded", CancellationToken.None));
        Assert.Equal(100L, await OwedAsync(userId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM credit_debts WHERE user_id = @u", ("u", userId))
        );
        Assert.Equal(0, await BalanceAsync(token));
        Assert.Equal(0, await OutboxForUserAsync("CreditsRevoked", userId));
    }

    private async Task<(Guid SpendId, Guid Enrollment)> SpendForAsync(string token, Guid enrollment)
    {
        var spent = await (
            await fx.Client.PostJson(
                "/api/v1/credits/spend",
                new { purpose = "course", reference_id = enrollment },
                token
            )
        ).AssertStatus(201);
        return (spent["spend_id"]!.GetValue<Guid>(), enrollment);
    }

    private Task<long> OwedAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT coalesce(sum(owed), 0) FROM credit_debts WHERE user_id = @u", ("u", userId));

    [Fact]
    public async Task A_refunded_subscription_ends_now_and_the_tier_falls_back_to_free()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "premium",
            "never premium"
        );

        await (await RefundAsync(paymentId, amountCents: 500)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await HandledCountAsync("SubscriptionRefundedConsumer", userId) == 1,
            "the partial refund was not handled"
        );
        Assert.Equal("premium", (await SubscriptionAsync(token))["tier"]!.GetValue<string>());

        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "free",
            "the refunded subscription kept its tier"
        );
        var me = await SubscriptionAsync(token);
        Assert.Equal("canceled", me["status"]!.GetValue<string>());
        Assert.Equal("none", me["tier_source"]!.GetValue<string>());
        Assert.Equal(1, await OutboxForUserAsync("SubscriptionChanged", userId, "free"));
        // Nothing ties the member down: they may subscribe again.
        await fx.SubscriptionCheckoutAsync(token);
    }

    [Theory]
    [InlineData("active", "premium")]
    // The renewal's charge failed: nothing paid the period since, so the refund ends it as any other.
    [InlineData("past_due", "free")]
    public async Task A_refund_of_a_period_since_renewed_leaves_the_subscription_and_the_period_paid_now(
        string renewal,
        string tierAfter
    )
    {
        var (userId, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "premium",
            "never premium"
        );
        // Renewed: the provider's update moved the period on by one (as SubscriptionWebhookHandler writes it).
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET current_period_end = current_period_end + interval '30 days', status = @s "
                + "WHERE user_id = @u",
            ("u", userId),
            ("s", renewal)
        );
        var renewedUntil = (await SubscriptionAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>();

        // The first period's payment refunded in full, a goodwill gesture months later.
        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await HandledCountAsync("SubscriptionRefundedConsumer", userId) == 1,
            "the refund was not handled"
        );

        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == tierAfter,
            $"the subscription is not {tierAfter} after the refund"
        );
        var me = await SubscriptionAsync(token);
        if (tierAfter == "premium")
        {
            Assert.Equal("active", me["status"]!.GetValue<string>());
            Assert.Equal(renewedUntil, me["current_period_end"]!.GetValue<DateTimeOffset>());
            Assert.Equal(0, await OutboxForUserAsync("SubscriptionChanged", userId, "free"));
        }
        else
        {
            Assert.Equal("canceled", me["status"]!.GetValue<string>());
            Assert.Equal(1, await OutboxForUserAsync("SubscriptionChanged", userId, "free"));
        }
    }

    [Fact]
    public async Task A_refunded_boost_loses_its_days_and_BoostRevoked_says_the_new_end()
    {
        var (userId, token) = fx.User();
        var seven = await BuyBoostAsync(token, 7);
        await Eventually.TrueAsync(
            async () => (await BoostAsync(token))["active"]!.GetValue<bool>(),
            "the boost never started"
        );
        var one = await BuyBoostAsync(token, 1);
        DateTimeOffset until = default;
        await Eventually.TrueAsync(
            async () =>
            {
                until = (await BoostAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>();
                return until > fx.Clock.GetUtcNow().AddDays(7.5);
            },
            "the second boost was not added"
        );

        await (await RefundAsync(seven)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("BoostRevoked", userId) == 1,
            "the refunded boost was not taken back"
        );
        var left = (await BoostAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>();
        Assert.Equal(until.AddDays(-7), left);
        // Told again that it was refunded in full (a second refund after one the provider failed): its days are gone
        // already, and nobody else's are taken.
        var paid = await fx.ScalarAsync<string>(
            "SELECT amount_cents || ' ' || reference_id || ' ' || currency FROM payments WHERE id = @id",
            ("id", seven)
        );
        var (amount, reference, currency) = (
            long.Parse(paid!.Split(' ')[0]),
            Guid.Parse(paid.Split(' ')[1]),
            paid.Split(' ')[2]
        );
        var again = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            seven,
            userId,
            reference,
            amount,
            amount,
            currency
        );
        await PublishAsync(again, again.MessageId);
        await fx.HandledAsync(again.MessageId, "BoostRefundedConsumer");
        Assert.Equal(left, (await BoostAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, await OutboxForUserAsync("BoostRevoked", userId));

        // The last day refunded too: only what is left can be taken, and the boost is over.
        var refundedFrom = fx.Clock.GetUtcNow();
        await (await RefundAsync(one)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("BoostRevoked", userId) == 2,
            "the second refund took nothing back"
        );
        var boost = await BoostAsync(token);
        Assert.False(boost["active"]!.GetValue<bool>());
        Assert.InRange(boost["boosted_until"]!.GetValue<DateTimeOffset>(), refundedFrom, fx.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_refunded_converting_payment_takes_the_referral_rewards_back()
    {
        var (referrerId, referrerToken) = fx.User();
        var (referredId, referredToken) = fx.User();
        var paymentId = await BuyAsync(referredToken, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(
            async () => await BalanceAsync(referredToken) == 100,
            "the pack's credits never arrived"
        );
        await PublishAsync(
            new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, referredId, paymentId)
        );
        await Eventually.TrueAsync(
            async () => await BalanceAsync(referrerToken) == 50 && await BalanceAsync(referredToken) == 150,
            "the referral rewards never arrived"
        );

        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await BalanceAsync(referrerToken) == 0 && await BalanceAsync(referredToken) == 0,
            "the refund did not take back the pack and both referral rewards"
        );
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>(
                "SELECT revoked_at FROM referral_conversions WHERE referred_user_id = @u",
                ("u", referredId)
            )
        );
        Assert.Equal(1, await OutboxForUserAsync("CreditsRevoked", referrerId));
        Assert.Equal(2, await OutboxForUserAsync("CreditsRevoked", referredId));
    }

    [Fact]
    public async Task A_conversion_announced_after_its_payment_was_refunded_earns_nothing()
    {
        var (referrerId, referrerToken) = fx.User();
        var (referredId, referredToken) = fx.User();
        var paymentId = await BuyAsync(referredToken, "credits", Guid.Parse(StarterPack));
        await Eventually.TrueAsync(
            async () => await BalanceAsync(referredToken) == 100,
            "the pack's credits never arrived"
        );
        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(async () => await BalanceAsync(referredToken) == 0, "the pack was not taken back");

        var converted = new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, referredId, paymentId);
        await PublishAsync(converted, converted.MessageId);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM referral_conversions WHERE referred_user_id = @u AND revoked_at IS NOT NULL",
                    ("u", referredId)
                ) == 1,
            "the late conversion was not recorded as revoked"
        );
        Assert.Equal(0, await BalanceAsync(referrerToken));
        Assert.Equal(0, await BalanceAsync(referredToken));
        Assert.Equal(0, await OutboxForUserAsync("CreditsGranted", referrerId));
    }

    [Fact]
    public async Task Losing_the_fifth_conversion_to_a_refund_ends_the_referral_elite_and_a_new_fifth_grants_it_again()
    {
        var (referrerId, paymentId) = await FiveConversionsAsync();
        var referrerToken = fx.TokenFor(referrerId);
        Assert.Equal("referral", (await SubscriptionAsync(referrerToken))["tier_source"]!.GetValue<string>());

        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("SubscriptionChanged", referrerId, "free") == 1,
            "the lost milestone kept its elite"
        );
        Assert.Equal("free", (await SubscriptionAsync(referrerToken))["tier"]!.GetValue<string>());
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>(
                "SELECT revoked_at FROM referral_rewards WHERE referrer_user_id = @u AND conversions = 5",
                ("u", referrerId)
            )
        );

        await PublishAsync(
            new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, Guid.NewGuid(), Guid.NewGuid())
        );
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("SubscriptionChanged", referrerId, "elite") == 2,
            "a new fifth conversion granted nothing"
        );
        Assert.Equal("elite", (await SubscriptionAsync(referrerToken))["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_milestone_whose_elite_ran_out_is_not_granted_again_by_a_refund_and_a_new_conversion()
    {
        var (referrerId, paymentId) = await FiveConversionsAsync();
        // Its three months are over (as the sweep would have found them).
        await fx.ExecuteAsync(
            "UPDATE referral_rewards SET current_period_end = @at WHERE referrer_user_id = @u",
            ("at", fx.Clock.GetUtcNow().AddDays(-1)),
            ("u", referrerId)
        );

        // A converting payment refunded takes the fifth conversion away, and another brings it back: the milestone
        // was had, and gives nothing again.
        await (await RefundAsync(paymentId)).AssertStatus(201);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM referral_conversions WHERE referrer_user_id = @u AND revoked_at IS NULL",
                    ("u", referrerId)
                ) == 4,
            "the refund never took the conversion back"
        );
        await PublishAsync(
            new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, Guid.NewGuid(), Guid.NewGuid())
        );
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM referral_conversions WHERE referrer_user_id = @u AND revoked_at IS NULL",
                    ("u", referrerId)
                ) == 5,
            "the new conversion was never counted"
        );
        Assert.Equal(1L, await OutboxForUserAsync("SubscriptionChanged", referrerId, "elite"));
        Assert.Equal("free", (await SubscriptionAsync(fx.TokenFor(referrerId)))["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Each_refund_total_is_stamped_after_the_one_before_whatever_this_instances_clock_says()
    {
        var (userId, token) = fx.User();
        var paymentId = await BuyAsync(token, "event_registration", await fx.SeatHeldAsync(userId, 2000));
        await (await RefundAsync(paymentId, amountCents: 100)).AssertStatus(201);
        // The next refund is made by an instance whose clock is an hour behind the first's.
        fx.Clock.Advance(TimeSpan.FromHours(-1));
        try
        {
            await (await RefundAsync(paymentId, amountCents: 200)).AssertStatus(201);
        }
        finally
        {
            fx.Clock.Advance(TimeSpan.FromHours(1));
        }

        var stamps = await fx.ScalarAsync<string>(
            "SELECT string_agg(payload->>'occurredAt', '|' ORDER BY (payload->>'totalRefundedCents')::bigint) "
                + "FROM outbox_messages WHERE type LIKE '%.PaymentRefunded,%' AND payload->>'paymentId' = @id",
            ("id", paymentId.ToString())
        );
        var totals = stamps!
            .Split('|')
            .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        Assert.Equal(2, totals.Length);
        // Events keeps the total with the newest stamp: 300 must be newer than 100.
        Assert.True(totals[1] > totals[0], $"the later total was stamped {totals[1]:O}, before {totals[0]:O}");
    }

    // ---- helpers ----

    /// <summary>A referrer's five conversions (the fifth a payment, to refund), and the elite they granted.</summary>
    private async Task<(Guid ReferrerId, Guid PaymentId)> FiveConversionsAsync()
    {
        var (referrerId, _) = fx.User();
        for (var i = 0; i < 4; i++)
            await PublishAsync(
                new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, Guid.NewGuid(), Guid.NewGuid())
            );
        var (referredId, referredToken) = fx.User();
        var paymentId = await BuyAsync(referredToken, "credits", Guid.Parse(StarterPack));
        await PublishAsync(
            new ReferralConverted(Guid.NewGuid(), fx.Clock.GetUtcNow(), referrerId, referredId, paymentId)
        );
        await Eventually.TrueAsync(
            async () => await OutboxForUserAsync("SubscriptionChanged", referrerId, "elite") == 1,
            "five conversions granted no elite"
        );
        return (referrerId, paymentId);
    }

    /// <summary>
    /// Checks out <paramref name="purpose"/> and pays in the sandbox; returns the payment id once it settled.
    /// </summary>
    private async Task<Guid> BuyAsync(string token, string purpose, Guid referenceId)
    {
        var checkout = await fx.CheckoutAsync(token, purpose, referenceId);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId))
                == "succeeded",
            "the payment never settled"
        );
        return paymentId;
    }

    private async Task<Guid> BuyBoostAsync(string token, int days)
    {
        var checkout = await (
            await fx.Client.PostJson(
                "/api/v1/boosts/checkout",
                new
                {
                    days,
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                token
            )
        ).AssertStatus(200);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        return Guid.Parse(checkout["payment_id"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> RefundAsync(Guid paymentId, long? amountCents = null) =>
        fx.Client.PostJson(
            $"/api/v1/payments/{paymentId}/refunds",
            new { amount_cents = amountCents, reason = "requested_by_customer" },
            fx.User("admin").Token
        );

    private async Task<JsonNode> CreditsAsync(string token) =>
        await (await fx.Client.Get("/api/v1/credits", token)).AssertStatus(200);

    private async Task<long> BalanceAsync(string token) => (await CreditsAsync(token))["balance"]!.GetValue<long>();

    private async Task<JsonNode> SubscriptionAsync(string token) =>
        await (await fx.Client.Get("/api/v1/subscriptions/me", token)).AssertStatus(200);

    private async Task<JsonNode> BoostAsync(string token) =>
        await (await fx.Client.Get("/api/v1/boosts/me", token)).AssertStatus(200);

    private async Task<Guid> EnrollmentForCreditsAsync(Guid userId, int priceCredits)
    {
        var enrollmentId = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO sellable_items (reference_id, purpose, user_id, amount_cents, price_credits, "
                + "seller_user_id, created_at) "
                + "VALUES (@r, 'course', @u, 0, @p, @s, now())",
            ("r", enrollmentId),
            ("u", userId),
            ("p", priceCredits),
            ("s", Guid.NewGuid())
        );
        return enrollmentId;
    }

    private async Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = messageId ?? Guid.NewGuid());

    /// <summary>
    /// How many PaymentRefunded messages about the user's payments <paramref name="consumer"/> has handled.
    /// </summary>
    private Task<long> HandledCountAsync(string consumer, Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_messages i JOIN outbox_messages o ON o.id = i.message_id "
                + "WHERE i.consumer LIKE '%.' || @c AND o.payload->>'userId' = @u",
            ("c", consumer),
            ("u", userId.ToString())
        );

    private async Task<long> OutboxForUserAsync(string eventType, Guid userId, string? tier = null) =>
        await fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.' || @type || ',%' AND payload->>'userId' = "
                + "@u AND (@t = '' OR payload->>'tier' = @t)",
            ("type", eventType),
            ("u", userId.ToString()),
            ("t", tier ?? "")
        );
}
