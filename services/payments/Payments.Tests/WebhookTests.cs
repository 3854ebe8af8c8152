using System.Text;
using Community.Payments.Webhooks;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Community.Payments.Tests.StripePaymentsFixture;

namespace Community.Payments.Tests;

/// <summary>
/// Stripe's webhook with Stripe as the provider (secrets whsec_test_1 and, rotating in, whsec_test_2):
/// forgeries change nothing, and events may arrive in any order and any number of times.
/// </summary>
public sealed class WebhookTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    [Fact]
    public async Task A_signed_completed_session_settles_the_payment_once()
    {
        var (_, token, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));

        Assert.False(await fx.AcceptedAsync(completed));

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            IntentOf(paymentId),
            await fx.ScalarAsync<string>("SELECT payment_intent_id FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.WebhookEventsAsync(completed.EventId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        var payment = await (await fx.Client.Get($"/api/v1/payments/{paymentId}", token)).AssertStatus(200);
        Assert.Equal("succeeded", payment["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_completion_reported_late_says_the_payment_occurred_when_stripe_captured_it()
    {
        // Stripe retried its event for 40 minutes (this service was down): the ticket, the referral and the rest are
        // judged as of the payment, not as of its handling here.
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        var captured = DateTimeOffset.UtcNow.AddMinutes(-40);
        Assert.False(
            await fx.AcceptedAsync(
                Event("checkout.session.completed", Session(sessionId, paymentId), created: captured)
            )
        );

        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        var occurredAt = await fx.ScalarAsync<string>(
            "SELECT payload->>'occurredAt' FROM outbox_messages WHERE type LIKE '%.PaymentSucceeded,%' AND "
                + "payload->>'paymentId' = @id",
            ("id", paymentId.ToString())
        );
        Assert.Equal(captured.ToUnixTimeSeconds(), DateTimeOffset.Parse(occurredAt!).ToUnixTimeSeconds());
        // Kept as the payment's capture, which orders a member's purchases; recorded as paid now.
        Assert.Equal(
            captured.ToUnixTimeSeconds(),
            await fx.ScalarAsync<long>(
                "SELECT extract(epoch FROM captured_at)::bigint FROM payments WHERE id = @id",
                ("id", paymentId)
            )
        );
    }

    public enum Forgery
    {
        BadSignature,
        BodyChanged,
        WrongSecret,
        Stale,
        FromTheFuture,
        MissingHeader,
        GarbageHeader,
        NoTimestamp,
        EmptyHeader,
        SignatureOfAnotherBody,
    }

    [Theory]
    [InlineData(Forgery.BadSignature)]
    [InlineData(Forgery.BodyChanged)]
    [InlineData(Forgery.WrongSecret)]
    [InlineData(Forgery.Stale)]
    [InlineData(Forgery.FromTheFuture)]
    [InlineData(Forgery.MissingHeader)]
    [InlineData(Forgery.GarbageHeader)]
    [InlineData(Forgery.NoTimestamp)]
    [InlineData(Forgery.EmptyHeader)]
    [InlineData(Forgery.SignatureOfAnotherBody)]
    public async Task An_unverifiable_webhook_is_a_400_problem_and_changes_nothing(Forgery forgery)
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));
        var body = completed.Bytes;
        var now = fx.Clock.GetUtcNow();
        var genuine = fx.Sign(completed);
        string? signature;
        switch (forgery)
        {
            case Forgery.BadSignature:
                signature = genuine[..^4] + (genuine.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000");
                break;
            case Forgery.BodyChanged:
                signature = genuine;
                body = (byte[])body.Clone();
                var at = Encoding.UTF8.GetString(body).IndexOf("\"paid\"", StringComparison.Ordinal);
                body[at + 4] = (byte)'D';
                break;
            case Forgery.WrongSecret:
                signature = fx.Sign(completed, "whsec_someone_else");
                break;
            case Forgery.Stale:
                signature = fx.Sign(completed, at: now - TimeSpan.FromSeconds(301));
                break;
            case Forgery.FromTheFuture:
                signature = fx.Sign(completed, at: now + TimeSpan.FromSeconds(301));
                break;
            case Forgery.MissingHeader:
                signature = null;
                break;
            case Forgery.GarbageHeader:
                signature = "this is not a stripe signature";
                break;
            case Forgery.NoTimestamp:
                signature = genuine[genuine.IndexOf(',', StringComparison.Ordinal)..].TrimStart(',');
                break;
            case Forgery.EmptyHeader:
                signature = "";
                break;
            default:
                signature = fx.Sign(new WebhookBody("other", Encoding.UTF8.GetBytes("{}")));
                break;
        }

        var problem = await (await fx.DeliverAsync(body, signature)).AssertProblem(400);

        Assert.DoesNotContain(WebhookSecret, problem.ToJsonString());
        Assert.Equal(0, await fx.WebhookEventsAsync(completed.EventId));
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE payload->>'paymentId' = @id",
                ("id", paymentId.ToString())
            )
        );

        // The genuine delivery still works afterwards: nothing was burnt by the forgery.
        Assert.False(await fx.AcceptedAsync(completed));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    [Fact]
    public async Task The_second_secret_of_a_rotation_verifies_too()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));

        Assert.False(await fx.AcceptedAsync(completed, RotatedWebhookSecret));

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task A_header_carrying_signatures_by_both_secrets_verifies()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));
        var now = fx.Clock.GetUtcNow();
        var unknown = fx.Sign(completed, "whsec_retired", now);
        var current = fx.Sign(completed, RotatedWebhookSecret, now);

        // Stripe sends one v1 per active secret while an endpoint's secret rolls.
        await (
            await fx.DeliverAsync(
                completed.Bytes,
                unknown + "," + current[current.IndexOf("v1=", StringComparison.Ordinal)..]
            )
        ).AssertStatus(200);

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    [Fact]
    public async Task A_checkout_past_its_expiry_that_a_webhook_settles_meanwhile_stays_paid_and_is_not_sold_again()
    {
        var (_, token, _, paymentId, _) = await fx.OpenCheckoutAsync();
        var registration = await fx.ScalarAsync<Guid>(
            "SELECT reference_id FROM payments WHERE id = @id",
            ("id", paymentId)
        );
        await fx.ExecuteAsync(
            "UPDATE payments SET expires_at = @at WHERE id = @id",
            ("at", fx.Clock.GetUtcNow().AddMinutes(-1)),
            ("id", paymentId)
        );

        // The webhook holds the payment's row while it settles it; the buyer asks for a checkout again meanwhile.
        await using var webhook = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await webhook.OpenAsync();
        await using var settling = await webhook.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM payments WHERE id = @id FOR UPDATE", webhook))
        {
            lockRow.Parameters.AddWithValue("id", paymentId);
            await lockRow.ExecuteNonQueryAsync();
        }
        var again = fx.StartCheckoutAsync(token, "event_registration", registration);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock' AND query ILIKE '%UPDATE%payments%'"
                ) > 0,
            "the checkout never waited for the row"
        );
        await using (
            var settle = new NpgsqlCommand(
                "UPDATE payments SET status = 'succeeded', succeeded_at = @at, updated_at = @at WHERE id = @id",
                webhook
            )
        )
        {
            settle.Parameters.AddWithValue("at", fx.Clock.GetUtcNow());
            settle.Parameters.AddWithValue("id", paymentId);
            await settle.ExecuteNonQueryAsync();
        }
        await settling.CommitAsync();

        var refused = await (await again).AssertProblem(409);
        Assert.Equal(paymentId.ToString(), refused["paid_payment_id"]!.GetValue<string>());
        Assert.Equal(
            "succeeded",
            await fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", registration))
        );
    }

    [Fact]
    public async Task A_replayed_event_is_acknowledged_as_a_duplicate_and_settles_nothing_twice()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));

        Assert.False(await fx.AcceptedAsync(completed));
        Assert.True(await fx.AcceptedAsync(completed));
        // Re-signed later (Stripe's retries carry a new timestamp): still the same event.
        fx.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.True(await fx.AcceptedAsync(completed, RotatedWebhookSecret));

        Assert.Equal(1, await fx.WebhookEventsAsync(completed.EventId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task The_same_event_delivered_ten_times_at_once_settles_once()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var completed = Event("checkout.session.completed", Session(sessionId, paymentId));
        var signature = fx.Sign(completed);

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 10).Select(_ => fx.DeliverAsync(completed.Bytes, signature))
        );

        var duplicates = new List<bool>();
        foreach (var response in responses)
            duplicates.Add((await response.AssertStatus(200))["duplicate"]!.GetValue<bool>());
        Assert.Single(duplicates, d => !d);
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task Different_events_settling_the_same_payment_at_once_settle_it_once()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();
        var bodies = Enumerable
            .Range(0, 6)
            .Select(i =>
                i % 2 == 0
                    ? Event("checkout.session.completed", Session(sessionId, paymentId))
                    : Event("checkout.session.async_payment_succeeded", Session(sessionId, paymentId))
            )
            .ToList();

        var responses = await Task.WhenAll(bodies.Select(b => fx.DeliverAsync(b)));

        foreach (var response in responses)
            await response.AssertStatus(200);
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task An_expiry_arriving_after_the_completion_leaves_the_payment_settled()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));
        await fx.AcceptedAsync(
            Event("checkout.session.expired", Session(sessionId, paymentId, "unpaid", paymentIntent: null))
        );

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));
    }

    [Fact]
    public async Task A_declined_attempt_keeps_the_checkout_open_and_a_later_completion_settles_it()
    {
        var (_, token, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        await fx.AcceptedAsync(Declined(paymentId, "insufficient_funds"));

        // Stripe lets the buyer try another card in the same session: still pending, the decline shown, nothing
        // published.
        var payment = await (await fx.Client.Get($"/api/v1/payments/{paymentId}", token)).AssertStatus(200);
        Assert.Equal("pending", payment["status"]!.GetValue<string>());
        Assert.Equal("insufficient_funds", payment["failure_reason"]!.GetValue<string>());
        Assert.NotNull(payment["checkout_url"]);
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        // The buyer's one open checkout is still that session.
        var registration = await fx.ScalarAsync<Guid>(
            "SELECT reference_id FROM payments WHERE id = @id",
            ("id", paymentId)
        );
        Assert.Equal(
            sessionId,
            (await fx.CheckoutAsync(token, "event_registration", registration))["session_id"]!.GetValue<string>()
        );
        Assert.Single(fx.Stripe.WithKey("checkout-" + paymentId));

        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Null(
            await fx.ScalarAsync<string>("SELECT failure_reason FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task Declines_keep_only_the_last_reason_and_the_expiry_ends_the_checkout_with_one_PaymentFailed()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        await fx.AcceptedAsync(Declined(paymentId, "insufficient_funds"));
        await fx.AcceptedAsync(Declined(paymentId, "stolen_card"));
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            "stolen_card",
            await fx.ScalarAsync<string>("SELECT failure_reason FROM payments WHERE id = @id", ("id", paymentId))
        );

        await fx.AcceptedAsync(
            Event("checkout.session.expired", Session(sessionId, paymentId, "unpaid", paymentIntent: null))
        );
        await fx.AcceptedAsync(
            Event("checkout.session.expired", Session(sessionId, paymentId, "unpaid", paymentIntent: null))
        );
        // A decline delivered late changes nothing once the checkout has ended.
        await fx.AcceptedAsync(Declined(paymentId, "do_not_honor"));

        Assert.Equal("expired", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            "expired",
            await fx.ScalarAsync<string>("SELECT failure_reason FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task Refund_totals_record_only_what_is_new_however_often_they_arrive()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));

        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 1000)));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));

        var full = Event("charge.refunded", Charge(paymentId, 2500, 2500));
        Assert.False(await fx.AcceptedAsync(full));
        Assert.True(await fx.AcceptedAsync(full));
        // A stale total arriving late (another event id) takes nothing back.
        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 1000)));

        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            2500,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(new long[] { 1000, 1500 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    /// <summary>
    /// A refund total in another currency than the payment's is not comparable with what was paid (as a dispute's):
    /// counting it could take back too much or too little, so nothing is counted and an operator is warned.
    /// </summary>
    [Fact]
    public async Task A_refund_reported_in_another_currency_than_the_payments_counts_nothing()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);
        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));

        var report = Event("charge.refunded", Charge(paymentId, 2500, 2500, currency: "usd"));
        await fx.AcceptedAsync(report);

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Empty(await fx.RefundDeltasAsync(paymentId));
        Assert.Single(
            fx.Logs.Of(typeof(CheckoutWebhookHandler).FullName!, LogLevel.Warning),
            w => w.Message.Contains(report.EventId)
        );
    }

    [Fact]
    public async Task A_refund_reported_before_the_completion_settles_and_refunds_and_loses_nothing()
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500);

        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 1000)));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));

        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));

        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));
        // The intent is known either way, so the rest can still be refunded through Stripe.
        Assert.Equal(
            IntentOf(paymentId),
            await fx.ScalarAsync<string>("SELECT payment_intent_id FROM payments WHERE id = @id", ("id", paymentId))
        );
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{paymentId}/refunds")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { reason = "event moved" }, options: Json.Options),
        };
        request.Headers.Authorization = new("Bearer", fx.TokenFor(sellerId));
        var refund = await (await fx.Client.SendAsync(request)).AssertStatus(201);
        Assert.Equal(1500, refund["amount_cents"]!.GetValue<long>());
        Assert.Equal(
            IntentOf(paymentId),
            fx.Stripe.WithKey("refund-" + refund["id"]!.GetValue<string>()).Single().Field("payment_intent")
        );
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(new long[] { 1000, 1500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_delayed_method_settles_on_async_payment_succeeded()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500, "alipay");

        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId, "unpaid")));
        Assert.Equal("pending", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            IntentOf(paymentId),
            await fx.ScalarAsync<string>("SELECT payment_intent_id FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));

        await fx.AcceptedAsync(Event("checkout.session.async_payment_succeeded", Session(sessionId, paymentId)));

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task A_delayed_method_fails_on_async_payment_failed()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync(2500, "wechat_pay");

        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId, "unpaid")));
        await fx.AcceptedAsync(Event("checkout.session.async_payment_failed", Session(sessionId, paymentId, "unpaid")));

        Assert.Equal("failed", await fx.StatusOfAsync(paymentId));
        Assert.Equal(
            "async_payment_failed",
            await fx.ScalarAsync<string>("SELECT failure_reason FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentFailed", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    [Fact]
    public async Task A_session_found_by_its_id_alone_settles_too()
    {
        var (_, _, _, paymentId, sessionId) = await fx.OpenCheckoutAsync();

        // No metadata (a session created outside this service would have none): the session id names it.
        await fx.AcceptedAsync(
            Event(
                "checkout.session.completed",
                new
                {
                    id = sessionId,
                    @object = "checkout.session",
                    mode = "payment",
                    status = "complete",
                    payment_status = "paid",
                    payment_intent = IntentOf(paymentId),
                }
            )
        );

        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
    }

    [Fact]
    public async Task Events_about_payments_we_do_not_know_are_accepted_and_ignored()
    {
        var stranger = Guid.NewGuid();
        var unknown = Event(
            "checkout.session.completed",
            Session("cs_test_unknown_" + stranger.ToString("N"), stranger)
        );
        var unknownIntent = Event(
            "payment_intent.payment_failed",
            new { id = "pi_unknown", @object = "payment_intent" }
        );
        var unhandled = Event("customer.created", new { id = "cus_123", @object = "customer" });

        Assert.False(await fx.AcceptedAsync(unknown));
        Assert.False(await fx.AcceptedAsync(unknownIntent));
        Assert.False(await fx.AcceptedAsync(unhandled));

        Assert.Equal(0, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE id = @id", ("id", stranger)));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE payload->>'paymentId' = @id",
                ("id", stranger.ToString())
            )
        );
        Assert.Equal(1, await fx.WebhookEventsAsync(unknown.EventId));
    }

    /// <summary>
    /// A subscription invoice's failed payment attempt (its intent never ours) and a refund made in Stripe's dashboard
    /// are normal on a healthy platform: no warning. An intent naming a payment we do not know is worth one.
    /// </summary>
    [Fact]
    public async Task A_renewals_failed_attempt_and_a_dashboard_refund_are_ignored_without_a_warning()
    {
        var renewalAttempt = Event(
            "payment_intent.payment_failed",
            new
            {
                id = "pi_renewal_" + Guid.NewGuid().ToString("N"),
                @object = "payment_intent",
                status = "requires_payment_method",
                metadata = new { },
            }
        );
        var dashboardRefund = Event(
            "charge.refund.updated",
            new
            {
                id = "re_dashboard_" + Guid.NewGuid().ToString("N"),
                @object = "refund",
                amount = 500,
                currency = "eur",
                status = "succeeded",
                payment_intent = "pi_dashboard_" + Guid.NewGuid().ToString("N"),
                metadata = new { },
            }
        );
        var strangersAttempt = Declined(Guid.NewGuid(), "insufficient_funds");

        foreach (var body in new[] { renewalAttempt, dashboardRefund, strangersAttempt })
            Assert.False(await fx.AcceptedAsync(body));

        var warnings = fx.Logs.AtLeast(LogLevel.Warning);
        Assert.DoesNotContain(warnings, w => w.Message.Contains(renewalAttempt.EventId));
        Assert.DoesNotContain(warnings, w => w.Message.Contains(dashboardRefund.EventId));
        Assert.Single(warnings, w => w.Message.Contains(strangersAttempt.EventId));
    }

    private static WebhookBody Declined(Guid paymentId, string declineCode) =>
        Event(
            "payment_intent.payment_failed",
            new
            {
                id = IntentOf(paymentId),
                @object = "payment_intent",
                status = "requires_payment_method",
                amount = 2500,
                last_payment_error = new
                {
                    code = "card_declined",
                    decline_code = declineCode,
                    message = "Your card was declined.",
                },
                metadata = new { payment_id = paymentId.ToString() },
            }
        );

    [Theory]
    [InlineData("this is not json {")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"id\": \"evt_no_data\", \"type\": \"checkout.session.completed\"}")]
    [InlineData("{\"id\": 42, \"type\": \"checkout.session.completed\", \"data\": {\"object\": {}}}")]
    [InlineData("")]
    public async Task A_correctly_signed_body_that_is_not_a_stripe_event_is_a_400(string text)
    {
        var events = await fx.ScalarAsync<long>("SELECT count(*) FROM webhook_events");
        var body = new WebhookBody("none", Encoding.UTF8.GetBytes(text));

        await (await fx.DeliverAsync(body)).AssertProblem(400);

        Assert.Equal(events, await fx.ScalarAsync<long>("SELECT count(*) FROM webhook_events"));
    }
}
