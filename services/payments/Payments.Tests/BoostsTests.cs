using Community.Contracts;
using Community.Contracts.Payments;

namespace Community.Payments.Tests;

public sealed class BoostsTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task The_prices_on_sale_are_what_the_checkout_charges_and_what_credits_buy()
    {
        var (_, token) = fx.User();
        await (await fx.Client.Get("/api/v1/boosts/prices")).AssertProblem(401);
        var prices = (await (await fx.Client.Get("/api/v1/boosts/prices", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(p =>
                (
                    p!["days"]!.GetValue<int>(),
                    p["amount_cents"]!.GetValue<long>(),
                    p["currency"]!.GetValue<string>(),
                    p["credits"]?.GetValue<int>()
                )
            )
            .ToList();
        Assert.Equal([(1, 199L, "EUR", (int?)20), (7, 899L, "EUR", 90), (30, 2499L, "EUR", 250)], prices);
        foreach (var (days, amount, _, _) in prices)
        {
            var checkout = await (await CheckoutAsync(token, $$"""{"days": {{days}}, """)).AssertStatus(200);
            Assert.Equal(amount, checkout["amount_cents"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task Checkout_is_priced_from_configuration_and_asking_twice_returns_the_open_session()
    {
        var (_, token) = fx.User();

        // A price in the body is not part of the contract: refused, it changes nothing.
        Assert.NotNull(
            (
                await (
                    await CheckoutAsync(token, """{"days": 7, "amount_cents": 1, "currency": "USD", """)
                ).AssertProblem(400)
            )["errors"]!["amount_cents"]
        );
        var week = await (await CheckoutAsync(token, """{"days": 7, """)).AssertStatus(200);
        Assert.Equal(899, week["amount_cents"]!.GetValue<long>());
        Assert.Equal("EUR", week["currency"]!.GetValue<string>());
        var again = await (await CheckoutAsync(token, """{"days": 7, """)).AssertStatus(200);
        Assert.Equal(week["session_id"]!.GetValue<string>(), again["session_id"]!.GetValue<string>());

        Assert.Equal(
            199,
            (await (await CheckoutAsync(token, """{"days": 1, """)).AssertStatus(200))["amount_cents"]!.GetValue<long>()
        );
        var month = await (await CheckoutAsync(token, """{"days": 30, "payment_method": "alipay", """)).AssertStatus(
            200
        );
        Assert.Equal(2499, month["amount_cents"]!.GetValue<long>());
        Assert.NotEqual(week["session_id"]!.GetValue<string>(), month["session_id"]!.GetValue<string>());

        var payment = await (
            await fx.Client.Get($"/api/v1/payments/{week["payment_id"]!.GetValue<string>()}", token)
        ).AssertStatus(200);
        Assert.Equal("boost", payment["purpose"]!.GetValue<string>());
        Assert.Equal("7", payment["product"]!.GetValue<string>());
    }

    /// <summary>
    /// The checkout asked for again on other terms (another method) is a new one: the open one cannot give them, and
    /// is ended so it cannot be paid beside it. The same terms again find the open one.
    /// </summary>
    [Fact]
    public async Task A_checkout_asked_again_with_another_method_replaces_the_open_one()
    {
        var (_, token) = fx.User();
        var card = await (await CheckoutAsync(token, """{"days": 7, """)).AssertStatus(200);

        var alipay = await (await CheckoutAsync(token, """{"days": 7, "payment_method": "alipay", """)).AssertStatus(
            200
        );

        Assert.NotEqual(card["session_id"]!.GetValue<string>(), alipay["session_id"]!.GetValue<string>());
        Assert.Contains("(alipay)", await fx.CheckoutPageAsync(alipay));
        var cardId = card["payment_id"]!.GetValue<Guid>();
        Assert.Equal(
            "expired replaced",
            await fx.ScalarAsync<string>(
                "SELECT status || ' ' || coalesce(failure_reason, '') FROM payments WHERE id = @id",
                ("id", cardId)
            )
        );
        // The ended one pays nothing.
        await fx.PressAsync(card);
        Assert.Equal(
            "expired",
            await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", cardId))
        );
        var again = await (await CheckoutAsync(token, """{"days": 7, "payment_method": "alipay", """)).AssertStatus(
            200
        );
        Assert.Equal(alipay["session_id"]!.GetValue<string>(), again["session_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_boost_requests_are_refused()
    {
        var (_, token) = fx.User();
        foreach (var days in new[] { """{"days": 2, """, """{"days": 0, """, """{"days": -7, """, "{" })
            Assert.NotNull((await (await CheckoutAsync(token, days)).AssertProblem(400))["errors"]!["days"]);
        await (await CheckoutAsync(token, """{"days": "seven", """)).AssertProblem(400);
        Assert.NotNull(
            (
                await (
                    await fx.Client.PostJson(
                        "/api/v1/boosts/checkout",
                        new { days = 7, success_url = "ftp://x" },
                        token
                    )
                ).AssertProblem(400)
            )["errors"]!["cancel_url"]
        );

        Assert.Equal(HttpStatusCode.Unauthorized, (await CheckoutAsync(null, """{"days": 7, """)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Client.Get("/api/v1/boosts/me")).StatusCode);
    }

    [Fact]
    public async Task Boosts_bought_back_to_back_add_up_and_each_publishes_BoostPurchased()
    {
        var (userId, token) = fx.User();
        var none = await MeAsync(token);
        Assert.Null(none["boosted_until"]);
        Assert.False(none["active"]!.GetValue<bool>());

        var week = await BuyAsync(token, 7, previous: null);
        Assert.InRange(week, fx.Clock.GetUtcNow().AddDays(7).AddMinutes(-5), fx.Clock.GetUtcNow().AddDays(7));
        Assert.True((await MeAsync(token))["active"]!.GetValue<bool>());
        Assert.Equal(1L, await PurchasesAsync(userId));

        // Bought while the week runs, the day starts where the week ends.
        var eightDays = await BuyAsync(token, 1, previous: week);
        Assert.Equal(TimeSpan.FromDays(1), eightDays - week);
        Assert.Equal(2L, await PurchasesAsync(userId));
        var published = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%.BoostPurchased,%' AND "
                        + "payload->>'userId' = @u ORDER BY sequence DESC LIMIT 1",
                    ("u", userId.ToString())
                )
            )!
        )!;
        Assert.Equal(eightDays, published["boostedUntil"]!.GetValue<DateTimeOffset>());

        // Someone else's boost is theirs alone.
        Assert.Null((await MeAsync(fx.User().Token))["boosted_until"]);
    }

    [Fact]
    public async Task A_boost_bought_after_the_last_one_ran_out_starts_from_the_payment()
    {
        var (userId, token) = fx.User();
        var day = await BuyAsync(token, 1, previous: null);
        fx.Clock.Advance(TimeSpan.FromDays(2));
        token = fx.TokenFor(userId);
        Assert.False((await MeAsync(token))["active"]!.GetValue<bool>());

        var week = await BuyAsync(token, 7, previous: day);
        Assert.InRange(week, fx.Clock.GetUtcNow().AddDays(7).AddMinutes(-5), fx.Clock.GetUtcNow().AddDays(7));
        Assert.True((await MeAsync(token))["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Credits_buy_boosts_once_per_key_and_the_days_add_up()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 130);

        var week = await (
            await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 7}""", "boost-1")
        ).AssertStatus(201);
        Assert.Equal(90, week["amount"]!.GetValue<long>());
        Assert.Equal("boost", week["purpose"]!.GetValue<string>());
        Assert.Equal(40, week["balance"]!.GetValue<long>());
        var until = (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>();
        Assert.InRange(until, fx.Clock.GetUtcNow().AddDays(7).AddMinutes(-5), fx.Clock.GetUtcNow().AddDays(7));
        Assert.Equal(1L, await PurchasesAsync(userId));

        // The same key again: the same answer, nothing spent or added.
        var again = await (
            await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 7}""", "boost-1")
        ).AssertStatus(200);
        Assert.Equal(week["spend_id"]!.GetValue<Guid>(), again["spend_id"]!.GetValue<Guid>());
        Assert.Equal(until, (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());

        var day = await (await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 1}""", "boost-2")).AssertStatus(
            201
        );
        Assert.Equal(20, day["balance"]!.GetValue<long>());
        Assert.Equal(until.AddDays(1), (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2L, await PurchasesAsync(userId));

        // Not enough credits: refused, and no days given.
        var poor = await (
            await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 30}""", "boost-3")
        ).AssertProblem(422);
        Assert.Equal(20, poor["balance"]!.GetValue<long>());
        Assert.Equal(250, poor["required"]!.GetValue<long>());
        Assert.Equal(until.AddDays(1), (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2L, await PurchasesAsync(userId));

        foreach (
            var body in new[]
            {
                """{"purpose": "boost", "days": 2}""",
                """{"purpose": "boost"}""",
                $$"""{"purpose": "boost", "days": 7, "reference_id": "{{Guid.NewGuid()}}"}""",
                """{"purpose": "course", "days": 7}""",
            }
        )
            await (await SpendOnBoostAsync(token, body, "bad-" + Guid.NewGuid())).AssertProblem(400);
        Assert.Equal(
            20,
            (await (await fx.Client.Get("/api/v1/credits", token)).AssertStatus(200))["balance"]!.GetValue<long>()
        );
    }

    [Fact]
    public async Task A_boost_key_used_again_for_other_days_is_refused_422_and_buys_nothing()
    {
        var (userId, token) = fx.User();
        await GrantAsync(userId, 130);
        await (await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 1}""", "boost-days")).AssertStatus(201);
        var until = (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>();

        var problem = await (
            await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 7}""", "boost-days")
        ).AssertProblem(422);

        Assert.Contains("was used for another request", problem["detail"]!.GetValue<string>());
        Assert.Equal(until, (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1L, await PurchasesAsync(userId));
        Assert.Equal(
            110,
            (await (await fx.Client.Get("/api/v1/credits", token)).AssertStatus(200))["balance"]!.GetValue<long>()
        );
        // The first request again is still answered with its spend.
        await (await SpendOnBoostAsync(token, """{"purpose": "boost", "days": 1}""", "boost-days")).AssertStatus(200);
    }

    [Fact]
    public async Task A_boost_payment_announced_again_under_another_message_id_adds_no_days()
    {
        var (userId, token) = fx.User();
        var until = await BuyAsync(token, 7, previous: null);
        var paymentId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM payments WHERE user_id = @u AND purpose = 'boost'",
            ("u", userId)
        );

        // The same PaymentSucceeded under another message id: past the inbox, the grant already made stops it.
        var again = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paymentId,
            userId,
            PaymentPurposes.Boost,
            await fx.ScalarAsync<Guid>("SELECT reference_id FROM payments WHERE id = @p", ("p", paymentId)),
            899,
            "EUR"
        );
        await fx.DeliverAsync(again, "BoostPaymentConsumer");

        Assert.Equal(until, (await MeAsync(token))["boosted_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1L, await PurchasesAsync(userId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM boost_grants WHERE payment_id = @p", ("p", paymentId))
        );
    }

    [Fact]
    public async Task A_boost_payment_handled_late_gives_its_days_from_when_the_boost_starts()
    {
        var (userId, token) = fx.User();
        await BuyAsync(token, 7, previous: null);
        var paymentId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM payments WHERE user_id = @u AND purpose = 'boost'",
            ("u", userId)
        );
        // As if its PaymentSucceeded had waited 30 hours (payments' database down, the message redelivered after):
        // nothing was granted yet.
        await fx.ExecuteAsync("DELETE FROM boost_grants WHERE payment_id = @p", ("p", paymentId));
        await fx.ExecuteAsync("DELETE FROM boosts WHERE user_id = @u", ("u", userId));
        fx.Clock.Advance(TimeSpan.FromHours(30));

        var late = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow() - TimeSpan.FromHours(30),
            paymentId,
            userId,
            PaymentPurposes.Boost,
            await fx.ScalarAsync<Guid>("SELECT reference_id FROM payments WHERE id = @p", ("p", paymentId)),
            899,
            "EUR"
        );
        await fx.DeliverAsync(late, "BoostPaymentConsumer");

        // The profile was never boosted while the message waited: all seven days are still to come.
        var me = await MeAsync(fx.TokenFor(userId));
        Assert.True(me["active"]!.GetValue<bool>());
        Assert.InRange(
            me["boosted_until"]!.GetValue<DateTimeOffset>(),
            fx.Clock.GetUtcNow().AddDays(7).AddMinutes(-5),
            fx.Clock.GetUtcNow().AddDays(7)
        );
    }

    private async Task<HttpResponseMessage> SpendOnBoostAsync(string token, string body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/spend")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await fx.Client.SendAsync(request);
    }

    private async Task GrantAsync(Guid userId, long amount)
    {
        await using var scope = fx.Host.Services.CreateAsyncScope();
        await scope
            .ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(userId, amount, "test", "test:" + Guid.NewGuid(), CancellationToken.None);
    }

    /// <summary>
    /// Checks out <paramref name="days"/> and pays in the sandbox; returns boosted_until once the boost is applied.
    /// </summary>
    private async Task<DateTimeOffset> BuyAsync(string token, int days, DateTimeOffset? previous)
    {
        var checkout = await (await CheckoutAsync(token, $$"""{"days": {{days}}, """)).AssertStatus(200);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        DateTimeOffset? until = null;
        await Eventually.TrueAsync(
            async () =>
            {
                until = (await MeAsync(token))["boosted_until"]?.GetValue<DateTimeOffset>();
                return until is not null && until != previous;
            },
            $"the {days}-day boost was not applied"
        );
        return until!.Value;
    }

    /// <summary>Posts <paramref name="start"/> (an unfinished JSON object) completed with the redirect URLs.</summary>
    private Task<HttpResponseMessage> CheckoutAsync(string? token, string start) =>
        fx.Client.PostJson(
            "/api/v1/boosts/checkout",
            start + """ "success_url": "https://app.example/paid", "cancel_url": "https://app.example/cancelled"}""",
            token
        );

    private async Task<JsonNode> MeAsync(string token) =>
        await (await fx.Client.Get("/api/v1/boosts/me", token)).AssertStatus(200);

    private Task<long> PurchasesAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.BoostPurchased,%' AND payload->>'userId' = @u",
            ("u", userId.ToString())
        );
}

/// <summary>Boost checkouts with Stripe as the provider (<see cref="FakeStripe"/>).</summary>
public sealed class StripeBoostsTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    [Fact]
    public async Task A_checkout_asked_again_with_another_method_expires_the_open_session_and_opens_one_for_it()
    {
        var (_, token) = fx.User();
        var card = await (await CheckoutAsync(token, "card")).AssertStatus(200);
        var cardId = card["payment_id"]!.GetValue<Guid>();

        var alipay = await (await CheckoutAsync(token, "alipay")).AssertStatus(200);

        var alipayId = alipay["payment_id"]!.GetValue<Guid>();
        Assert.NotEqual(card["session_id"]!.GetValue<string>(), alipay["session_id"]!.GetValue<string>());
        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + alipayId));
        Assert.Equal("alipay", call.Field("allowed_payment_method_types[0]"));
        Assert.Null(call.Field("allowed_payment_method_types[1]"));
        // Expired at Stripe, so the card session cannot be paid beside the new one.
        Assert.Single(fx.Stripe.WithKey("expire-" + cardId));
        Assert.Equal("expired", await fx.StatusOfAsync(cardId));

        // The same request twice: the same session, Stripe asked once.
        var again = await (await CheckoutAsync(token, "alipay")).AssertStatus(200);
        Assert.Equal(alipay["session_id"]!.GetValue<string>(), again["session_id"]!.GetValue<string>());
        Assert.Single(fx.Stripe.WithKey("checkout-" + alipayId));
    }

    /// <summary>
    /// The open session was paid at Stripe as the buyer asked for another method (its webhook still on its way): a new
    /// checkout would charge twice. 409, paid already, with that payment to follow; nothing new is opened.
    /// </summary>
    [Fact]
    public async Task A_checkout_paid_at_stripe_is_not_replaced_but_answered_as_paid_already()
    {
        var (userId, token) = fx.User();
        var card = await (await CheckoutAsync(token, "card")).AssertStatus(200);
        var cardId = card["payment_id"]!.GetValue<Guid>();
        fx.Stripe.CompletedAtStripe(card["session_id"]!.GetValue<string>());

        var refused = await (await CheckoutAsync(token, "alipay")).AssertProblem(409);

        Assert.Equal(cardId.ToString(), refused["paid_payment_id"]!.GetValue<string>());
        Assert.Equal("pending", await fx.StatusOfAsync(cardId));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));
    }

    private Task<HttpResponseMessage> CheckoutAsync(string token, string method) =>
        fx.Client.PostJson(
            "/api/v1/boosts/checkout",
            new
            {
                days = 7,
                payment_method = method,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
}
