using System.Globalization;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Payments.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Community.Payments.Tests;

public sealed class StripeProviderTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    private static readonly TimeSpan HoldLength = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Checkout_asks_stripe_for_the_held_seats_price_whatever_the_client_sends()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500, holdFor: HoldLength);
        var holdEnds = fx.Clock.GetUtcNow() + HoldLength;

        // Amount, currency and price fields in the body are not part of the contract: refused, they change nothing.
        var priced = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "event_registration",
                reference_id = registration,
                payment_method = "card",
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
                amount_cents = 1,
                amount = 1,
                unit_amount = 1,
                currency = "USD",
                price_data = new { unit_amount = 1 },
            },
            token
        );
        Assert.NotNull((await priced.AssertProblem(400))["errors"]!["amount_cents"]);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", registration))
        );
        Assert.DoesNotContain(
            fx.Stripe.Received,
            call => call.Field("metadata[reference_id]") == registration.ToString()
        );

        var response = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "event_registration",
                reference_id = registration,
                payment_method = "card",
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
        var checkout = await response.AssertStatus(200);
        var paymentId = checkout["payment_id"]!.GetValue<string>();
        Assert.Equal(2500, checkout["amount_cents"]!.GetValue<long>());
        Assert.Equal("EUR", checkout["currency"]!.GetValue<string>());

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("POST", call.Method);
        Assert.Equal("/v1/checkout/sessions", call.Path);
        Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", call.Header("Content-Type"));
        Assert.Equal("payment", call.Field("mode"));
        Assert.Equal("https://app.example/paid", call.Field("success_url"));
        Assert.Equal("https://app.example/cancelled", call.Field("cancel_url"));
        Assert.Equal(paymentId, call.Field("client_reference_id"));
        Assert.Equal("card", call.Field("allowed_payment_method_types[0]"));
        Assert.Null(call.Field("allowed_payment_method_types[1]"));
        // charged in the price's currency, which the refund and dispute amounts are checked in
        Assert.Equal("false", call.Field("adaptive_pricing[enabled]"));
        Assert.Equal("1", call.Field("line_items[0][quantity]"));
        Assert.Equal("eur", call.Field("line_items[0][price_data][currency]"));
        Assert.Equal("2500", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal("Event ticket", call.Field("line_items[0][price_data][product_data][name]"));
        Assert.DoesNotContain(
            call.Form.Keys,
            k => k.Contains("recurring") || k.StartsWith("subscription_data") || k.StartsWith("payment_method_options")
        );
        Assert.Equal(paymentId, call.Field("metadata[payment_id]"));
        Assert.Equal("event_registration", call.Field("metadata[purpose]"));
        Assert.Equal(registration.ToString(), call.Field("metadata[reference_id]"));
        Assert.Equal(userId.ToString(), call.Field("metadata[user_id]"));
        Assert.Equal(paymentId, call.Field("payment_intent_data[metadata][payment_id]"));

        // Stripe keeps a session open at least 30 minutes: the 15-minute hold is outlived, never cut short.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(
            long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture)
        );
        Assert.InRange(
            expiresAt,
            fx.Clock.GetUtcNow() + StripeProvider.MinimumSessionLifetime,
            fx.Clock.GetUtcNow() + StripeProvider.MaximumSessionLifetime
        );
        Assert.True(expiresAt >= holdEnds);
        // By Stripe's minimum and a minute from the hold's end, not from a minimum already added once (61 minutes).
        Assert.InRange(
            expiresAt,
            holdEnds + StripeProvider.MinimumSessionLifetime,
            holdEnds + StripeProvider.MinimumSessionLifetime + TimeSpan.FromMinutes(1)
        );

        // Our answer is Stripe's session.
        var sessionId = checkout["session_id"]!.GetValue<string>();
        Assert.StartsWith("cs_test_", sessionId);
        Assert.Equal("https://checkout.stripe.test/c/pay/" + sessionId, checkout["checkout_url"]!.GetValue<string>());
        Assert.Equal(expiresAt, checkout["expires_at"]!.GetValue<DateTimeOffset>());

        // The same thing asked again: the open checkout, no second call to Stripe.
        var again = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.Equal(sessionId, again["session_id"]!.GetValue<string>());
        Assert.Equal(paymentId, again["payment_id"]!.GetValue<string>());
        Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("pending", await fx.StatusOfAsync(Guid.Parse(paymentId)));
    }

    [Theory]
    [InlineData("alipay")]
    [InlineData("wechat_pay")]
    public async Task Alipay_and_wechat_pay_are_asked_for_as_the_only_method(string method)
    {
        var (_, _, _, paymentId, _) = await fx.OpenCheckoutAsync(1800, method);

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal(method, call.Field("allowed_payment_method_types[0]"));
        Assert.Null(call.Field("allowed_payment_method_types[1]"));
        Assert.Equal(method == "wechat_pay" ? "web" : null, call.Field("payment_method_options[wechat_pay][client]"));
        Assert.Equal("1800", call.Field("line_items[0][price_data][unit_amount]"));
    }

    [Fact]
    public async Task A_stripe_500_is_retried_with_the_same_idempotency_key_and_opens_one_session()
    {
        fx.Stripe.FailNext("/v1/checkout/sessions", 500);
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        var calls = fx.Stripe.WithKey("checkout-" + paymentId);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Canonical, calls[1].Canonical);
        Assert.StartsWith("cs_test_", sessionId);
    }

    [Fact]
    public async Task A_stripe_409_is_our_502_with_nothing_opened_or_settled_and_a_later_attempt_reuses_the_payment()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500);
        var before = fx.Stripe.Received.Count;
        // Another request with the key is still under way: no refusal, so whatever Stripe does is found under that key.
        var paymentId = await CheckoutStripeFailsAsync(token, registration, 409, InProgress);

        // A 409 is not transient: asked once, not retried.
        Assert.Equal(before + 1, fx.Stripe.Received.Count);
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Null(await fx.ScalarAsync<string>("SELECT session_id FROM payments WHERE id = @id", ("id", paymentId)));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));

        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        Assert.Equal(paymentId.ToString(), checkout["payment_id"]!.GetValue<string>());
        Assert.Equal(2, fx.Stripe.WithKey("checkout-" + paymentId).Count);
    }

    [Fact]
    public async Task A_checkout_stripe_refuses_ends_its_payment_and_a_retry_with_another_method_opens_a_new_one()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500);
        var before = fx.Stripe.Received.Count;
        var refusedId = await CheckoutStripeFailsAsync(
            token,
            registration,
            400,
            "The payment method type provided: alipay is invalid for currency eur.",
            "alipay"
        );

        // A 400 is a definite no: asked once, not retried, and its payment ends with nothing opened or settled.
        Assert.Equal(before + 1, fx.Stripe.Received.Count);
        Assert.Equal("failed", await fx.StatusOfAsync(refusedId));
        Assert.Null(await fx.ScalarAsync<string>("SELECT session_id FROM payments WHERE id = @id", ("id", refusedId)));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", refusedId));

        // Paying by card at once opens a new payment under a new key, with the method and pages asked for now.
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        var paymentId = checkout["payment_id"]!.GetValue<string>();
        Assert.NotEqual(refusedId.ToString(), paymentId);
        Assert.StartsWith("cs_test_", checkout["session_id"]!.GetValue<string>());
        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("card", call.Field("allowed_payment_method_types[0]"));
        Assert.Equal("https://app.example/paid", call.Field("success_url"));
        Assert.Single(fx.Stripe.WithKey("checkout-" + refusedId));
        Assert.Equal("pending", await fx.StatusOfAsync(Guid.Parse(paymentId)));
    }

    [Fact]
    public async Task A_checkout_asked_again_with_another_method_after_stripe_failed_opens_a_new_payment()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 2500);
        var first = await CheckoutStripeFailsAsync(token, registration, 409, InProgress);
        Assert.Equal("pending", await fx.StatusOfAsync(first));

        // Stripe refuses a key reused with other parameters: another method gets a payment and a key of its own.
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration, "alipay");
        var paymentId = checkout["payment_id"]!.GetValue<string>();
        Assert.NotEqual(first.ToString(), paymentId);
        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("alipay", call.Field("allowed_payment_method_types[0]"));
        Assert.Single(fx.Stripe.WithKey("checkout-" + first));
        Assert.Equal("expired", await fx.StatusOfAsync(first));
        Assert.Equal("pending", await fx.StatusOfAsync(Guid.Parse(paymentId)));
    }

    [Fact]
    public async Task A_checkout_retried_minutes_after_stripe_failed_sends_the_same_parameters_under_the_same_key()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 3100, holdFor: HoldLength);
        fx.Stripe.FailNext("/v1/checkout/sessions", 503, "Service unavailable", times: 4);

        var failed = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "event_registration",
                reference_id = registration,
                payment_method = "card",
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
        await failed.AssertProblem(502);

        // Minutes later, still inside the hold: Stripe would refuse the key with changed parameters (an expiry computed
        // from "now").
        fx.Clock.Advance(TimeSpan.FromMinutes(3));
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        var paymentId = checkout["payment_id"]!.GetValue<string>();

        var calls = fx.Stripe.WithKey("checkout-" + paymentId);
        Assert.Equal(5, calls.Count);
        Assert.All(calls, c => Assert.Equal(calls[0].Canonical, c.Canonical));
    }

    [Fact]
    public async Task Refunds_ask_stripe_for_the_intent_and_amount_under_the_refund_key_and_survive_a_500()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(sessionId, paymentId)
            )
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));

        fx.Stripe.FailNext("/v1/refunds", 500);
        var refund = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 1000, "refund-test-1")).AssertStatus(
            201
        );
        var refundId = refund["id"]!.GetValue<string>();
        Assert.Equal("succeeded", refund["status"]!.GetValue<string>());

        var calls = fx.Stripe.WithKey("refund-" + refundId);
        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].Canonical, calls[1].Canonical);
        var call = calls[1];
        Assert.Equal("/v1/refunds", call.Path);
        Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
        Assert.Equal(StripePaymentsFixture.IntentOf(paymentId), call.Field("payment_intent"));
        Assert.Equal("1000", call.Field("amount"));
        Assert.Equal(paymentId.ToString(), call.Field("metadata[payment_id]"));
        Assert.Equal(refundId, call.Field("metadata[refund_id]"));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));

        // The same request again refunds nothing more; Stripe's own charge.refunded for it adds no second
        // PaymentRefunded.
        var again = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 1000, "refund-test-1")).AssertStatus(
            201
        );
        Assert.Equal(refundId, again["id"]!.GetValue<string>());
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event("charge.refunded", StripePaymentsFixture.Charge(paymentId, 2500, 1000))
        );
        Assert.Equal(2, fx.Stripe.WithKey("refund-" + refundId).Count);
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task A_refund_stripe_refuses_is_a_recorded_422_its_key_replays_and_a_new_key_asks_again()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(sessionId, paymentId)
            )
        );
        var seller = fx.TokenFor(sellerId);
        // Stripe keeps this no under the refund's key: asking again with it would only hear it again.
        fx.Stripe.RefuseNext("/v1/refunds", 400, "Charge ch_x has been charged back.");

        var problem = await (await fx.RefundAsync(paymentId, seller, null, "refused-once")).AssertProblem(422);

        Assert.Equal("failed", problem["refund_status"]!.GetValue<string>());
        var refundId = Guid.Parse(problem["refund_id"]!.GetValue<string>());
        Assert.Equal(
            "provider_refused_400",
            await fx.ScalarAsync<string>("SELECT failure_reason FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefunded", paymentId));

        // The same key replays the recorded failure without asking Stripe; a new key is a new refund, and made.
        var again = await (await fx.RefundAsync(paymentId, seller, null, "refused-once")).AssertProblem(422);
        Assert.Equal(refundId.ToString(), again["refund_id"]!.GetValue<string>());
        Assert.Single(fx.Stripe.WithKey("refund-" + refundId));
        var made = await (await fx.RefundAsync(paymentId, seller, null, "after-the-refusal")).AssertStatus(201);
        Assert.Equal(2500, made["amount_cents"]!.GetValue<long>());
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
    }

    [Fact]
    public async Task An_automatic_refund_stripe_refuses_is_recorded_failed_once_and_someone_is_told()
    {
        // Nobody waits on a cancellation's refund: asked again it gets the same no, and dead-lettered it tells nobody.
        var (paymentId, refundId) = await AutomaticRefundStripeFailsAsync(400, "Charge ch_x has been charged back.");
        await Eventually.TrueAsync(
            async () => await fx.OutboxCountAsync("PaymentRefundFailed", paymentId) == 1,
            "nobody was told that Stripe refused an automatic refund"
        );
        Assert.Equal(
            "failed",
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Single(fx.Stripe.WithKey("refund-" + refundId));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task An_automatic_refund_stripe_answers_401_is_asked_again_not_failed()
    {
        // Our key refused (rotated, revoked): the operator's to mend, not the payer's to be told of.
        var (paymentId, refundId) = await AutomaticRefundStripeFailsAsync(401, "Invalid API Key provided.");
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
                == "succeeded",
            "a refund Stripe answered 401 was not asked again"
        );
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        Assert.Equal(2, fx.Stripe.WithKey("refund-" + refundId).Count);
    }

    [Fact]
    public async Task A_payment_without_a_payment_intent_cannot_be_refunded_by_api_422()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(sessionId, paymentId, paymentIntent: null)
            )
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        var before = fx.Stripe.Received.Count;

        var problem = await (
            await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 500, "refund-test-3")
        ).AssertProblem(422);

        Assert.Contains("payment intent", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, fx.Stripe.Received.Count);
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    [Theory]
    [InlineData(30, "month", "1")]
    [InlineData(7, "day", "7")]
    public async Task Subscription_checkouts_ask_for_a_recurring_price_and_put_our_ids_on_the_subscription(
        int days,
        string interval,
        string count
    )
    {
        var paymentId = Guid.NewGuid();
        using var scope = fx.Host.Services.CreateScope();
        var provider = Assert.IsType<StripeProvider>(scope.ServiceProvider.GetRequiredService<IPaymentProvider>());

        var session = await provider.CreateCheckoutSessionAsync(
            new CheckoutSessionRequest(
                paymentId,
                "subscription",
                "Premium membership",
                999,
                "EUR",
                "card",
                "https://app.example/ok",
                "https://app.example/no",
                fx.Clock.GetUtcNow() + TimeSpan.FromHours(2),
                new Dictionary<string, string>
                {
                    ["payment_id"] = paymentId.ToString(),
                    ["purpose"] = "subscription",
                    ["product"] = "premium",
                },
                days
            ),
            CancellationToken.None
        );

        var call = Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));
        Assert.Equal("subscription", call.Field("mode"));
        Assert.Equal(interval, call.Field("line_items[0][price_data][recurring][interval]"));
        Assert.Equal(count, call.Field("line_items[0][price_data][recurring][interval_count]"));
        Assert.Equal("999", call.Field("line_items[0][price_data][unit_amount]"));
        Assert.Equal(paymentId.ToString(), call.Field("subscription_data[metadata][payment_id]"));
        Assert.Equal("premium", call.Field("subscription_data[metadata][product]"));
        Assert.Equal("premium", call.Field("metadata[product]"));
        Assert.DoesNotContain(call.Form.Keys, k => k.StartsWith("payment_intent_data"));
        // Two hours fits Stripe's window: asked for as it is.
        var wanted = (fx.Clock.GetUtcNow() + TimeSpan.FromHours(2)).ToUnixTimeSeconds();
        Assert.InRange(long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture), wanted - 5, wanted);
        Assert.Equal(
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(call.Field("expires_at")!, CultureInfo.InvariantCulture)),
            session.ExpiresAt
        );
    }

    [Fact]
    public async Task Cancelling_a_subscription_sets_cancel_at_period_end_under_a_key_of_its_own_each_time()
    {
        using var scope = fx.Host.Services.CreateScope();
        var provider = scope.ServiceProvider.GetRequiredService<IPaymentProvider>();
        var subscriptionId = "sub_" + Guid.NewGuid().ToString("N");

        await provider.CancelSubscriptionAtPeriodEndAsync(subscriptionId, CancellationToken.None);
        // Asked again (the cancellation undone from the dashboard meanwhile): a new key, or Stripe would replay the
        // first answer and change nothing.
        await provider.CancelSubscriptionAtPeriodEndAsync(subscriptionId, CancellationToken.None);

        var calls = fx.Stripe.Received.Where(r => r.Path == "/v1/subscriptions/" + subscriptionId).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(
            calls,
            call =>
            {
                Assert.Equal("POST", call.Method);
                Assert.StartsWith("cancel-" + subscriptionId + "-", call.IdempotencyKey);
                Assert.Equal("true", call.Field("cancel_at_period_end"));
                Assert.Equal("Bearer " + FakeStripe.SecretKey, call.Header("Authorization"));
            }
        );
        Assert.NotEqual(calls[0].IdempotencyKey, calls[1].IdempotencyKey);
    }

    /// <summary>
    /// A member who cancelled and buys the same tier again before the paid period ends changes their mind: the same
    /// subscription renews again at Stripe; a new one would charge a whole period now for days already paid.
    /// </summary>
    [Fact]
    public async Task Buying_a_cancelled_tier_again_while_its_period_runs_resumes_it_at_stripe_and_charges_nothing()
    {
        var (userId, token) = fx.User();
        var (_, subscriptionId) = await SubscribeAsync(token);
        var cancelled = await (
            await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)
        ).AssertStatus(200);
        var periodEnd = cancelled["current_period_end"]!.GetValue<DateTimeOffset>();
        fx.Clock.Advance(TimeSpan.FromDays(1));
        token = fx.TokenFor(userId);
        var sessions = fx.Stripe.Received.Count(r => r.Path == "/v1/checkout/sessions");

        var resumed = await (await fx.StartSubscriptionCheckoutAsync(token)).AssertStatus(200);

        Assert.Null(resumed["checkout_url"]);
        Assert.Equal("premium", resumed["tier"]!.GetValue<string>());
        Assert.Equal("active", resumed["status"]!.GetValue<string>());
        Assert.False(resumed["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal(periodEnd, resumed["current_period_end"]!.GetValue<DateTimeOffset>());
        var resume = Assert.Single(fx.Stripe.Received, r => IsResumption(r, subscriptionId));
        Assert.Equal("POST", resume.Method);
        Assert.StartsWith("resume-" + subscriptionId + "-", resume.IdempotencyKey);
        Assert.Equal(sessions, fx.Stripe.Received.Count(r => r.Path == "/v1/checkout/sessions"));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));
        Assert.False((await SubscriptionAsync(token))["cancel_at_period_end"]!.GetValue<bool>());
        // Renewing again, it is the running subscription buying it again always met.
        await (await fx.StartSubscriptionCheckoutAsync(token)).AssertProblem(409);
    }

    [Fact]
    public async Task A_dearer_tier_bought_while_a_cancelled_one_runs_is_a_checkout_not_a_resumption()
    {
        var (userId, token) = fx.User();
        var (_, subscriptionId) = await SubscribeAsync(token);
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        token = fx.TokenFor(userId);

        var checkout = await (
            await fx.Client.PostJson(
                "/api/v1/subscriptions/checkout",
                new
                {
                    tier = "elite",
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                token
            )
        ).AssertStatus(200);

        Assert.NotNull(checkout["checkout_url"]);
        Assert.DoesNotContain(fx.Stripe.Received, r => IsResumption(r, subscriptionId));
        Assert.True((await SubscriptionAsync(token))["cancel_at_period_end"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_resumption_stripe_refuses_is_a_502_that_changes_nothing_and_asking_again_resumes()
    {
        var (userId, token) = fx.User();
        var (_, subscriptionId) = await SubscribeAsync(token);
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        var sessions = fx.Stripe.Received.Count(r => r.Path == "/v1/checkout/sessions");
        fx.Stripe.FailNext("/v1/subscriptions/" + subscriptionId, 400, "Try again later.");

        var problem = await (await fx.StartSubscriptionCheckoutAsync(token)).AssertProblem(502);

        Assert.DoesNotContain(FakeStripe.SecretKey, problem.ToJsonString());
        Assert.True((await SubscriptionAsync(token))["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Equal(sessions, fx.Stripe.Received.Count(r => r.Path == "/v1/checkout/sessions"));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId)));

        var resumed = await (await fx.StartSubscriptionCheckoutAsync(token)).AssertStatus(200);
        Assert.False(resumed["cancel_at_period_end"]!.GetValue<bool>());
        // Each attempt under a key of its own, as a cancellation's.
        var attempts = fx.Stripe.Received.Where(r => IsResumption(r, subscriptionId)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.NotEqual(attempts[0].IdempotencyKey, attempts[1].IdempotencyKey);
    }

    [Fact]
    public async Task A_subscription_is_refunded_through_its_first_invoices_intent_and_then_ends_at_stripe_too()
    {
        var (userId, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        var admin = fx.User("admin").Token;

        // Before the first invoice is reported there is no intent to refund by: refused, nothing asked of Stripe.
        await (await fx.RefundAsync(paymentId, admin, null, "sub-refund-early")).AssertProblem(422);
        Assert.DoesNotContain(
            fx.Stripe.Received,
            r => r.Path == "/v1/refunds" && r.Field("metadata[payment_id]") == paymentId.ToString()
        );

        // The first invoice names the intent (found by the subscription's metadata); a renewal's intent is not the
        // payment's.
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "invoice.paid",
                Invoice(subscriptionId, "pi_first_" + paymentId.ToString("N"), "subscription_create", paymentId)
            )
        );
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "invoice.paid",
                Invoice(subscriptionId, "pi_renewal_" + paymentId.ToString("N"), "subscription_cycle", null)
            )
        );

        var refund = await (await fx.RefundAsync(paymentId, admin, null, "sub-refund")).AssertStatus(201);
        var call = Assert.Single(fx.Stripe.WithKey("refund-" + refund["id"]!.GetValue<string>()));
        Assert.Equal("pi_first_" + paymentId.ToString("N"), call.Field("payment_intent"));
        Assert.Equal("999", call.Field("amount"));

        // Refunded in full: the subscription ends now, and Stripe is told to stop it (DELETE, no key).
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "free",
            "the refunded subscription kept its tier"
        );
        Assert.Equal("canceled", (await SubscriptionAsync(token))["status"]!.GetValue<string>());
        var cancel = Assert.Single(fx.Stripe.Received, r => IsCancellation(r, subscriptionId));
        Assert.Null(cancel.IdempotencyKey);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                    + "payload->>'userId' = @u AND payload->>'tier' = 'free'",
                ("u", userId.ToString())
            )
        );
    }

    [Fact]
    public async Task A_subscription_refunded_in_full_ends_at_once_while_stripe_refuses_to_stop_it()
    {
        var (_, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "invoice.paid",
                Invoice(subscriptionId, "pi_first_" + paymentId.ToString("N"), "subscription_create", paymentId)
            )
        );
        // Stripe refuses every stop the message asks (one call each: a 400 is not retried by the HTTP handler).
        const int messageAttempts = 6;
        fx.Stripe.FailNext("/v1/subscriptions/" + subscriptionId, 400, "Try again later.", messageAttempts);

        var admin = fx.User("admin").Token;
        await (await fx.RefundAsync(paymentId, admin, null, "sub-refund-stop-refused")).AssertStatus(201);

        // The member has their money back: the plan ends now, here, while the stop at Stripe waits to be asked again.
        await Eventually.TrueAsync(
            async () => await TierAndStatusAsync(token) == "free|canceled",
            "the refunded subscription lasted while Stripe refused to stop it"
        );
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Stripe.Received.Count(r => IsCancellation(r, subscriptionId)) == messageAttempts),
            "the message never gave up"
        );
        Assert.Equal(
            "free|canceled|False",
            await TierAndStatusAsync(token)
                + "|"
                + await fx.ScalarAsync<bool>(
                    "SELECT done_at IS NOT NULL FROM subscription_cancellations WHERE provider_subscription_id = @s",
                    ("s", subscriptionId)
                )
        );
    }

    [Fact]
    public async Task A_first_invoice_without_payments_is_refunded_through_the_intent_stripe_lists_for_it()
    {
        var (_, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        var admin = fx.User("admin").Token;
        var invoiceId = "in_" + Guid.NewGuid().ToString("N");
        var intent = "pi_listed_" + paymentId.ToString("N");
        fx.Stripe.PaysInvoice(invoiceId, intent);
        // What a webhook carries: no payments (an includable field), so the intent must be asked of Stripe.
        var paid = StripePaymentsFixture.Event(
            "invoice.paid",
            InvoiceAsWebhooksSendIt(invoiceId, subscriptionId, "subscription_create", paymentId)
        );

        // Stripe down while asked (every retry too): a 503 that records nothing, so Stripe delivers the event again.
        fx.Stripe.FailNext("/v1/invoice_payments", 503, "Service unavailable", times: 4);
        await (await fx.DeliverAsync(paid)).AssertProblem(503);
        Assert.Equal(0L, await fx.WebhookEventsAsync(paid.EventId));

        Assert.False(await fx.AcceptedAsync(paid));
        var listed = fx.Stripe.Received.Last(r => r.Path == "/v1/invoice_payments");
        Assert.Equal("GET", listed.Method);
        Assert.Equal(invoiceId, listed.Field("invoice"));
        Assert.Equal("paid", listed.Field("status"));
        Assert.Null(listed.IdempotencyKey);

        var refund = await (await fx.RefundAsync(paymentId, admin, null, "sub-refund-listed")).AssertStatus(201);
        var call = Assert.Single(fx.Stripe.WithKey("refund-" + refund["id"]!.GetValue<string>()));
        Assert.Equal(intent, call.Field("payment_intent"));
        Assert.Equal("999", call.Field("amount"));
    }

    [Fact]
    public async Task Deleting_the_account_cancels_its_stripe_subscription_now_and_ends_its_open_checkouts_once()
    {
        var (userId, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        var registration = await fx.SeatHeldAsync(userId, 2500);
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);
        var open = Guid.Parse(checkout["payment_id"]!.GetValue<string>());

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId);
        await fx.DeliverAsync(deleted);

        // Stripe stops charging now (DELETE), not at the period end, and the rows end with it.
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Stripe.Received.Any(r => IsCancellation(r, subscriptionId))),
            "Stripe was never told to end the deleted account's subscription"
        );
        Assert.Empty(fx.Stripe.PeriodEndCancellations(subscriptionId));
        Assert.Equal(
            "canceled|free|false",
            await fx.ScalarAsync<string>(
                "SELECT status || '|' || tier || '|' || cancel_at_period_end FROM subscriptions WHERE user_id = @u",
                ("u", userId)
            )
        );
        Assert.Equal(
            "free|none",
            await fx.ScalarAsync<string>(
                "SELECT tier || '|' || source FROM memberships WHERE user_id = @u",
                ("u", userId)
            )
        );
        Assert.Equal("expired", await fx.StatusOfAsync(open));
        // The money records stay; nothing is published, as every service erases the user on the same UserDeleted.
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", open));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionChanged,%' AND "
                    + "payload->>'userId' = @u AND payload->>'tier' = 'free'",
                ("u", userId.ToString())
            )
        );

        // Delivered again, or announced again under another id: nothing more is asked of Stripe.
        await fx.PublishAsync(deleted);
        await fx.ConsumedAsync(deleted.MessageId, "UserDeletedConsumer", 2);
        await fx.DeliverAsync(deleted with { MessageId = Guid.NewGuid() });
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SubscriptionCancellationRequested,%' AND "
                    + "payload->>'providerSubscriptionId' = @s",
                ("s", subscriptionId)
            )
        );
        Assert.Single(fx.Stripe.Received, r => IsCancellation(r, subscriptionId));
    }

    [Fact]
    public async Task A_subscription_stop_stripe_refuses_past_the_messages_retries_is_asked_again_until_done()
    {
        var (userId, token) = fx.User();
        var (_, subscriptionId) = await SubscribeAsync(token);
        // Stripe refuses every attempt the message makes (one call each: a 400 is not retried by the HTTP handler).
        const int messageAttempts = 6;
        fx.Stripe.FailNext("/v1/subscriptions/" + subscriptionId, 400, "Try again later.", messageAttempts + 1);
        int Asked() => fx.Stripe.Received.Count(r => IsCancellation(r, subscriptionId));

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));
        await Eventually.TrueAsync(() => Task.FromResult(Asked() == messageAttempts), "the message never gave up");
        Task<string?> Request() =>
            fx.ScalarAsync<string>(
                "SELECT attempts || '|' || (done_at IS NOT NULL) FROM subscription_cancellations "
                    + "WHERE provider_subscription_id = @s",
                ("s", subscriptionId)
            );
        Assert.Equal("0|false", await Request());

        // Not before the message has had its chance; then once, refused again: asked again after two minutes. (The
        // service's own sweep may take a turn meanwhile; each attempt is claimed, so the calls counted are the same.)
        var recovery = fx.Host.Services.GetRequiredService<SubscriptionCancellationRecovery>();
        await recovery.ResumeDueAsync(CancellationToken.None);
        Assert.Equal(messageAttempts, Asked());
        fx.Clock.Advance(ProviderRequests.StaleAfter);
        await recovery.ResumeDueAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => await Request() == "1|false", "the first later attempt never ended");
        await recovery.ResumeDueAsync(CancellationToken.None);
        Assert.Equal(messageAttempts + 1, Asked());

        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        await recovery.ResumeDueAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => await Request() == "1|true", "never stopped at Stripe");
        Assert.Equal(messageAttempts + 2, Asked());
        // Done: never asked again.
        fx.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await recovery.ResumeDueAsync(CancellationToken.None));
        Assert.Equal(messageAttempts + 2, Asked());
    }

    [Fact]
    public async Task A_subscription_refunded_before_it_was_delivered_is_stopped_at_stripe_all_the_same()
    {
        var (userId, _) = fx.User();
        var paymentId = Guid.NewGuid();
        var subscriptionId = "sub_" + paymentId.ToString("N");
        var now = fx.Clock.GetUtcNow();
        // Paid, its subscription started at Stripe, and refunded in full before its PaymentSucceeded was handled.
        await fx.ExecuteAsync(
            """
            INSERT INTO payments (id, user_id, purpose, reference_id, product, amount_cents, currency, status, provider,
                payment_method, success_url, cancel_url, refunded_cents, expires_at, created_at, updated_at,
                succeeded_at, provider_subscription_id)
            VALUES (@p, @u, 'subscription', @p, 'premium', 999, 'EUR', 'refunded', 'stripe', 'card', 'https://x/s',
                'https://x/c', 999, @now, @now, @now, @now, @s)
            """,
            ("p", paymentId),
            ("u", userId),
            ("now", now),
            ("s", subscriptionId)
        );
        await fx.DeliverAsync(
            new PaymentRefunded(Guid.NewGuid(), now, paymentId, userId, paymentId, 999, 999, "EUR"),
            nameof(SubscriptionRefundedConsumer)
        );

        // Stripe stops it now, and the request is done.
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>(
                    "SELECT at_period_end || '|' || (done_at IS NOT NULL) FROM subscription_cancellations "
                        + "WHERE provider_subscription_id = @s",
                    ("s", subscriptionId)
                ) == "false|true",
            "the refunded subscription was never stopped"
        );
        Assert.Single(fx.Stripe.Received, r => IsCancellation(r, subscriptionId));
        // Its delivery, handled late, starts nothing.
        await fx.DeliverAsync(
            new PaymentSucceeded(Guid.NewGuid(), now, paymentId, userId, "subscription", paymentId, 999, "EUR"),
            nameof(SubscriptionPaymentConsumer)
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE user_id = @u", ("u", userId))
        );
    }

    [Fact]
    public async Task A_chargeback_of_a_renewal_ends_the_subscription_here_and_at_stripe_and_a_refund_of_one_does_not()
    {
        var (_, token) = fx.User();
        var (_, subscriptionId) = await SubscribeAsync(token);

        // A renewal refunded from Stripe's dashboard: the member keeps their plan.
        var refunded = NewRenewal(subscriptionId);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "charge.refunded",
                new
                {
                    id = "ch_" + Guid.NewGuid().ToString("N"),
                    @object = "charge",
                    amount = 999,
                    amount_refunded = 999,
                    refunded = true,
                    currency = "eur",
                    payment_intent = refunded,
                    metadata = new { },
                }
            )
        );
        Assert.Equal("premium|active", await TierAndStatusAsync(token));
        Assert.DoesNotContain(fx.Stripe.Received, r => IsCancellation(r, subscriptionId));

        // A renewal the member disputed at their bank: the plan ends now, and Stripe bills it no more.
        var withdrawn = StripePaymentsFixture.Event(
            "charge.dispute.funds_withdrawn",
            RenewalDispute(NewRenewal(subscriptionId))
        );
        await fx.AcceptedAsync(withdrawn);
        Assert.Equal("free|canceled", await TierAndStatusAsync(token));
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Stripe.Received.Any(r => IsCancellation(r, subscriptionId))),
            "Stripe was never told to stop the disputed subscription"
        );
        // The same dispute again (another event of it) ends nothing more.
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event("charge.dispute.funds_withdrawn", RenewalDispute(NewRenewal(subscriptionId)))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM subscription_cancellations WHERE provider_subscription_id = @s",
                ("s", subscriptionId)
            )
        );
    }

    [Fact]
    public async Task A_chargeback_of_the_first_invoice_before_its_intent_was_known_takes_the_subscription_back()
    {
        var (_, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        // invoice.paid has not told its intent yet (Stripe retries it later): the dispute finds the payment anyway.
        var intent = "pi_first_" + Guid.NewGuid().ToString("N");
        fx.Stripe.BillsInvoice(intent, "in_" + Guid.NewGuid().ToString("N"), subscriptionId, "subscription_create");
        await fx.AcceptedAsync(StripePaymentsFixture.Event("charge.dispute.funds_withdrawn", RenewalDispute(intent)));

        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        await Eventually.TrueAsync(
            async () => await TierAndStatusAsync(token) == "free|canceled",
            "the charged-back subscription kept its tier"
        );
    }

    [Fact]
    public async Task A_chargeback_of_the_first_invoice_after_renewals_ends_the_subscription_here_and_at_stripe()
    {
        var (userId, token) = fx.User();
        var (paymentId, subscriptionId) = await SubscribeAsync(token);
        // Renewed since (as SubscriptionWebhookHandler writes it): a refund of the first payment would leave it be.
        await fx.ExecuteAsync(
            "UPDATE subscriptions SET current_period_end = current_period_end + interval '30 days' WHERE user_id = @u",
            ("u", userId)
        );
        // The member disputes the first charge at their bank, weeks later: the money is taken back, and the plan ends.
        var intent = "pi_first_" + Guid.NewGuid().ToString("N");
        fx.Stripe.BillsInvoice(intent, "in_" + Guid.NewGuid().ToString("N"), subscriptionId, "subscription_create");
        await fx.AcceptedAsync(StripePaymentsFixture.Event("charge.dispute.funds_withdrawn", RenewalDispute(intent)));

        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal("free|canceled", await TierAndStatusAsync(token));
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Stripe.Received.Any(r => IsCancellation(r, subscriptionId))),
            "Stripe was never told to stop the disputed subscription"
        );
    }

    [Fact]
    public async Task A_chargeback_of_the_first_invoice_before_its_checkout_completed_finds_the_payment_by_its_id()
    {
        var (_, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        // Neither checkout.session.completed nor invoice.paid handled yet: only the subscription's metadata names it.
        var intent = "pi_first_" + Guid.NewGuid().ToString("N");
        var subscriptionId = "sub_" + Guid.NewGuid().ToString("N");
        fx.Stripe.BillsInvoice(
            intent,
            "in_" + Guid.NewGuid().ToString("N"),
            subscriptionId,
            "subscription_create",
            paymentId
        );
        await fx.AcceptedAsync(StripePaymentsFixture.Event("charge.dispute.funds_withdrawn", RenewalDispute(intent)));

        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        // The subscription it started at Stripe is stopped, though it never started here.
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Stripe.Received.Any(r => IsCancellation(r, subscriptionId))),
            "Stripe was never told to stop the charged-back subscription"
        );
    }

    private string NewRenewal(string subscriptionId)
    {
        var intent = "pi_renewal_" + Guid.NewGuid().ToString("N");
        fx.Stripe.BillsInvoice(intent, "in_" + Guid.NewGuid().ToString("N"), subscriptionId, "subscription_cycle");
        return intent;
    }

    /// <summary>A dispute of a subscription invoice's charge: nothing of ours on it, only the intent.</summary>
    private static object RenewalDispute(string intent) =>
        new
        {
            id = "dp_" + Guid.NewGuid().ToString("N"),
            @object = "dispute",
            amount = 999,
            currency = "eur",
            charge = "ch_" + Guid.NewGuid().ToString("N"),
            payment_intent = intent,
            reason = "fraudulent",
            status = "needs_response",
            is_charge_refundable = false,
            metadata = new { },
        };

    private async Task<string> TierAndStatusAsync(string token)
    {
        var me = await SubscriptionAsync(token);
        return $"{me["tier"]}|{me["status"]}";
    }

    [Fact]
    public async Task A_checkout_paid_after_the_account_was_deleted_is_refunded_not_delivered()
    {
        var (userId, token) = fx.User();
        var checkout = await (
            await fx.Client.PostJson(
                "/api/v1/boosts/checkout",
                new
                {
                    days = 7,
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                token
            )
        ).AssertStatus(200);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));
        Assert.Equal("expired", await fx.StatusOfAsync(paymentId));

        // The page was still open at Stripe and the buyer paid: the payment settles, and the money goes back.
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(checkout["session_id"]!.GetValue<string>(), paymentId)
            )
        );
        await Eventually.TrueAsync(
            async () => await fx.StatusOfAsync(paymentId) == "refunded",
            "the payment of a deleted account was not refunded"
        );
        var refund = Assert.Single(
            fx.Stripe.Received,
            r => r.Path == "/v1/refunds" && r.Field("metadata[payment_id]") == paymentId.ToString()
        );
        Assert.Equal(StripePaymentsFixture.IntentOf(paymentId), refund.Field("payment_intent"));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM boost_grants WHERE payment_id = @p", ("p", paymentId))
        );
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM boosts WHERE user_id = @u", ("u", userId)));
    }

    /// <summary>
    /// The buyer paid in the checkout's last moments and its webhook is late (our endpoint was down; Stripe retries):
    /// asking again once the checkout's end has passed here opens no second checkout to be charged twice, but answers
    /// that the first is being confirmed, until its webhook settles it.
    /// </summary>
    [Fact]
    public async Task A_checkout_paid_at_its_end_whose_webhook_is_late_is_not_opened_again_beside_it()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var sessionId = checkout["session_id"]!.GetValue<string>();
        fx.Stripe.CompletedAtStripe(sessionId);
        fx.Clock.Advance(TimeSpan.FromHours(25));
        token = fx.TokenFor(userId);

        var again = await (await fx.StartSubscriptionCheckoutAsync(token)).AssertProblem(409);
        Assert.Equal(paymentId.ToString(), again["paid_payment_id"]!.GetValue<string>());
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1L, await PaymentsOfAsync(userId));
        Assert.Empty(fx.Stripe.WithKey("expire-" + paymentId));

        // The webhook comes: the one purchase is delivered, and the next checkout is a new purchase.
        await fx.AcceptedAsync(StripePaymentsFixture.SubscriptionCheckoutCompleted(checkout));
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "premium",
            "the late webhook delivered nothing"
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    /// <summary>
    /// A checkout past its end here is expired at Stripe before another is opened (Stripe may leave it open a while
    /// past its expires_at, to be paid beside the new one). While Stripe cannot say how it ended, nothing is opened.
    /// </summary>
    [Fact]
    public async Task A_checkout_past_its_end_is_expired_at_stripe_before_another_is_opened()
    {
        var (userId, token) = fx.User();
        var first = await fx.SubscriptionCheckoutAsync(token);
        var firstId = Guid.Parse(first["payment_id"]!.GetValue<string>());
        var sessionPath = "/v1/checkout/sessions/" + first["session_id"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromHours(25));
        token = fx.TokenFor(userId);

        fx.Stripe.FailNext(sessionPath, 500, times: 10);
        await (await fx.StartSubscriptionCheckoutAsync(token)).AssertProblem(502);
        Assert.Equal("pending", await fx.StatusOfAsync(firstId));
        Assert.Equal(1L, await PaymentsOfAsync(userId));
        fx.Stripe.StopFailing(sessionPath);

        var second = await fx.SubscriptionCheckoutAsync(token);
        Assert.NotEqual(firstId.ToString(), second["payment_id"]!.GetValue<string>());
        var expiry = Assert.Single(fx.Stripe.WithKey("expire-" + firstId));
        Assert.Equal(sessionPath + "/expire", expiry.Path);
        Assert.Equal("expired", await fx.StatusOfAsync(firstId));
        Assert.Equal("pending", await fx.StatusOfAsync(Guid.Parse(second["payment_id"]!.GetValue<string>())));
    }

    /// <summary>
    /// A checkout Stripe does not know (opened with other keys: test ones before the live ones) may still be paid at
    /// the account it was opened at until its end: replaced before then, the purchase answers 502 and the payment stays
    /// pending (a second checkout beside it could charge twice); past that end it counts as ended unpaid and the next
    /// checkout opens, rather than a 502 for that purchase for ever, with no warning (nothing an operator must mend).
    /// </summary>
    [Fact]
    public async Task A_checkout_stripe_does_not_know_ends_unpaid_once_past_the_end_it_was_opened_with()
    {
        var (userId, token) = fx.User();
        var premium = await fx.SubscriptionCheckoutAsync(token);
        var premiumId = Guid.Parse(premium["payment_id"]!.GetValue<string>());
        fx.Stripe.OpenedWithOtherKeys(premium["session_id"]!.GetValue<string>());

        await (await StartEliteCheckoutRequestAsync(token)).AssertProblem(502);
        Assert.Equal("pending", await fx.StatusOfAsync(premiumId));

        fx.Clock.Advance(TimeSpan.FromHours(25));
        token = fx.TokenFor(userId);
        var elite = await StartEliteCheckoutAsync(token);
        var eliteId = Guid.Parse(elite["payment_id"]!.GetValue<string>());
        Assert.Equal("expired", await fx.StatusOfAsync(premiumId));

        fx.Stripe.OpenedWithOtherKeys(elite["session_id"]!.GetValue<string>());
        fx.Clock.Advance(TimeSpan.FromHours(25));
        token = fx.TokenFor(userId);
        var again = await StartEliteCheckoutAsync(token);

        Assert.NotEqual(eliteId.ToString(), again["payment_id"]!.GetValue<string>());
        Assert.Equal("expired", await fx.StatusOfAsync(eliteId));
        Assert.Empty(fx.Stripe.WithKey("expire-" + premiumId));
        Assert.Empty(fx.Stripe.WithKey("expire-" + eliteId));
        Assert.DoesNotContain(fx.Logs.AtLeast(LogLevel.Warning), w => w.Message.Contains(eliteId.ToString()));
    }

    /// <summary>
    /// Stripe opened the checkout but its answer was lost, and the buyer asks again when the hold's end is nearer than
    /// Stripe's minimum lifetime: the expires_at first asked is asked again (one fitted to the clock now would be
    /// another, and Stripe refuses a key reused with other parameters), so Stripe answers with the session it opened.
    /// </summary>
    [Fact]
    public async Task A_checkout_whose_answer_was_lost_asks_the_same_expiry_again_half_an_hour_later()
    {
        var (userId, token) = fx.User();
        var registration = await fx.SeatHeldAsync(userId, 3100, holdFor: TimeSpan.FromMinutes(45));
        fx.Stripe.LoseAnswers("/v1/checkout/sessions");
        try
        {
            await (await fx.StartCheckoutAsync(token, "event_registration", registration)).AssertProblem(502);
        }
        finally
        {
            fx.Stripe.StopLosing("/v1/checkout/sessions");
        }
        var paymentId = await fx.ScalarAsync<Guid>(
            "SELECT id FROM payments WHERE reference_id = @r",
            ("r", registration)
        );

        fx.Clock.Advance(TimeSpan.FromMinutes(32));
        token = fx.TokenFor(userId);
        var checkout = await fx.CheckoutAsync(token, "event_registration", registration);

        Assert.Equal(paymentId.ToString(), checkout["payment_id"]!.GetValue<string>());
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        var calls = fx.Stripe.WithKey("checkout-" + paymentId);
        Assert.True(calls.Count >= 2);
        Assert.All(calls, c => Assert.Equal(calls[0].Canonical, c.Canonical));
        // The hold's end, as first asked: 13 minutes away now, which only the session opened then may keep.
        Assert.Equal(
            await fx.ScalarAsync<long>(
                "SELECT floor(extract(epoch FROM expires_at))::bigint FROM sellable_items WHERE reference_id = @r",
                ("r", registration)
            ),
            long.Parse(calls[^1].Field("expires_at")!, CultureInfo.InvariantCulture)
        );
    }

    private async Task<JsonNode> StartEliteCheckoutAsync(string token) =>
        await (await StartEliteCheckoutRequestAsync(token)).AssertStatus(200);

    private Task<HttpResponseMessage> StartEliteCheckoutRequestAsync(string token) =>
        fx.Client.PostJson(
            "/api/v1/subscriptions/checkout",
            new
            {
                tier = "elite",
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );

    private Task<long> PaymentsOfAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE user_id = @u", ("u", userId));

    /// <summary>A premium subscription bought through Stripe's checkout: its payment and Stripe's id of it.</summary>
    private async Task<(Guid PaymentId, string SubscriptionId)> SubscribeAsync(string token)
    {
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var subscriptionId = "sub_" + paymentId.ToString("N");
        await fx.AcceptedAsync(StripePaymentsFixture.SubscriptionCheckoutCompleted(checkout));
        await Eventually.TrueAsync(
            async () => (await SubscriptionAsync(token))["tier"]!.GetValue<string>() == "premium",
            "never premium"
        );
        return (paymentId, subscriptionId);
    }

    /// <summary>Stripe told to renew <paramref name="subscriptionId"/> again after all.</summary>
    private static bool IsResumption(StripeRequest request, string subscriptionId) =>
        request.Path == "/v1/subscriptions/" + subscriptionId && request.Field("cancel_at_period_end") == "false";

    /// <summary>Stripe told to end <paramref name="subscriptionId"/> now.</summary>
    private static bool IsCancellation(StripeRequest request, string subscriptionId) =>
        request.Method == "DELETE" && request.Path == "/v1/subscriptions/" + subscriptionId;

    /// <summary>
    /// An invoice as API version endive sends it: subscription and its metadata under parent, the intent under
    /// payments (as Stripe includes them when asked).
    /// </summary>
    private static object Invoice(string subscriptionId, string paymentIntent, string billingReason, Guid? paymentId)
    {
        var invoice = InvoiceAsWebhooksSendIt(
            "in_" + Guid.NewGuid().ToString("N"),
            subscriptionId,
            billingReason,
            paymentId
        );
        invoice["payments"] = new
        {
            @object = "list",
            data = new[]
            {
                new
                {
                    @object = "invoice_payment",
                    is_default = true,
                    status = "paid",
                    payment = new { type = "payment_intent", payment_intent = paymentIntent },
                },
            },
        };
        return invoice;
    }

    /// <summary>An invoice as a webhook carries it: without payments, which Stripe includes only when asked.</summary>
    private static Dictionary<string, object> InvoiceAsWebhooksSendIt(
        string invoiceId,
        string subscriptionId,
        string billingReason,
        Guid? paymentId
    ) =>
        new()
        {
            ["id"] = invoiceId,
            ["object"] = "invoice",
            ["status"] = "paid",
            ["billing_reason"] = billingReason,
            ["metadata"] = new { },
            ["parent"] = new
            {
                type = "subscription_details",
                subscription_details = new
                {
                    subscription = subscriptionId,
                    metadata = paymentId is null
                        ? new Dictionary<string, string>()
                        : new() { ["payment_id"] = paymentId.Value.ToString() },
                },
            },
        };

    private async Task<JsonNode> SubscriptionAsync(string token) =>
        await (await fx.Client.Get("/api/v1/subscriptions/me", token)).AssertStatus(200);

    [Fact]
    public void Session_expiry_stays_inside_stripes_window_and_does_not_move_with_the_clock()
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var hold = now + TimeSpan.FromMinutes(15);

        var first = StripeProvider.SessionExpiry(hold, now);
        Assert.InRange(first, now + StripeProvider.MinimumSessionLifetime, now + StripeProvider.MaximumSessionLifetime);
        Assert.Equal(first, StripeProvider.SessionExpiry(hold, now + TimeSpan.FromMinutes(14)));
        Assert.Equal(now + TimeSpan.FromHours(3), StripeProvider.SessionExpiry(now + TimeSpan.FromHours(3), now));
        Assert.InRange(
            StripeProvider.SessionExpiry(now + TimeSpan.FromDays(3), now),
            now + TimeSpan.FromHours(23),
            now + StripeProvider.MaximumSessionLifetime
        );
        Assert.InRange(
            StripeProvider.SessionExpiry(now - TimeSpan.FromHours(1), now),
            now + StripeProvider.MinimumSessionLifetime,
            now + TimeSpan.FromHours(1)
        );
    }

    private const string InProgress =
        "There is currently another in-progress request using this Stripe-Idempotency-Key.";

    /// <summary>
    /// A checkout of the held seat that Stripe answers with <paramref name="status"/>: our 502, which names no secret;
    /// the payment it wrote.
    /// </summary>
    private async Task<Guid> CheckoutStripeFailsAsync(
        string token,
        Guid registration,
        int status,
        string message,
        string method = "card"
    )
    {
        fx.Stripe.FailNext("/v1/checkout/sessions", status, message);
        var failed = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = "event_registration",
                reference_id = registration,
                payment_method = method,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
        var problem = await failed.AssertProblem(502);
        Assert.DoesNotContain(FakeStripe.SecretKey, problem.ToJsonString());
        return await fx.ScalarAsync<Guid>("SELECT id FROM payments WHERE reference_id = @r", ("r", registration));
    }

    /// <summary>
    /// A settled payment, and a cancellation's refund of it requested (PaymentRefundRequested) whose first call to
    /// Stripe is answered <paramref name="status"/>.
    /// </summary>
    private async Task<(Guid PaymentId, Guid RefundId)> AutomaticRefundStripeFailsAsync(int status, string message)
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(sessionId, paymentId)
            )
        );
        fx.Stripe.FailNext("/v1/refunds", status, message);
        var refundId = Guid.NewGuid();
        await fx.PublishAsync(
            new PaymentRefundRequested(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                refundId,
                paymentId,
                null,
                "event_cancelled",
                null
            )
        );
        return (paymentId, refundId);
    }
}
