using System.Globalization;
using System.Text;
using System.Text.Json;
using Community.Contracts;
using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.Payments.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.Payments.Tests;

public sealed class SubscriptionsTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task Every_read_of_my_subscription_shows_the_tier_its_status_gives_while_it_changes()
    {
        var (userId, token) = fx.User();
        var lockStep = new ReadsAmongWrites();
        var changing = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                // Every five changes, wait for a read that starts now: it falls between two changes, whatever the load.
                if (i > 0 && i % 5 == 0)
                    await lockStep.AwaitReadAsync();
                var status = i % 2 == 0 ? SubscriptionStatus.Active : SubscriptionStatus.Canceled;
                await using var scope = fx.Host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
                var book = scope.ServiceProvider.GetRequiredService<SubscriptionBook>();
                await using var transaction = await db.Database.BeginTransactionAsync();
                var subscription = await book.LockAsync(userId, CancellationToken.None) ?? book.Add(userId, "premium");
                await book.ChangeAsync(
                    subscription,
                    s =>
                    {
                        s.Status = status;
                        s.CurrentPeriodEnd = fx.Clock.GetUtcNow().AddDays(30);
                    },
                    CancellationToken.None
                );
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }
        });
        var seen = new HashSet<string>();
        await lockStep.ReadUntilAsync(
            changing,
            async () =>
            {
                // The subscription and the tier it gives change in one transaction: every answer shows both or neither.
                var mine = await (await fx.Client.Get("/api/v1/subscriptions/me", token)).AssertStatus(200);
                var status = mine["status"]!.GetValue<string>();
                Assert.Equal(status == "active" ? "premium" : "free", mine["tier"]!.GetValue<string>());
                seen.Add(status);
            }
        );
        // The reads the changes waited for came after an active one (the 5th, 15th...) and a canceled one (the 10th).
        Assert.Superset(new HashSet<string> { "active", "canceled" }, seen);
    }

    [Fact]
    public async Task The_plans_on_sale_are_what_the_checkout_charges_cheapest_first()
    {
        var (_, token) = fx.User();
        await (await fx.Client.Get("/api/v1/subscriptions/plans")).AssertProblem(401);
        var plans = (await (await fx.Client.Get("/api/v1/subscriptions/plans", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(p =>
                (
                    p!["tier"]!.GetValue<string>(),
                    p["amount_cents"]!.GetValue<long>(),
                    p["currency"]!.GetValue<string>(),
                    p["period_days"]!.GetValue<int>()
                )
            )
            .ToList();
        Assert.Equal([("premium", 999L, "EUR", 30), ("elite", 2499L, "EUR", 30)], plans);
        foreach (var (tier, amount, _, _) in plans)
            Assert.Equal(
                amount,
                (await (await CheckoutAsync(token, tier)).AssertStatus(200))["amount_cents"]!.GetValue<long>()
            );
    }

    [Fact]
    public async Task Checkout_is_priced_from_configuration_and_asking_twice_returns_the_open_session()
    {
        var (_, token) = fx.User();

        // A price in the body is not part of the contract: refused, it changes nothing.
        Assert.NotNull(
            (
                await (await CheckoutAsync(token, "premium", new { amount_cents = 1, currency = "USD" })).AssertProblem(
                    400
                )
            )["errors"]!["amount_cents"]
        );
        var premium = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        Assert.Equal(999, premium["amount_cents"]!.GetValue<long>());
        Assert.Equal("EUR", premium["currency"]!.GetValue<string>());
        Assert.Equal("pending", premium["status"]!.GetValue<string>());

        var again = await (await CheckoutAsync(token, "Premium")).AssertStatus(200);
        Assert.Equal(premium["payment_id"]!.GetValue<string>(), again["payment_id"]!.GetValue<string>());
        Assert.Equal(premium["session_id"]!.GetValue<string>(), again["session_id"]!.GetValue<string>());

        var elite = await (await CheckoutAsync(token, "elite")).AssertStatus(200);
        Assert.Equal(2499, elite["amount_cents"]!.GetValue<long>());
        Assert.NotEqual(premium["session_id"]!.GetValue<string>(), elite["session_id"]!.GetValue<string>());

        var payment = await (
            await fx.Client.Get($"/api/v1/payments/{premium["payment_id"]!.GetValue<string>()}", token)
        ).AssertStatus(200);
        Assert.Equal("subscription", payment["purpose"]!.GetValue<string>());
        Assert.Equal("premium", payment["product"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_subscription_requests_are_refused()
    {
        var (_, token) = fx.User();
        foreach (var tier in new[] { "gold", "free", "" })
            Assert.NotNull((await (await CheckoutAsync(token, tier)).AssertProblem(400))["errors"]!["tier"]);
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(
                        "/api/v1/subscriptions/checkout",
                        new { success_url = "https://app.example/paid", cancel_url = "https://app.example/cancelled" },
                        token
                    )
                ).AssertProblem(400)
            )["errors"]!["tier"]
        );
        var problem = await (
            await fx.Client.PostJson(
                "/api/v1/subscriptions/checkout",
                new
                {
                    tier = "premium",
                    payment_method = "bitcoin",
                    success_url = "javascript:alert(1)",
                    cancel_url = "/relative",
                },
                token
            )
        ).AssertProblem(400);
        Assert.NotNull(problem["errors"]!["payment_method"]);
        Assert.NotNull(problem["errors"]!["success_url"]);
        Assert.NotNull(problem["errors"]!["cancel_url"]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await CheckoutAsync(null, "premium")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client.Get("/api/v1/subscriptions/me")).StatusCode);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null)).StatusCode
        );
    }

    [Fact]
    public async Task Paying_activates_the_subscription_and_publishes_one_SubscriptionChanged()
    {
        var (userId, token) = fx.User();
        var none = await MeAsync(token);
        Assert.Equal("free", none["tier"]!.GetValue<string>());
        Assert.Equal("none", none["status"]!.GetValue<string>());
        Assert.Null(none["current_period_end"]);

        var paymentId = await SubscribeAsync(token, "premium");
        var me = await MeAsync(token);
        Assert.Equal("active", me["status"]!.GetValue<string>());
        Assert.False(me["cancel_at_period_end"]!.GetValue<bool>());
        var periodEnd = me["current_period_end"]!.GetValue<DateTimeOffset>();
        // A calendar month from the payment (BillingPeriods), not 30 days: from a month of 31 days that differs.
        Assert.InRange(periodEnd, fx.Clock.GetUtcNow().AddMinutes(-5).AddMonths(1), fx.Clock.GetUtcNow().AddMonths(1));

        Assert.Equal(
            "sub_sandbox_" + paymentId.ToString("N"),
            await fx.ScalarAsync<string>(
                "SELECT provider_subscription_id FROM payments WHERE id = @id",
                ("id", paymentId)
            )
        );
        Assert.Equal(1L, await ChangesAsync(userId));
        var change = await LastChangeAsync(userId);
        Assert.Equal("premium", change["tier"]!.GetValue<string>());
        Assert.Equal(periodEnd, change["currentPeriodEnd"]!.GetValue<DateTimeOffset>());

        // Subscribed already: the same tier again is a conflict; another tier is a change of plan.
        await (await CheckoutAsync(token, "premium")).AssertProblem(409);
        await (await CheckoutAsync(token, "elite")).AssertStatus(200);
    }

    [Fact]
    public async Task An_older_plan_payment_handled_after_a_later_one_does_not_replace_it()
    {
        var (userId, token) = fx.User();
        var premium = await SubscribeAsync(token, "premium");
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        await SubscribeAsync(token, "elite");
        var periodEnd = (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>();

        // The premium payment told again (a replay from the error queue, a queue that lagged): elite stays.
        await ToldAgainAsync(premium, userId, fx.Clock.GetUtcNow());
        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal(periodEnd, me["current_period_end"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1L, await ChangesAsync(userId, "premium"));
        Assert.Equal(1L, await ChangesAsync(userId, "elite"));
    }

    [Fact]
    public async Task An_older_plan_payment_recorded_after_a_later_one_does_not_replace_it()
    {
        var (userId, token) = fx.User();
        var premium = await SubscribeAsync(token, "premium");
        fx.Clock.Advance(TimeSpan.FromMinutes(5));
        var elite = await SubscribeAsync(token, "elite");
        var periodEnd = (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>();

        // As a premium webhook Stripe retried for an hour leaves it: captured before elite, recorded here after it.
        await fx.ExecuteAsync(
            "UPDATE payments SET succeeded_at = @recorded WHERE id = @id",
            ("recorded", fx.Clock.GetUtcNow().AddHours(1)),
            ("id", premium)
        );
        await ToldAgainAsync(premium, userId, fx.Clock.GetUtcNow().AddMinutes(-5));

        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal(periodEnd, me["current_period_end"]!.GetValue<DateTimeOffset>());
        Assert.Equal(
            elite.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT last_payment_id::text FROM subscriptions WHERE user_id = @u",
                ("u", userId)
            )
        );
    }

    [Fact]
    public async Task Cancelling_keeps_the_tier_until_the_period_ends_then_it_falls_back_to_free()
    {
        var (userId, token) = fx.User();
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertProblem(404);

        await SubscribeAsync(token, "premium");
        var cancelled = await (
            await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)
        ).AssertStatus(200);
        Assert.True(cancelled["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal("premium", cancelled["tier"]!.GetValue<string>());
        Assert.Equal("active", cancelled["status"]!.GetValue<string>());
        var periodEnd = cancelled["current_period_end"]!.GetValue<DateTimeOffset>();
        // Asking twice changes nothing more.
        Assert.True(
            (
                await (
                    await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)
                ).AssertStatus(200)
            )["cancel_at_period_end"]!.GetValue<bool>()
        );

        var expiry = fx.Host.Services.GetRequiredService<SubscriptionExpiry>();
        await expiry.SweepOnceAsync(CancellationToken.None);
        Assert.Equal("premium", (await MeAsync(token))["tier"]!.GetValue<string>());
        Assert.Equal(1L, await ChangesAsync(userId));

        fx.Clock.Advance(periodEnd - fx.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await expiry.SweepOnceAsync(CancellationToken.None);
        token = fx.TokenFor(userId);
        var me = await MeAsync(token);
        Assert.Equal("free", me["tier"]!.GetValue<string>());
        Assert.Equal("canceled", me["status"]!.GetValue<string>());
        // Counted by tier: with the clock a month on, the dispatcher may already have cleaned up the published premium
        // row.
        Assert.Equal(1L, await ChangesAsync(userId, "free"));
        var change = await LastChangeAsync(userId);
        Assert.Equal("free", change["tier"]!.GetValue<string>());
        Assert.Null(change["currentPeriodEnd"]);

        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertProblem(404);
        // Free again, the member may subscribe again.
        await (await CheckoutAsync(token, "premium")).AssertStatus(200);
    }

    /// <summary>
    /// A plan replaced while paid up runs to its period's end; one behind on payment stops at once, or Stripe would
    /// still collect its open renewal invoice for a plan the member no longer has.
    /// </summary>
    [Theory]
    [InlineData("active", true)]
    [InlineData("past_due", false)]
    public async Task A_replaced_subscription_stops_at_its_period_end_only_when_paid_up(string status, bool atPeriodEnd)
    {
        var (userId, token) = fx.User();
        var replaced = "sub_sandbox_" + (await SubscribeAsync(token, "premium")).ToString("N");
        var periodEnd = DateTimeOffset.FromUnixTimeSeconds(fx.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds());
        await SendAsync(SubscriptionEvent("customer.subscription.updated", replaced, userId, status, periodEnd, false));
        Assert.Equal(status, (await MeAsync(token))["status"]!.GetValue<string>());

        await SubscribeAsync(token, "elite");

        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM subscription_cancellations WHERE provider_subscription_id = @s",
                    ("s", replaced)
                ) == 1,
            "the replaced subscription was never stopped"
        );
        Assert.Equal(
            atPeriodEnd,
            await fx.ScalarAsync<bool>(
                "SELECT at_period_end FROM subscription_cancellations WHERE provider_subscription_id = @s",
                ("s", replaced)
            )
        );
    }

    /// <summary>
    /// A subscription bought now starts now and replaces the one running: a cheaper one would take away the rest of the
    /// dearer period paid for. It can be bought once that period has ended.
    /// </summary>
    [Fact]
    public async Task A_cheaper_tier_is_refused_while_the_dearer_period_paid_for_runs()
    {
        var (userId, token) = fx.User();
        await SubscribeAsync(token, "elite");
        var periodEnd = (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>();

        var refused = await (await CheckoutAsync(token, "premium")).AssertProblem(409);

        var detail = refused["detail"]!.GetValue<string>();
        Assert.Contains(
            "paid until " + periodEnd.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC",
            detail
        );
        Assert.Contains("stop it renewing", detail);
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));
        Assert.Equal("elite", (await MeAsync(token))["tier"]!.GetValue<string>());

        // Stopped renewing, and its period over: premium can be bought.
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        Assert.DoesNotContain(
            "stop it renewing",
            (await (await CheckoutAsync(token, "premium")).AssertProblem(409))["detail"]!.GetValue<string>()
        );
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET current_period_end = @end WHERE user_id = @u",
            ("u", userId),
            ("end", fx.Clock.GetUtcNow().AddMinutes(-1))
        );
        Assert.NotNull((await (await CheckoutAsync(token, "premium")).AssertStatus(200))["checkout_url"]);
    }

    /// <summary>
    /// Two tabs: a premium checkout, then an elite one. Elite is paid; the premium tab, paid after it, would replace
    /// the dearer plan paid for. Opening the elite checkout ended the premium one, so it cannot be paid.
    /// </summary>
    [Fact]
    public async Task A_cheaper_checkout_left_open_in_another_tab_cannot_be_paid_over_the_dearer_plan()
    {
        var (userId, token) = fx.User();
        var premium = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        var elite = await (await CheckoutAsync(token, "elite")).AssertStatus(200);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(elite)).StatusCode);
        await Eventually.TrueAsync(
            async () => (await MeAsync(token))["tier"]!.GetValue<string>() == "elite",
            "the elite subscription was not activated"
        );

        await fx.PressAsync(premium);

        var premiumId = premium["payment_id"]!.GetValue<Guid>();
        Assert.Equal(
            "expired replaced",
            await fx.ScalarAsync<string>(
                "SELECT status || ' ' || coalesce(failure_reason, '') FROM payments WHERE id = @id",
                ("id", premiumId)
            )
        );
        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.False(me["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM subscription_cancellations WHERE user_id = @u",
                ("u", userId)
            )
        );
    }

    /// <summary>
    /// A cheaper plan paid while a dearer one's paid period runs (its checkout paid at the provider as it was being
    /// ended, or two requests crossing) is not delivered: the dearer plan stays, the cheaper payment is refunded once
    /// however often it is told, and its subscription is stopped at the provider now, before it renews.
    /// </summary>
    [Fact]
    public async Task A_cheaper_plan_paid_over_a_dearer_one_is_refunded_and_stopped_not_delivered()
    {
        var (userId, token) = fx.User();
        var (premiumId, elite, periodEnd) = await CheaperPaidOverDearerAsync(token);

        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", premiumId))
                == "refunded",
            "the cheaper plan's payment was not refunded"
        );
        await ToldAgainAsync(premiumId, userId, fx.Clock.GetUtcNow());

        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal(periodEnd, me["current_period_end"]!.GetValue<DateTimeOffset>());
        Assert.False(me["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal(0L, await ChangesAsync(userId, "premium"));
        Assert.Equal(
            "999",
            await fx.ScalarAsync<string>(
                "SELECT string_agg(amount_cents::text, ',') FROM refunds WHERE payment_id = @id",
                ("id", premiumId)
            )
        );
        // Stopped now, never at its period end; the elite subscription is not stopped at all.
        Assert.Equal(
            "sub_sandbox_" + premiumId.ToString("N") + " False",
            await fx.ScalarAsync<string>(
                "SELECT string_agg(DISTINCT provider_subscription_id || ' ' || CASE WHEN at_period_end THEN 'True' "
                    + "ELSE 'False' END, ',') FROM subscription_cancellations WHERE user_id = @u",
                ("u", userId)
            )
        );
        Assert.Equal(
            elite.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT last_payment_id::text FROM subscriptions WHERE user_id = @u",
                ("u", userId)
            )
        );
    }

    /// <summary>
    /// A cheaper plan refused on delivery is not "on its way" to the subscription while its refund waits to settle
    /// (days, at some banks): once the dearer period is over, that plan can be bought.
    /// </summary>
    [Fact]
    public async Task A_cheaper_plan_refused_on_delivery_does_not_block_its_tier_while_its_refund_settles()
    {
        var (userId, token) = fx.User();
        var (premiumId, _, _) = await CheaperPaidOverDearerAsync(token);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", premiumId))
                == 1,
            "the cheaper plan's refund was not asked for"
        );
        // Its refund asked for, not settled yet; and the elite period, stopped renewing, is over.
        await fx.ExecuteAsync("UPDATE payments SET status = 'succeeded' WHERE id = @id", ("id", premiumId));
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET current_period_end = @end WHERE user_id = @u",
            ("u", userId),
            ("end", fx.Clock.GetUtcNow().AddMinutes(-1))
        );

        var again = await (await CheckoutAsync(token, "premium")).AssertStatus(200);

        Assert.NotEqual(premiumId, again["payment_id"]!.GetValue<Guid>());
    }

    /// <summary>An upgrade as before: the dearer plan replaces the cheaper one, which runs to its period end.</summary>
    [Fact]
    public async Task A_dearer_plan_bought_over_a_cheaper_one_replaces_it_and_refunds_nothing()
    {
        var (userId, token) = fx.User();
        var premium = await SubscribeAsync(token, "premium");
        fx.Clock.Advance(TimeSpan.FromMinutes(1));

        var elite = await SubscribeAsync(token, "elite");

        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.False(me["cancel_at_period_end"]!.GetValue<bool>());
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<bool>(
                    "SELECT bool_and(at_period_end) AND count(*) = 1 FROM subscription_cancellations "
                        + "WHERE user_id = @u AND provider_subscription_id = @s",
                    ("u", userId),
                    ("s", "sub_sandbox_" + premium.ToString("N"))
                ),
            "the replaced premium subscription was not stopped at its period end"
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refunds WHERE payment_id = ANY(@p)",
                ("p", new[] { premium, elite })
            )
        );
        Assert.Equal(
            "succeeded",
            await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", premium))
        );
    }

    /// <summary>
    /// Stripe goes on reporting a subscription we replaced until its period ends: normal, nothing for an operator. One
    /// we never sold is worth a warning.
    /// </summary>
    [Fact]
    public async Task Updates_of_a_replaced_subscription_are_ignored_without_a_warning()
    {
        var (userId, token) = fx.User();
        var replaced = "sub_sandbox_" + (await SubscribeAsync(token, "premium")).ToString("N");
        await SubscribeAsync(token, "elite");
        var periodEnd = DateTimeOffset.FromUnixTimeSeconds(fx.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds());
        var update = SubscriptionEvent("customer.subscription.updated", replaced, userId, "active", periodEnd, true);
        var unknown = SubscriptionEvent(
            "customer.subscription.updated",
            "sub_unknown_" + Guid.NewGuid().ToString("N"),
            Guid.NewGuid(),
            "active",
            periodEnd,
            false
        );

        await SendAsync(update);
        await SendAsync(unknown);

        Assert.Equal("elite", (await MeAsync(token))["tier"]!.GetValue<string>());
        var warnings = fx.Logs.Of(typeof(SubscriptionWebhookHandler).FullName!, LogLevel.Warning);
        Assert.DoesNotContain(warnings, w => w.Message.Contains((string)update["id"]!));
        Assert.Single(warnings, w => w.Message.Contains((string)unknown["id"]!));
    }

    [Fact]
    public async Task Stripe_subscription_webhooks_renew_and_end_the_subscription()
    {
        var (userId, token) = fx.User();
        var paymentId = await SubscribeAsync(token, "elite");
        var providerId = "sub_sandbox_" + paymentId.ToString("N");

        // A renewal moves the period: identity hears of it.
        var renewedUntil = DateTimeOffset.FromUnixTimeSeconds(fx.Clock.GetUtcNow().AddDays(60).ToUnixTimeSeconds());
        var renewal = SubscriptionEvent(
            "customer.subscription.updated",
            providerId,
            userId,
            "active",
            renewedUntil,
            cancelAtPeriodEnd: false
        );
        Assert.False((await SendAsync(renewal))["duplicate"]!.GetValue<bool>());
        var me = await MeAsync(token);
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal(renewedUntil, me["current_period_end"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2L, await ChangesAsync(userId));
        Assert.Equal(renewedUntil, (await LastChangeAsync(userId))["currentPeriodEnd"]!.GetValue<DateTimeOffset>());
        Assert.True((await SendAsync(renewal))["duplicate"]!.GetValue<bool>());

        // A failed renewal charge: past_due keeps the tier, so nothing is published.
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                providerId,
                userId,
                "past_due",
                renewedUntil,
                cancelAtPeriodEnd: false
            )
        );
        Assert.Equal("past_due", (await MeAsync(token))["status"]!.GetValue<string>());
        Assert.Equal(2L, await ChangesAsync(userId));

        // An update about an earlier period, arriving late, changes nothing.
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                providerId,
                userId,
                "active",
                renewedUntil.AddDays(-30),
                cancelAtPeriodEnd: false
            )
        );
        me = await MeAsync(token);
        Assert.Equal("past_due", me["status"]!.GetValue<string>());
        Assert.Equal(renewedUntil, me["current_period_end"]!.GetValue<DateTimeOffset>());

        // Cancelled in Stripe's dashboard.
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                providerId,
                userId,
                "active",
                renewedUntil,
                cancelAtPeriodEnd: true
            )
        );
        me = await MeAsync(token);
        Assert.True(me["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal("elite", me["tier"]!.GetValue<string>());
        Assert.Equal(2L, await ChangesAsync(userId));

        // Stripe ends it: back to free, once; a stale update after that cannot revive it.
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.deleted",
                providerId,
                userId,
                "canceled",
                renewedUntil,
                cancelAtPeriodEnd: false
            )
        );
        me = await MeAsync(token);
        Assert.Equal("free", me["tier"]!.GetValue<string>());
        Assert.Equal("canceled", me["status"]!.GetValue<string>());
        Assert.Equal(3L, await ChangesAsync(userId));
        Assert.Equal("free", (await LastChangeAsync(userId))["tier"]!.GetValue<string>());
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                providerId,
                userId,
                "active",
                renewedUntil.AddDays(30),
                cancelAtPeriodEnd: false
            )
        );
        Assert.Equal("free", (await MeAsync(token))["tier"]!.GetValue<string>());
        Assert.Equal(3L, await ChangesAsync(userId));

        // A subscription we never sold is acknowledged and ignored.
        var stranger = Guid.NewGuid();
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.deleted",
                "sub_unknown_" + stranger.ToString("N"),
                stranger,
                "canceled",
                renewedUntil,
                false
            )
        );
        Assert.Equal(0L, await ChangesAsync(stranger));
    }

    [Fact]
    public async Task A_subscription_update_delivered_after_a_newer_one_changes_nothing()
    {
        var (userId, token) = fx.User();
        var paymentId = await SubscribeAsync(token, "premium");
        var providerId = "sub_sandbox_" + paymentId.ToString("N");
        var periodEnd = DateTimeOffset.FromUnixTimeSeconds(fx.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds());
        var now = DateTimeOffset.UtcNow;

        // A renewal went unpaid (its delivery failed), then the member paid: Stripe's "active" arrives first, and its
        // retry of "unpaid" after it.
        await SendAsync(
            SubscriptionEvent("customer.subscription.updated", providerId, userId, "active", periodEnd, false, now)
        );
        var late = SubscriptionEvent(
            "customer.subscription.updated",
            providerId,
            userId,
            "unpaid",
            periodEnd,
            false,
            now.AddMinutes(-5)
        );
        Assert.False((await SendAsync(late))["duplicate"]!.GetValue<bool>());
        var me = await MeAsync(token);
        Assert.Equal("active", me["status"]!.GetValue<string>());
        Assert.Equal("premium", me["tier"]!.GetValue<string>());
        Assert.Equal(0L, await ChangesAsync(userId, "free"));

        // One created later still applies, and one of the same second too (Stripe counts whole seconds).
        await SendAsync(
            SubscriptionEvent("customer.subscription.updated", providerId, userId, "past_due", periodEnd, false, now)
        );
        Assert.Equal("past_due", (await MeAsync(token))["status"]!.GetValue<string>());
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                providerId,
                userId,
                "unpaid",
                periodEnd,
                false,
                now.AddMinutes(1)
            )
        );
        me = await MeAsync(token);
        Assert.Equal("unpaid", me["status"]!.GetValue<string>());
        Assert.Equal("free", me["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unsigned_subscription_webhook_is_refused_and_changes_nothing()
    {
        var (userId, token) = fx.User();
        var paymentId = await SubscribeAsync(token, "premium");
        var body = JsonSerializer.SerializeToUtf8Bytes(
            SubscriptionEvent(
                "customer.subscription.deleted",
                "sub_sandbox_" + paymentId.ToString("N"),
                userId,
                "canceled",
                fx.Clock.GetUtcNow(),
                false
            )
        );
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(
            "Stripe-Signature",
            Stripe.EventUtility.GenerateSignatureHeader(
                Encoding.UTF8.GetString(body),
                "whsec_not_ours",
                fx.Clock.GetUtcNow().ToUnixTimeSeconds()
            )
        );
        await (await fx.Client.SendAsync(request)).AssertProblem(400);
        Assert.Equal("premium", (await MeAsync(token))["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_monthly_period_is_a_calendar_month_and_stripes_word_on_it_counts_when_it_ends_a_little_sooner()
    {
        var (userId, token) = fx.User();
        var paymentId = await SubscribeAsync(token, "premium");
        var paidAt = new DateTimeOffset(
            DateTime.SpecifyKind(
                await fx.ScalarAsync<DateTime>("SELECT captured_at FROM payments WHERE id = @id", ("id", paymentId)),
                DateTimeKind.Utc
            )
        );
        // Stripe bills a 30-day plan monthly: the first period ends a calendar month after the payment's capture.
        Assert.Equal(paidAt.AddMonths(1), (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>());

        // Its own count of that period ends a little sooner (anchored when the subscription was created, or a
        // February): the member cancelling in Stripe's portal is still heard.
        var stripesEnd = DateTimeOffset.FromUnixTimeSeconds(paidAt.AddMonths(1).AddDays(-3).ToUnixTimeSeconds());
        await SendAsync(
            SubscriptionEvent(
                "customer.subscription.updated",
                "sub_sandbox_" + paymentId.ToString("N"),
                userId,
                "active",
                stripesEnd,
                cancelAtPeriodEnd: true
            )
        );
        var me = await MeAsync(token);
        Assert.True(me["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal(stripesEnd, me["current_period_end"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_second_checkout_while_the_first_payment_is_being_taken_up_is_refused_not_charged_twice()
    {
        var (userId, token) = fx.User();
        var first = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        var firstId = Guid.Parse(first["payment_id"]!.GetValue<string>());
        // Paid, and its PaymentSucceeded not yet handled (the bus lags): no subscription row yet.
        await SettledAsync(firstId, fx.Clock.GetUtcNow());

        using var second = await CheckoutAsync(token, "premium");
        var refused = await second.AssertProblem(409);
        Assert.Contains("paid for already", refused["detail"]!.GetValue<string>());
        Assert.Equal(firstId.ToString(), refused["paid_payment_id"]!.GetValue<string>());
        Assert.Null(second.Headers.RetryAfter);
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));
        // Another tier is another subscription: not held up by this one.
        await (await CheckoutAsync(token, "elite")).AssertStatus(200);
    }

    /// <summary>
    /// Elite paid, its PaymentSucceeded still on the bus (no subscription yet): a premium checkout paid now would be
    /// delivered first and take the elite period away. Refused as paid already, with the elite payment to follow.
    /// </summary>
    [Fact]
    public async Task A_cheaper_checkout_is_refused_while_a_dearer_payment_is_being_taken_up()
    {
        var (userId, token) = fx.User();
        var elite = await (await CheckoutAsync(token, "elite")).AssertStatus(200);
        var eliteId = elite["payment_id"]!.GetValue<Guid>();
        await SettledAsync(eliteId, fx.Clock.GetUtcNow().AddHours(-3));

        using var premium = await CheckoutAsync(token, "premium");

        var refused = await premium.AssertProblem(409);
        Assert.Contains("paid for already", refused["detail"]!.GetValue<string>());
        Assert.Equal(eliteId.ToString(), refused["paid_payment_id"]!.GetValue<string>());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));
    }

    /// <summary>
    /// The bus lagged for hours (a broker away, the message dead-lettered until an operator replays it): a payment
    /// still within the period it bought is on its way however long ago it went through. One older than its period
    /// would deliver a period already over, and stands in nobody's way.
    /// </summary>
    [Fact]
    public async Task A_purchase_whose_delivery_lags_for_hours_is_not_sold_twice_until_its_period_is_over()
    {
        var (userId, token) = fx.User();
        var first = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        var firstId = Guid.Parse(first["payment_id"]!.GetValue<string>());
        await SettledAsync(firstId, fx.Clock.GetUtcNow().AddHours(-3));

        var refused = await (await CheckoutAsync(token, "premium")).AssertProblem(409);
        Assert.Equal(firstId.ToString(), refused["paid_payment_id"]!.GetValue<string>());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));

        // Its 30 days over: a new purchase opens.
        await fx.ExecuteAsync(
            "UPDATE payments SET succeeded_at = @at WHERE id = @id",
            ("id", firstId),
            ("at", fx.Clock.GetUtcNow().AddDays(-31))
        );
        var next = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        Assert.NotEqual(firstId.ToString(), next["payment_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_renewed_purchase_on_its_way_is_not_sold_twice_whatever_touched_the_subscription_meanwhile()
    {
        var (userId, token) = fx.User();
        await SubscribeAsync(token, "premium");
        // Ended, then bought again: that payment went through and is on its way.
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET status = 'canceled', tier = 'free' WHERE user_id = @u",
            ("u", userId)
        );
        var again = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        await SettledAsync(Guid.Parse(again["payment_id"]!.GetValue<string>()), fx.Clock.GetUtcNow());
        // A webhook or the expiry sweep writes the subscription row meanwhile (later, by another clock).
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET updated_at = @at WHERE user_id = @u",
            ("u", userId),
            ("at", fx.Clock.GetUtcNow().AddHours(1))
        );

        using var third = await CheckoutAsync(token, "premium");
        var refused = await third.AssertProblem(409);
        Assert.Equal(again["payment_id"]!.GetValue<string>(), refused["paid_payment_id"]!.GetValue<string>());
    }

    /// <summary>
    /// A purchase delivers what its checkout sold: a tier taken off sale, or its period changed in the configuration,
    /// between the checkout and the payment (a deploy while the buyer was on the provider's page) changes neither what
    /// is delivered nor how the provider's later word on that period is judged.
    /// </summary>
    [Fact]
    public async Task A_purchase_delivers_the_period_it_was_sold_with_whatever_the_configuration_says_since()
    {
        var tiers = fx.Host.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Tiers;
        var (_, eliteBuyer) = fx.User();
        var (premiumBuyerId, premiumBuyer) = fx.User();
        var elite = await (await CheckoutAsync(eliteBuyer, "elite")).AssertStatus(200);
        var premium = await (await CheckoutAsync(premiumBuyer, "premium")).AssertStatus(200);
        var eliteSold = tiers["elite"];
        var premiumDays = tiers["premium"].PeriodDays;
        Assert.Equal(30, premiumDays);
        try
        {
            tiers.Remove("elite");
            tiers["premium"].PeriodDays = 7;
            foreach (var checkout in new[] { elite, premium })
                Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
            foreach (var (token, tier) in new[] { (eliteBuyer, "elite"), (premiumBuyer, "premium") })
            {
                await Eventually.TrueAsync(
                    async () => (await MeAsync(token))["tier"]!.GetValue<string>() == tier,
                    $"the {tier} purchase was not delivered"
                );
                // A calendar month from the payment, as sold for 30 days; not 7 days.
                Assert.InRange(
                    (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>(),
                    fx.Clock.GetUtcNow().AddMinutes(-5).AddMonths(1),
                    fx.Clock.GetUtcNow().AddMonths(1)
                );
            }

            // Stripe's count of the premium month ending ten days sooner is about that month (half of the 30 days
            // sold), not an earlier period (half of the 7 configured now): it is heard.
            var stripesEnd = DateTimeOffset.FromUnixTimeSeconds(
                fx.Clock.GetUtcNow().AddMonths(1).AddDays(-10).ToUnixTimeSeconds()
            );
            await SendAsync(
                SubscriptionEvent(
                    "customer.subscription.updated",
                    "sub_sandbox_" + premium["payment_id"]!.GetValue<Guid>().ToString("N"),
                    premiumBuyerId,
                    "active",
                    stripesEnd,
                    cancelAtPeriodEnd: true
                )
            );
            var me = await MeAsync(premiumBuyer);
            Assert.True(me["cancel_at_period_end"]!.GetValue<bool>());
            Assert.Equal(stripesEnd, me["current_period_end"]!.GetValue<DateTimeOffset>());
        }
        finally
        {
            tiers["elite"] = eliteSold;
            tiers["premium"].PeriodDays = premiumDays;
        }
    }

    /// <summary>The payment went through at <paramref name="at"/>; its PaymentSucceeded not yet handled.</summary>
    private Task SettledAsync(Guid paymentId, DateTimeOffset at) =>
        fx.ExecuteAsync(
            "UPDATE payments SET status = 'succeeded', succeeded_at = @at WHERE id = @id",
            ("id", paymentId),
            ("at", at)
        );

    private Task<HttpResponseMessage> CheckoutAsync(string? token, string tier, object? extra = null)
    {
        var body = new JsonObject
        {
            ["tier"] = tier,
            ["success_url"] = "https://app.example/paid",
            ["cancel_url"] = "https://app.example/cancelled",
        };
        if (extra is not null)
            foreach (var (name, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
                body[name] = value?.DeepClone();
        return fx.Client.PostJson("/api/v1/subscriptions/checkout", body.ToJsonString(), token);
    }

    /// <summary>Checks out and pays in the sandbox; returns the payment id once the tier is active.</summary>
    /// <summary>
    /// A premium checkout left open while elite is bought and paid, then paid all the same (its checkout went through
    /// at the provider as it was being ended): the premium payment, the elite one and the elite period's end.
    /// </summary>
    private async Task<(Guid Premium, Guid Elite, DateTimeOffset PeriodEnd)> CheaperPaidOverDearerAsync(string token)
    {
        var premium = await (await CheckoutAsync(token, "premium")).AssertStatus(200);
        var premiumId = premium["payment_id"]!.GetValue<Guid>();
        var elite = await SubscribeAsync(token, "elite");
        var periodEnd = (await MeAsync(token))["current_period_end"]!.GetValue<DateTimeOffset>();
        await fx.ExecuteAsync(
            "UPDATE payments SET status = 'pending', failure_reason = NULL WHERE id = @id",
            ("id", premiumId)
        );
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(premium)).StatusCode);
        return (premiumId, elite, periodEnd);
    }

    private async Task<Guid> SubscribeAsync(string token, string tier)
    {
        var checkout = await (await CheckoutAsync(token, tier)).AssertStatus(200);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        await Eventually.TrueAsync(
            async () => (await MeAsync(token))["tier"]!.GetValue<string>() == tier,
            $"the {tier} subscription was not activated"
        );
        return Guid.Parse(checkout["payment_id"]!.GetValue<string>());
    }

    /// <summary>The subscription payment's PaymentSucceeded told again (a replay, a queue that lagged), as of
    /// <paramref name="occurredAt"/>, and handled.</summary>
    private async Task ToldAgainAsync(Guid paymentId, Guid userId, DateTimeOffset occurredAt)
    {
        var paid = await fx.ScalarAsync<string>(
            "SELECT reference_id || ' ' || amount_cents || ' ' || currency FROM payments WHERE id = @id",
            ("id", paymentId)
        );
        var again = new PaymentSucceeded(
            Guid.NewGuid(),
            occurredAt,
            paymentId,
            userId,
            PaymentPurposes.Subscription,
            Guid.Parse(paid!.Split(' ')[0]),
            long.Parse(paid.Split(' ')[1]),
            paid.Split(' ')[2]
        );
        await fx.PublishAsync(again);
        await fx.HandledAsync(again.MessageId, "SubscriptionPaymentConsumer");
    }

    private async Task<JsonNode> MeAsync(string token) =>
        await (await fx.Client.Get("/api/v1/subscriptions/me", token)).AssertStatus(200);

    private Task<long> ChangesAsync(Guid userId, string? tier = null) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                + "payload->>'userId' = @u AND (@t = '' OR payload->>'tier' = @t)",
            ("u", userId.ToString()),
            ("t", tier ?? "")
        );

    private async Task<JsonNode> LastChangeAsync(Guid userId) =>
        JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                        + "payload->>'userId' = @u ORDER BY sequence DESC LIMIT 1",
                    ("u", userId.ToString())
                )
            )!
        )!;

    private static Dictionary<string, object?> SubscriptionEvent(
        string type,
        string providerId,
        Guid userId,
        string status,
        DateTimeOffset periodEnd,
        bool cancelAtPeriodEnd,
        DateTimeOffset? created = null
    ) =>
        new()
        {
            ["id"] = "evt_test_" + Guid.NewGuid().ToString("N"),
            ["object"] = "event",
            ["type"] = type,
            ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
            ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["data"] = new Dictionary<string, object?>
            {
                ["object"] = new Dictionary<string, object?>
                {
                    ["id"] = providerId,
                    ["object"] = "subscription",
                    ["status"] = status,
                    ["customer"] = "cus_test",
                    ["cancel_at_period_end"] = cancelAtPeriodEnd,
                    ["items"] = new Dictionary<string, object?>
                    {
                        ["object"] = "list",
                        ["data"] = new[]
                        {
                            new Dictionary<string, object?>
                            {
                                ["id"] = "si_test",
                                ["object"] = "subscription_item",
                                ["current_period_end"] = periodEnd.ToUnixTimeSeconds(),
                            },
                        },
                    },
                    ["metadata"] = new Dictionary<string, string> { ["user_id"] = userId.ToString() },
                },
            },
        };

    /// <summary>Posts a Stripe event signed with the sandbox's secret, as Stripe would sign it.</summary>
    private async Task<JsonNode> SendAsync(Dictionary<string, object?> stripeEvent)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(stripeEvent);
        var secret = await fx
            .Host.Services.GetRequiredService<WebhookSecrets>()
            .SandboxSecretAsync(CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json") { CharSet = Encoding.UTF8.WebName };
        request.Headers.Add(
            "Stripe-Signature",
            Stripe.EventUtility.GenerateSignatureHeader(
                Encoding.UTF8.GetString(body),
                secret,
                fx.Clock.GetUtcNow().ToUnixTimeSeconds()
            )
        );
        return await (await fx.Client.SendAsync(request)).AssertStatus(200);
    }
}
