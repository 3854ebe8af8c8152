using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.Payments.Refunds;
using Community.Payments.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Community.Payments.Tests;

/// <summary>
/// Refunds as intent, call, answer: Stripe is asked with no row locked and the intent committed,
/// a lost answer or a crash loses and doubles nothing, one Idempotency-Key gets one answer under
/// any concurrency, and a cancelled event's tickets are refunded one message each.
/// </summary>
public sealed class RefundIntentTests(RefundIntentFixture fx) : IClassFixture<RefundIntentFixture>
{
    [Fact]
    public async Task Stripe_is_asked_after_the_requested_refund_is_committed_and_with_the_payment_row_unlocked()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();

        var refund = await (await fx.RefundAsync(paymentId, fx.TokenFor(sellerId), 1000, "intent-1")).AssertStatus(201);

        var seen = Assert.Single(fx.RefundCalls, c => c.PaymentId == paymentId);
        Assert.Equal(Guid.Parse(refund["id"]!.GetValue<string>()), seen.RefundId);
        Assert.Equal(RefundStatus.Requested, seen.IntentStatus);
        Assert.False(seen.PaymentLocked);
        Assert.Equal("succeeded", refund["status"]!.GetValue<string>());
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task A_lost_stripe_answer_keeps_the_intent_and_a_retry_with_the_same_key_records_it_once()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        fx.LoseAnswersFor[paymentId] = true;

        await (await fx.RefundAsync(paymentId, seller, 1000, "lost-1")).AssertProblem(502);

        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":lost-1", paymentId);
        Assert.Equal(
            RefundStatus.Requested,
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        // Stripe may have refunded it: its 1000 stays spoken for, so 2000 more is more than is left.
        var refused = await (await fx.RefundAsync(paymentId, seller, 2000, "lost-2")).AssertProblem(422);
        Assert.Equal(1500, refused["refundable_cents"]!.GetValue<long>());

        fx.LoseAnswersFor.TryRemove(paymentId, out _);
        var refund = await (await fx.RefundAsync(paymentId, seller, 1000, "lost-1")).AssertStatus(201);

        Assert.Equal(refundId, Guid.Parse(refund["id"]!.GetValue<string>()));
        Assert.Equal("succeeded", refund["status"]!.GetValue<string>());
        var calls = fx.Stripe.WithKey("refund-" + refundId);
        Assert.True(calls.Count >= 2);
        Assert.All(calls, c => Assert.Equal(calls[0].Canonical, c.Canonical));
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task A_cancellations_refund_asks_again_for_a_refund_whose_answer_was_lost_and_then_takes_the_rest()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        // The organizer refunds part of the ticket and Stripe's answer is lost: 1000 stays requested.
        await RefundWhoseAnswerIsLostAsync(paymentId, seller, 1000, "first-part");

        // Then the holder cancels, and events asks for the whole price back.
        var refundId = Guid.NewGuid();
        await fx.PublishAsync(
            new PaymentRefundRequested(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                refundId,
                paymentId,
                2500,
                "registration_cancelled",
                null
            )
        );
        // Nobody asks the organizer's refund again (the recovery would, minutes later): the cancellation's refund
        // asks it again under its key, and takes what is left.
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
                == RefundStatus.Succeeded,
            "the cancellation's refund was dropped while another refund was being answered"
        );
        Assert.Equal(
            1500,
            await fx.ScalarAsync<long>("SELECT amount_cents FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal(
            2500,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        var organizers = RefundRules.DeterministicId("api:" + sellerId + ":first-part", paymentId);
        Assert.Equal(
            RefundStatus.Succeeded,
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", organizers))
        );
    }

    [Fact]
    public async Task A_cancellations_refund_asks_again_for_a_lost_refund_of_everything_rather_than_dead_letter()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        // The organizer refunds the whole ticket and Stripe's answer is lost: all 2500 stays requested.
        await RefundWhoseAnswerIsLostAsync(paymentId, seller, null, "everything");

        // Then the holder cancels, and events asks for whatever is left: nothing is free while that refund waits (409).
        var requested = new PaymentRefundRequested(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            paymentId,
            null,
            "registration_cancelled",
            null
        );
        await fx.PublishAsync(requested);

        // The organizer's refund is asked again under its key, and took it all: the request is done, not dead-lettered.
        await fx.HandledAsync(requested.MessageId, nameof(PaymentRefundRequestedConsumer));
        Assert.False(fx.DeadLettered.ContainsKey(requested.MessageId));
        var organizers = RefundRules.DeterministicId("api:" + sellerId + ":everything", paymentId);
        Assert.Equal(
            RefundStatus.Succeeded,
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", organizers))
        );
        Assert.Equal(
            2500,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        // Nothing was left for the cancellation's own refund: none is recorded, and Stripe is not asked for one.
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE id = @id", ("id", requested.RefundId))
        );
        Assert.Empty(fx.Stripe.WithKey("refund-" + requested.RefundId));
    }

    /// <summary>
    /// The holder cancels and events asks for the whole price back, read before an organizer's refund of most of it
    /// commits: the cancellation's refund takes what is left once it holds the payment's lock, rather than being
    /// refused for more than is left and dead-lettered with nothing recorded (the holder's share lost).
    /// </summary>
    [Fact]
    public async Task A_cancellations_refund_takes_what_is_left_after_a_refund_committed_while_it_waited()
    {
        var (_, paymentId) = await fx.PaidTicketAsync(amountCents: 100);
        await using var organizers = await fx.HoldAsync(
            "UPDATE payments SET refunded_cents = 80, status = 'partially_refunded' WHERE id = @p; "
                + "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at, completed_at) "
                + "VALUES (gen_random_uuid(), @p, 80, 'goodwill', 'succeeded', now(), now())",
            ("p", paymentId)
        );
        var requested = new PaymentRefundRequested(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            paymentId,
            100,
            "registration_cancelled",
            null
        );
        await fx.PublishAsync(requested);
        await fx.WaitingOnALockAsync(
            "%FROM payments%FOR UPDATE%",
            1,
            "the cancellation's refund never waited for the organizer's"
        );
        await organizers.CommitAsync();

        await Eventually.TrueAsync(
            async () =>
                fx.DeadLettered.ContainsKey(requested.MessageId)
                || await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", requested.RefundId))
                    == RefundStatus.Succeeded,
            "the cancellation's refund was neither made nor given up"
        );
        Assert.False(fx.DeadLettered.ContainsKey(requested.MessageId));
        Assert.Equal(
            20,
            await fx.ScalarAsync<long>("SELECT amount_cents FROM refunds WHERE id = @id", ("id", requested.RefundId))
        );
        Assert.Equal("20", Assert.Single(fx.Stripe.WithKey("refund-" + requested.RefundId)).Field("amount"));
        Assert.Equal(
            "100 refunded",
            await fx.ScalarAsync<string>(
                "SELECT refunded_cents || ' ' || status FROM payments WHERE id = @id",
                ("id", paymentId)
            )
        );
    }

    /// <summary>
    /// A refund asked of a payment refunded in full already (the organizer, or Stripe's dashboard, was first) is a
    /// harmless duplicate: nothing is made, and no operator is warned. One of a payment we do not know is worth it.
    /// </summary>
    [Fact]
    public async Task A_refund_requested_of_a_payment_refunded_already_is_dropped_without_a_warning()
    {
        var (_, paymentId) = await fx.PaidTicketAsync();
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event("charge.refunded", StripePaymentsFixture.Charge(paymentId, 2500, 2500))
        );
        Assert.Equal("refunded", await StatusAsync(paymentId));
        PaymentRefundRequested Requested(Guid payment) =>
            new(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), payment, null, "event_cancelled", null);
        var duplicate = Requested(paymentId);
        var unknown = Requested(Guid.NewGuid());

        await fx.DeliverAsync(duplicate);
        await fx.DeliverAsync(unknown);

        Assert.Empty(fx.Stripe.WithKey("refund-" + duplicate.RefundId));
        var warnings = fx.Logs.Of(typeof(PaymentRefundRequestedConsumer).FullName!, LogLevel.Warning);
        Assert.DoesNotContain(warnings, w => w.Message.Contains(duplicate.RefundId.ToString()));
        Assert.Single(warnings, w => w.Message.Contains(unknown.RefundId.ToString()));
    }

    [Fact]
    public async Task A_cancellations_refund_stripe_refuses_when_the_recovery_resumes_it_is_failed_and_told()
    {
        var (_, paymentId) = await fx.PaidTicketAsync();
        // Every answer about a cancellation's refund is lost: the message is retried, then dead-lettered.
        fx.LoseAnswersFor[paymentId] = true;
        var requested = new PaymentRefundRequested(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            paymentId,
            null,
            "event_cancelled",
            null
        );
        await fx.PublishAsync(requested);
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.DeadLettered.ContainsKey(requested.MessageId)),
            "the request whose answers were lost was never given up on",
            TimeSpan.FromMinutes(2)
        );
        Assert.Equal(RefundStatus.Requested, await RefundStatusAsync(requested.RefundId));
        fx.LoseAnswersFor.TryRemove(paymentId, out _);

        // Nobody waits on it now: when the recovery asks again and Stripe refuses, the refusal is the answer.
        fx.Stripe.FailNext("/v1/refunds", 400, "Charge ch_x has been charged back.");
        await ResumeUntilAnsweredAsync(requested.RefundId);

        Assert.Equal(RefundStatus.Failed, await RefundStatusAsync(requested.RefundId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        Assert.Equal("succeeded", await StatusAsync(paymentId));
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    /// <summary>
    /// A subscription bought by an account deleted while its checkout was open: the refund asked instead of the
    /// delivery waits for the payment's intent (the first invoice.paid has not come), kept requested.
    /// </summary>
    private async Task<(
        Guid PaymentId,
        string SubscriptionId,
        Guid RefundId
    )> SubscriptionRefundWaitingForItsIntentAsync()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var subscriptionId = "sub_" + paymentId.ToString("N");
        // The account is deleted while the checkout is still open at Stripe, and then the buyer pays: the session
        // completes without an intent (a subscription's comes with its first invoice.paid, later).
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));
        await fx.AcceptedAsync(StripePaymentsFixture.SubscriptionCheckoutCompleted(checkout));

        // The refund asked instead of the delivery cannot be made yet: the request is done with (not dead-lettered),
        // and the refund stays requested, its money spoken for, Stripe not asked.
        await Eventually.TrueAsync(
            async () => await fx.OutboxCountAsync("PaymentRefundRequested", paymentId) == 1,
            "the deleted account's payment was never asked to be refunded"
        );
        var requested = await fx.ScalarAsync<Guid>(
            "SELECT id FROM outbox_messages WHERE type LIKE '%.PaymentRefundRequested,%' AND "
                + "payload->>'paymentId' = @id",
            ("id", paymentId.ToString())
        );
        await fx.ConsumedAsync(requested, "PaymentRefundRequestedConsumer", 1);
        Assert.False(fx.DeadLettered.ContainsKey(requested));
        var refundId = RefundRules.DeterministicId("account-deleted", paymentId);
        Assert.Equal(RefundStatus.Requested, await RefundStatusAsync(refundId));
        Assert.DoesNotContain(
            fx.Stripe.Received,
            r => r.Path == "/v1/refunds" && r.Field("metadata[payment_id]") == paymentId.ToString()
        );
        Assert.Equal("succeeded", await StatusAsync(paymentId));
        return (paymentId, subscriptionId, refundId);
    }

    [Fact]
    public async Task A_subscription_refund_whose_intent_never_comes_is_recorded_failed_and_told_after_three_days()
    {
        var (paymentId, _, refundId) = await SubscriptionRefundWaitingForItsIntentAsync();
        var recovery = fx.Host.Services.GetRequiredService<RefundIntentRecovery>();

        fx.Clock.Advance(TimeSpan.FromDays(1));
        await recovery.ResumeStaleAsync(CancellationToken.None);
        Assert.Equal(RefundStatus.Requested, await RefundStatusAsync(refundId));

        fx.Clock.Advance(Refunder.AwaitedIntentAtMost);
        await recovery.ResumeStaleAsync(CancellationToken.None);
        Assert.Equal(RefundStatus.Failed, await RefundStatusAsync(refundId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );

        // Told, an operator refunds it from Stripe's dashboard, and Stripe reports it: it counts in full (the failed
        // refund was never Stripe's, so Stripe's total never held it), and the payment is refunded once.
        var amount = await fx.ScalarAsync<long>("SELECT amount_cents FROM payments WHERE id = @id", ("id", paymentId));
        var report = StripePaymentsFixture.Event(
            "charge.refunded",
            StripePaymentsFixture.Charge(paymentId, amount, amount)
        );
        await fx.AcceptedAsync(report);
        await fx.AcceptedAsync(report);
        Assert.Equal(
            amount,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal("refunded", await StatusAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    [Fact]
    public async Task Refunds_waiting_for_their_intent_keep_no_newer_refund_from_being_resumed()
    {
        // More refunds waiting for what Stripe refunds by than the recovery reads at once, all older than one a crash
        // left requested: the recovery still gets to that one on its next tick.
        var (waitingPayment, _, _) = await SubscriptionRefundWaitingForItsIntentAsync();
        var waiting = Enumerable.Range(0, 120).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in waiting)
            await fx.ExecuteAsync(
                "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at) VALUES (@id, @p, 1, "
                    + "'account-deleted', 'requested', @at)",
                ("id", id),
                ("p", waitingPayment),
                ("at", fx.Clock.GetUtcNow() - TimeSpan.FromHours(1))
            );
        var (_, paymentId) = await fx.PaidTicketAsync();
        var refundId = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at) VALUES (@id, @p, "
                + "300, 'goodwill', 'requested', @at)",
            ("id", refundId),
            ("p", paymentId),
            ("at", fx.Clock.GetUtcNow())
        );

        try
        {
            fx.Clock.Advance(RefundIntentRecovery.StaleAfter + TimeSpan.FromSeconds(1));
            await fx.Host.Services.GetRequiredService<RefundIntentRecovery>().ResumeStaleAsync(CancellationToken.None);

            Assert.Equal(RefundStatus.Succeeded, await RefundStatusAsync(refundId));
            Assert.Equal("300", fx.Stripe.WithKey("refund-" + refundId)[0].Field("amount"));
            Assert.Equal(
                120L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM refunds WHERE id = ANY(@ids) AND status = 'requested'",
                    ("ids", waiting.ToArray())
                )
            );
        }
        finally
        {
            await fx.ExecuteAsync("DELETE FROM refunds WHERE id = ANY(@ids)", ("ids", waiting.ToArray()));
        }
    }

    [Fact]
    public async Task A_deleted_accounts_subscription_refund_asked_before_invoice_paid_is_kept_and_made_once_after()
    {
        var (paymentId, subscriptionId, refundId) = await SubscriptionRefundWaitingForItsIntentAsync();

        // The first invoice names the intent: the recovery makes the refund, through it, once.
        var intent = "pi_first_" + paymentId.ToString("N");
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "invoice.paid",
                new
                {
                    id = "in_" + Guid.NewGuid().ToString("N"),
                    @object = "invoice",
                    status = "paid",
                    billing_reason = "subscription_create",
                    metadata = new { },
                    parent = new
                    {
                        type = "subscription_details",
                        subscription_details = new
                        {
                            subscription = subscriptionId,
                            metadata = new { payment_id = paymentId.ToString() },
                        },
                    },
                    payments = new
                    {
                        @object = "list",
                        data = new[]
                        {
                            new
                            {
                                @object = "invoice_payment",
                                is_default = true,
                                status = "paid",
                                payment = new { type = "payment_intent", payment_intent = intent },
                            },
                        },
                    },
                }
            )
        );
        await ResumeUntilAnsweredAsync(refundId);
        await fx.Host.Services.GetRequiredService<RefundIntentRecovery>().ResumeStaleAsync(CancellationToken.None);

        Assert.Equal(RefundStatus.Succeeded, await RefundStatusAsync(refundId));
        var calls = fx.Stripe.WithKey("refund-" + refundId);
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.Equal(calls[0].Canonical, c.Canonical));
        Assert.Equal(intent, calls[0].Field("payment_intent"));
        Assert.Equal("999", calls[0].Field("amount"));
        Assert.Equal("refunded", await StatusAsync(paymentId));
        Assert.Equal(
            999,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task An_organizers_refund_refused_when_resumed_is_failed_and_the_same_key_then_answers_422()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        await RefundWhoseAnswerIsLostAsync(paymentId, seller, 1000, "resumed");
        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":resumed", paymentId);

        fx.Stripe.FailNext("/v1/refunds", 400, "Charge ch_x has been charged back.");
        await ResumeUntilAnsweredAsync(refundId);
        Assert.Equal(RefundStatus.Failed, await RefundStatusAsync(refundId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));

        // The organizer retrying with the key hears the documented failure, and nothing more is asked of Stripe.
        var calls = fx.Stripe.WithKey("refund-" + refundId).Count;
        var problem = await (await fx.RefundAsync(paymentId, seller, 1000, "resumed")).AssertProblem(422);
        Assert.Equal(refundId, problem["refund_id"]!.GetValue<Guid>());
        Assert.Equal(RefundStatus.Failed, problem["refund_status"]!.GetValue<string>());
        Assert.Equal(calls, fx.Stripe.WithKey("refund-" + refundId).Count);
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task A_dashboard_refund_made_while_ours_was_requested_counts_once_stripe_refuses_ours()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        await RefundWhoseAnswerIsLostAsync(paymentId, seller, 1000, "dashboard-race");
        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":dashboard-race", paymentId);

        // Stripe never made ours; an operator refunds the whole 2500 from the dashboard meanwhile. Its report is read
        // with ours still requested, so it counts as 1500 for now (it errs low).
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "charge.refunded",
                StripePaymentsFixture.Charge(paymentId, 2500, 2500),
                created: fx.Clock.GetUtcNow()
            )
        );
        Assert.Equal(
            1500,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );

        // Resumed, ours is refused (the charge has been refunded): failed, and the report counts in full now.
        fx.Stripe.FailNext("/v1/refunds", 400, "Charge ch_x has already been refunded.");
        await ResumeUntilAnsweredAsync(refundId);
        Assert.Equal(RefundStatus.Failed, await RefundStatusAsync(refundId));
        Assert.Equal(
            "2500|refunded",
            await fx.ScalarAsync<string>(
                "SELECT refunded_cents || '|' || status FROM payments WHERE id = @id",
                ("id", paymentId)
            )
        );
        Assert.Equal(2, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    [Fact]
    public async Task An_idempotency_key_used_again_with_another_amount_is_refused_422_and_refunds_nothing_more()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        var first = await (await fx.RefundAsync(paymentId, seller, 1000, "reused")).AssertStatus(201);

        var problem = await (await fx.RefundAsync(paymentId, seller, 500, "reused")).AssertProblem(422);

        Assert.Contains("was used for another request", problem["detail"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        // The first request again is still answered with its refund.
        var again = await (await fx.RefundAsync(paymentId, seller, 1000, "reused")).AssertStatus(201);
        Assert.Equal(first["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stripes_webhooks_that_overtake_a_lost_answer_record_it_and_count_the_money_once()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);
        fx.LoseAnswersFor[paymentId] = true;
        await (await fx.RefundAsync(paymentId, seller, 1000, "overtaken")).AssertProblem(502);
        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":overtaken", paymentId);

        // charge.refunded counts Stripe's refund, which is our requested one: not counted here, its answer counts it.
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event("charge.refunded", StripePaymentsFixture.Charge(paymentId, 2500, 1000))
        );
        Assert.Equal(
            0,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        // refund.updated is the answer we did not hear.
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "refund.updated",
                new
                {
                    id = "re_overtaken_" + paymentId.ToString("N"),
                    @object = "refund",
                    amount = 1000,
                    currency = "eur",
                    status = "succeeded",
                    payment_intent = StripePaymentsFixture.IntentOf(paymentId),
                    metadata = new { payment_id = paymentId.ToString(), refund_id = refundId.ToString() },
                }
            )
        );
        Assert.Equal(
            "succeeded",
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );

        fx.LoseAnswersFor.TryRemove(paymentId, out _);
        var again = await (await fx.RefundAsync(paymentId, seller, 1000, "overtaken")).AssertStatus(201);

        Assert.Equal(refundId, Guid.Parse(again["id"]!.GetValue<string>()));
        Assert.Equal(
            1000,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    /// <summary>
    /// A card refund is made succeeded at once: refund.created is the one event Stripe sends about it, so it is what
    /// answers one whose answer we lost.
    /// </summary>
    [Fact]
    public async Task A_refund_created_event_answers_a_refund_whose_answer_was_lost()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        await RefundWhoseAnswerIsLostAsync(paymentId, fx.TokenFor(sellerId), 1000, "answered-by-created");
        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":answered-by-created", paymentId);
        var made = Assert.Single(fx.Stripe.RefundsOf(StripePaymentsFixture.IntentOf(paymentId)));

        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "refund.created",
                new
                {
                    id = made.Id,
                    @object = "refund",
                    amount = 1000,
                    currency = "eur",
                    status = "succeeded",
                    payment_intent = made.PaymentIntent,
                    metadata = new { payment_id = paymentId.ToString(), refund_id = refundId.ToString() },
                }
            )
        );

        await AssertRefundedOnceAsync(refundId, made.Id, paymentId, 1000);
    }

    /// <summary>
    /// A refund Stripe made whose answer was lost, and which nobody could ask about for more than a day (our key
    /// revoked, the way out blocked, the service down): Stripe has forgotten its key by then, so it is looked for among
    /// the payment's refunds (past the first page of them) and recorded, not made a second time.
    /// </summary>
    [Fact]
    public async Task A_refund_unanswered_for_more_than_a_day_is_found_at_stripe_not_made_again()
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var intent = StripePaymentsFixture.IntentOf(paymentId);
        await RefundWhoseAnswerIsLostAsync(paymentId, fx.TokenFor(sellerId), 1000, "lost-for-a-day");
        var refundId = RefundRules.DeterministicId("api:" + sellerId + ":lost-for-a-day", paymentId);
        var made = Assert.Single(fx.Stripe.RefundsOf(intent));
        Assert.Equal(refundId.ToString(), made.RefundId);
        // Refunded from the dashboard since, in more parts than Stripe lists on a page.
        fx.Stripe.RefundedInDashboard(intent, 100);

        fx.Clock.Advance(FakeStripe.KeysKeptFor + TimeSpan.FromHours(1));
        await ResumeUntilAnsweredAsync(refundId);

        Assert.Single(fx.Stripe.RefundsOf(intent), r => r.RefundId == refundId.ToString());
        await AssertRefundedOnceAsync(refundId, made.Id, paymentId, 1000);
    }

    /// <summary>
    /// A refund left requested for more than a day that Stripe never made (the process died before asking): looked
    /// for and not found, it is made, once.
    /// </summary>
    [Fact]
    public async Task A_refund_requested_more_than_a_day_ago_that_stripe_never_made_is_made_once()
    {
        var (_, paymentId) = await fx.PaidTicketAsync();
        var intent = StripePaymentsFixture.IntentOf(paymentId);
        var refundId = Guid.NewGuid();
        await fx.ExecuteAsync(
            "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at) VALUES (@id, @p, "
                + "700, 'goodwill', 'requested', @at)",
            ("id", refundId),
            ("p", paymentId),
            ("at", fx.Clock.GetUtcNow())
        );

        fx.Clock.Advance(FakeStripe.KeysKeptFor + TimeSpan.FromHours(1));
        await ResumeUntilAnsweredAsync(refundId);

        Assert.Contains(
            fx.Stripe.Received,
            r => r.Method == "GET" && r.Path == "/v1/refunds" && r.Field("payment_intent") == intent
        );
        var made = Assert.Single(fx.Stripe.RefundsOf(intent));
        Assert.Equal(refundId.ToString(), made.RefundId);
        Assert.Equal(RefundStatus.Succeeded, await RefundStatusAsync(refundId));
        Assert.Equal(
            700,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
    }

    [Fact]
    public async Task A_refund_left_requested_by_a_crash_is_finished_by_the_recovery_under_its_own_key()
    {
        var (_, paymentId) = await fx.PaidTicketAsync();
        var refundId = Guid.NewGuid();
        // The process died right after committing the intent: Stripe was never asked.
        await fx.ExecuteAsync(
            "INSERT INTO refunds (id, payment_id, amount_cents, reason, status, created_at) VALUES (@id, @p, "
                + "700, 'goodwill', 'requested', @at)",
            ("id", refundId),
            ("p", paymentId),
            ("at", fx.Clock.GetUtcNow())
        );
        var recovery = fx.Host.Services.GetRequiredService<RefundIntentRecovery>();

        await recovery.ResumeStaleAsync(CancellationToken.None);
        Assert.Empty(fx.Stripe.WithKey("refund-" + refundId));

        fx.Clock.Advance(RefundIntentRecovery.StaleAfter + TimeSpan.FromSeconds(1));
        await recovery.ResumeStaleAsync(CancellationToken.None);
        await recovery.ResumeStaleAsync(CancellationToken.None);

        Assert.Equal(
            "succeeded",
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId))
        );
        var call = fx.Stripe.WithKey("refund-" + refundId)[0];
        Assert.Equal("700", call.Field("amount"));
        Assert.Equal(
            700,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    [Theory]
    [InlineData(1000L)]
    [InlineData(null)]
    public async Task Twenty_concurrent_refunds_with_one_key_all_get_the_same_answer_and_refund_once(long? amountCents)
    {
        var (sellerId, paymentId) = await fx.PaidTicketAsync();
        var seller = fx.TokenFor(sellerId);

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(_ => fx.RefundAsync(paymentId, seller, amountCents, "race-" + amountCents))
        );

        var statuses = responses.Select(r => (int)r.StatusCode).Distinct().ToList();
        Assert.Equal(new[] { 201 }, statuses);
        var ids = new HashSet<string>();
        foreach (var response in responses)
            ids.Add((await response.AssertStatus(201))["id"]!.GetValue<string>());
        Assert.Single(ids);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
        Assert.Equal(
            amountCents ?? 2500,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    [Fact]
    public async Task A_cancelled_events_tickets_are_refunded_one_message_each_so_one_stuck_refund_holds_up_no_other()
    {
        var eventId = Guid.NewGuid();
        var tickets = new List<Guid>();
        for (var i = 0; i < 3; i++)
            tickets.Add((await fx.PaidTicketAsync(eventId: eventId)).PaymentId);
        // Stripe's answers for the first ticket's refund are lost until the test lets them through.
        fx.LoseAnswersFor[tickets[0]] = true;

        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(new EventCancelled(Guid.NewGuid(), fx.Clock.GetUtcNow(), eventId, "storm"));

        await Eventually.TrueAsync(
            async () => await StatusAsync(tickets[1]) == "refunded" && await StatusAsync(tickets[2]) == "refunded",
            "the other tickets waited for the stuck one"
        );
        foreach (var paymentId in tickets)
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.PaymentRefundRequested,%' AND "
                        + "payload->>'paymentId' = @id AND payload->>'reason' = 'event_cancelled'",
                    ("id", paymentId.ToString())
                )
            );
        Assert.Equal("succeeded", await StatusAsync(tickets[0]));
        Assert.Equal(
            RefundStatus.Requested,
            await fx.ScalarAsync<string>("SELECT status FROM refunds WHERE payment_id = @id", ("id", tickets[0]))
        );

        fx.LoseAnswersFor.TryRemove(tickets[0], out _);
        var recovery = fx.Host.Services.GetRequiredService<RefundIntentRecovery>();
        await Eventually.TrueAsync(
            async () =>
            {
                fx.Clock.Advance(TimeSpan.FromMinutes(1));
                await recovery.ResumeStaleAsync(CancellationToken.None);
                return await StatusAsync(tickets[0]) == "refunded";
            },
            "the stuck refund was never finished"
        );
        foreach (var paymentId in tickets)
        {
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
            );
            Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        }
    }

    [Fact]
    public async Task Cancelling_a_subscription_tells_stripe_with_its_row_unlocked_then_marks_it()
    {
        var (userId, token) = fx.User();
        var providerId = "sub_" + Guid.NewGuid().ToString("N");
        await fx.ExecuteAsync(
            "INSERT INTO subscriptions (user_id, plan, tier, status, provider_subscription_id, "
                + "current_period_end, updated_at) "
                + "VALUES (@u, 'premium', 'premium', 'active', @p, @end, now())",
            ("u", userId),
            ("p", providerId),
            ("end", fx.Clock.GetUtcNow().AddDays(20))
        );

        var cancelled = await (
            await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)
        ).AssertStatus(200);

        Assert.True(cancelled["cancel_at_period_end"]!.GetValue<bool>());
        var (_, locked) = Assert.Single(fx.SubscriptionCalls, c => c.ProviderSubscriptionId == providerId);
        Assert.False(locked);
        Assert.Single(fx.Stripe.PeriodEndCancellations(providerId));
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT cancel_at_period_end FROM subscriptions WHERE user_id = @u",
                ("u", userId)
            )
        );
        // Asked again: already cancelled, Stripe is not asked twice.
        await (await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)).AssertStatus(200);
        Assert.Single(fx.Stripe.PeriodEndCancellations(providerId));
    }

    [Fact]
    public async Task Cancelling_at_the_period_end_a_subscription_stripe_already_cancelled_is_done_not_dead_lettered()
    {
        var providerId = "sub_" + Guid.NewGuid().ToString("N");
        // Stripe ended it already (the dashboard, unpaid renewals), and its deleted event has not reached us: a newer
        // purchase replacing it asks for it to stop at its period end.
        fx.Stripe.CancelledElsewhere(providerId);
        var requested = new SubscriptionCancellationRequested(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            providerId,
            AtPeriodEnd: true,
            null
        );

        await fx.PublishAsync(requested);

        // Stripe's 400 for an update of a canceled subscription means it renews no more: done, asked once.
        await fx.HandledAsync(requested.MessageId, nameof(SubscriptionCancellationConsumer));
        Assert.False(fx.DeadLettered.ContainsKey(requested.MessageId));
        var call = Assert.Single(fx.Stripe.PeriodEndCancellations(providerId));
        Assert.Equal("true", call.Field("cancel_at_period_end"));
    }

    [Fact]
    public async Task Cancelling_a_subscription_stripe_already_cancelled_marks_it_instead_of_answering_502()
    {
        var (userId, token) = fx.User();
        var providerId = "sub_" + Guid.NewGuid().ToString("N");
        await fx.ExecuteAsync(
            "INSERT INTO subscriptions (user_id, plan, tier, status, provider_subscription_id, "
                + "current_period_end, updated_at) "
                + "VALUES (@u, 'premium', 'premium', 'active', @p, @end, now())",
            ("u", userId),
            ("p", providerId),
            ("end", fx.Clock.GetUtcNow().AddDays(20))
        );
        fx.Stripe.CancelledElsewhere(providerId);

        var cancelled = await (
            await fx.Client.SendJson(HttpMethod.Delete, "/api/v1/subscriptions/me", null, token)
        ).AssertStatus(200);

        Assert.True(cancelled["cancel_at_period_end"]!.GetValue<bool>());
        Assert.Single(fx.Stripe.PeriodEndCancellations(providerId));
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT cancel_at_period_end FROM subscriptions WHERE user_id = @u",
                ("u", userId)
            )
        );
    }

    private Task<string?> StatusAsync(Guid paymentId) =>
        fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @id", ("id", paymentId));

    private Task<string?> RefundStatusAsync(Guid refundId) =>
        fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId));

    private Task<string?> ProviderRefundIdAsync(Guid refundId) =>
        fx.ScalarAsync<string>("SELECT provider_refund_id FROM refunds WHERE id = @id", ("id", refundId));

    /// <summary>
    /// Runs the recovery past the refund's staleness until it is answered (a breaker the lost answers opened may turn
    /// the first tries away before they reach Stripe).
    /// </summary>
    private async Task ResumeUntilAnsweredAsync(Guid refundId)
    {
        var recovery = fx.Host.Services.GetRequiredService<RefundIntentRecovery>();
        fx.Clock.Advance(RefundIntentRecovery.StaleAfter + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(
            async () =>
            {
                await recovery.ResumeStaleAsync(CancellationToken.None);
                return await RefundStatusAsync(refundId) != RefundStatus.Requested;
            },
            "the recovery never had the resumed refund answered"
        );
    }

    /// <summary>A refund asked through the API whose answer from Stripe is lost (502): it stays requested.</summary>
    private async Task RefundWhoseAnswerIsLostAsync(Guid paymentId, string token, long? amountCents, string key)
    {
        fx.LoseAnswersFor[paymentId] = true;
        await (await fx.RefundAsync(paymentId, token, amountCents, key)).AssertProblem(502);
        fx.LoseAnswersFor.TryRemove(paymentId, out _);
    }

    /// <summary>The refund succeeded as the provider's refund <paramref name="providerId"/>, counted once.</summary>
    private async Task AssertRefundedOnceAsync(Guid refundId, string? providerId, Guid paymentId, long refundedCents)
    {
        Assert.Equal(RefundStatus.Succeeded, await RefundStatusAsync(refundId));
        Assert.Equal(providerId, await ProviderRefundIdAsync(refundId));
        Assert.Equal(
            refundedCents,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId))
        );
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }
}
