using static Community.Payments.Tests.StripePaymentsFixture;

namespace Community.Payments.Tests;

/// <summary>
/// Refunds keep Stripe's state: a pending refund counts at once and settles or fails later by
/// webhook; a failure gives the payment its money back once, however often and in whatever order
/// Stripe reports it; one Stripe fails at once is a 422 that changes nothing.
/// </summary>
public sealed class RefundStatusTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    [Theory]
    [InlineData("pending")]
    [InlineData("requires_action")]
    public async Task A_refund_stripe_answers_under_way_counts_at_once_and_succeeds_on_refund_updated(string answer)
    {
        var (paymentId, seller) = await PaidAsync(2500);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), answer);

        var refund = await (await fx.RefundAsync(paymentId, seller, 1000, "pending-" + answer)).AssertStatus(201);

        Assert.Equal("pending", refund["status"]!.GetValue<string>());
        var refundId = Guid.Parse(refund["id"]!.GetValue<string>());
        Assert.Equal("pending", await RefundStatusAsync(refundId));
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));
        // The money is committed to go back: it cannot be refunded a second time meanwhile.
        var refused = await (await fx.RefundAsync(paymentId, seller, 2000, "pending-too-much-" + answer)).AssertProblem(
            422
        );
        Assert.Equal(1500, refused["refundable_cents"]!.GetValue<long>());

        await fx.AcceptedAsync(
            Event(
                "refund.updated",
                RefundObject(await ProviderIdAsync(refundId), paymentId, refundId, 1000, "succeeded")
            )
        );

        Assert.Equal("succeeded", await RefundStatusAsync(refundId));
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>("SELECT completed_at FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 1000 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
    }

    [Fact]
    public async Task A_refund_that_fails_after_a_chargeback_took_everything_makes_nothing_refundable_again()
    {
        var (paymentId, seller) = await PaidAsync(2500);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "pending");
        var refundId = Guid.Parse(
            (await (await fx.RefundAsync(paymentId, seller, 1000, "before-chargeback")).AssertStatus(201))[
                "id"
            ]!.GetValue<string>()
        );
        // The issuer disputed the whole charge while the refund was on its way, and Stripe withdrew all of it.
        await fx.AcceptedAsync(
            Event(
                "charge.dispute.funds_withdrawn",
                new
                {
                    id = "dp_" + Guid.NewGuid().ToString("N"),
                    @object = "dispute",
                    amount = 2500L,
                    currency = "eur",
                    charge = "ch_" + paymentId.ToString("N"),
                    payment_intent = IntentOf(paymentId),
                    reason = "fraudulent",
                    status = "lost",
                    metadata = new { },
                }
            )
        );
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));

        await fx.AcceptedAsync(
            Event(
                "refund.failed",
                RefundObject(
                    await ProviderIdAsync(refundId),
                    paymentId,
                    refundId,
                    1000,
                    "failed",
                    "lost_or_stolen_card"
                )
            )
        );

        // The payer has all of it back already: nothing is refundable again, and nothing more is announced.
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(2500, await RefundedCentsAsync(paymentId));
        var refused = await (await fx.RefundAsync(paymentId, seller, 100, "after-the-failure")).AssertProblem(422);
        Assert.Equal(0, refused["refundable_cents"]!.GetValue<long>());
        Assert.Equal(new long[] { 1000, 1500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_refund_that_fails_after_succeeding_makes_the_payment_refundable_again_once()
    {
        var (paymentId, seller) = await PaidAsync(2500);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "pending");
        var refundId = Guid.Parse(
            (await (await fx.RefundAsync(paymentId, seller, null, "fails-later")).AssertStatus(201))[
                "id"
            ]!.GetValue<string>()
        );
        var stripeId = await ProviderIdAsync(refundId);
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        await fx.AcceptedAsync(Event("refund.updated", RefundObject(stripeId, paymentId, refundId, 2500, "succeeded")));
        // Sent by Stripe while the refund still counted, delivered only after its failure.
        var stale = Event("charge.refunded", Charge(paymentId, 2500, 2500));

        var failed = Event(
            "refund.failed",
            RefundObject(stripeId, paymentId, refundId, 2500, "failed", "expired_or_canceled_card")
        );
        Assert.False(await fx.AcceptedAsync(failed));

        Assert.Equal("failed", await RefundStatusAsync(refundId));
        Assert.Equal(
            "expired_or_canceled_card",
            await fx.ScalarAsync<string>("SELECT failure_reason FROM refunds WHERE id = @id", ("id", refundId))
        );
        Assert.Equal(0, await RefundedCentsAsync(paymentId));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        Assert.Equal(refundId.ToString(), await RefundFailedFieldAsync(paymentId, "refundId"));
        Assert.Equal("2500", await RefundFailedFieldAsync(paymentId, "amountCents"));
        Assert.Equal("EUR", await RefundFailedFieldAsync(paymentId, "currency"));
        Assert.Equal("expired_or_canceled_card", await RefundFailedFieldAsync(paymentId, "reason"));

        // The same failure again, by every event that reports it, and a success reported late: nothing more.
        Assert.True(await fx.AcceptedAsync(failed));
        Assert.False(
            await fx.AcceptedAsync(
                Event(
                    "refund.updated",
                    RefundObject(stripeId, paymentId, refundId, 2500, "failed", "expired_or_canceled_card")
                )
            )
        );
        Assert.False(
            await fx.AcceptedAsync(
                Event("charge.refund.updated", RefundObject(stripeId, paymentId, refundId, 2500, "failed"))
            )
        );
        await fx.AcceptedAsync(Event("refund.updated", RefundObject(stripeId, paymentId, refundId, 2500, "succeeded")));
        await fx.AcceptedAsync(stale);

        Assert.Equal("failed", await RefundStatusAsync(refundId));
        Assert.Equal(0, await RefundedCentsAsync(paymentId));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        Assert.Equal(new long[] { 2500 }, await fx.RefundDeltasAsync(paymentId));

        // An admin can try again, and Stripe's report of that refund counts it once.
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "succeeded");
        var again = await (
            await fx.RefundAsync(paymentId, fx.TokenFor(Guid.NewGuid(), "admin"), null, "fails-later-retry")
        ).AssertStatus(201);
        Assert.Equal(2500, again["amount_cents"]!.GetValue<long>());
        Assert.Equal("succeeded", again["status"]!.GetValue<string>());
        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 2500)));
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(2500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 2500, 2500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_failure_reported_by_several_events_lowers_the_total_once_and_a_later_total_counts_in_full()
    {
        var (paymentId, seller) = await PaidAsync(2500);
        await (await fx.RefundAsync(paymentId, seller, 1000, "partial-ok")).AssertStatus(201);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "pending");
        var refundId = Guid.Parse(
            (await (await fx.RefundAsync(paymentId, seller, 500, "partial-fails")).AssertStatus(201))[
                "id"
            ]!.GetValue<string>()
        );
        var stripeId = await ProviderIdAsync(refundId);
        Assert.Equal(1500, await RefundedCentsAsync(paymentId));
        var beforeFailure = fx.Clock.GetUtcNow();

        var reports = Enumerable
            .Range(0, 12)
            .Select(i =>
                Event(
                    i % 3 == 0 ? "refund.failed"
                        : i % 3 == 1 ? "refund.updated"
                        : "charge.refund.updated",
                    RefundObject(stripeId, paymentId, refundId, 500, "failed", "lost_or_stolen_card")
                )
            );
        foreach (var response in await Task.WhenAll(reports.Select(r => fx.DeliverAsync(r))))
            await response.AssertStatus(200);

        Assert.Equal("failed", await RefundStatusAsync(refundId));
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
        // A stale total that still counted the failed 500 raises nothing.
        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 1500), created: beforeFailure));
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));

        // Told, an operator refunds the 500 from Stripe's dashboard; Stripe's total after the failure no longer has
        // the failed one in it, so it counts in full.
        await fx.AcceptedAsync(
            Event("charge.refunded", Charge(paymentId, 2500, 1500), created: fx.Clock.GetUtcNow().AddSeconds(2))
        );
        Assert.Equal(1500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 1000, 500, 500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("canceled")]
    public async Task A_refund_stripe_fails_at_once_is_recorded_failed_and_answered_422_with_nothing_refunded(
        string answer
    )
    {
        var (paymentId, seller) = await PaidAsync(2500);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), answer);

        var problem = await (await fx.RefundAsync(paymentId, seller, 1000, "at-once-" + answer)).AssertProblem(422);

        Assert.Equal("Refund failed", problem["title"]!.GetValue<string>());
        Assert.Equal("failed", problem["refund_status"]!.GetValue<string>());
        var refundId = Guid.Parse(problem["refund_id"]!.GetValue<string>());
        Assert.Equal("failed", await RefundStatusAsync(refundId));
        Assert.Equal(0, await RefundedCentsAsync(paymentId));
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        // Nobody may be waiting on the answer (an automatic refund): the failure is published for someone to act on.
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));

        // The same request again replays the recorded failure; Stripe's own refund.failed for it changes nothing more.
        var again = await (await fx.RefundAsync(paymentId, seller, 1000, "at-once-" + answer)).AssertProblem(422);
        Assert.Equal(refundId.ToString(), again["refund_id"]!.GetValue<string>());
        Assert.Single(fx.Stripe.WithKey("refund-" + refundId));
        await fx.AcceptedAsync(
            Event("refund.failed", RefundObject(await ProviderIdAsync(refundId), paymentId, refundId, 1000, "failed"))
        );
        Assert.Equal(0, await RefundedCentsAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));

        // Nothing moved, so all of it is still refundable.
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "succeeded");
        var refund = await (await fx.RefundAsync(paymentId, seller, null, "at-once-retry-" + answer)).AssertStatus(201);
        Assert.Equal(2500, refund["amount_cents"]!.GetValue<long>());
    }

    [Fact]
    public async Task Refund_events_about_refunds_we_do_not_know_are_acknowledged_and_change_nothing()
    {
        var (paymentId, seller) = await PaidAsync(2500);
        var refundId = Guid.Parse(
            (await (await fx.RefundAsync(paymentId, seller, 1000, "known")).AssertStatus(201))["id"]!.GetValue<string>()
        );

        // One made in Stripe's dashboard (no metadata), and one naming our payment but no refund of ours.
        Assert.False(
            await fx.AcceptedAsync(
                Event(
                    "refund.failed",
                    new
                    {
                        id = "re_dashboard_" + Guid.NewGuid().ToString("N"),
                        @object = "refund",
                        amount = 700,
                        status = "failed",
                        failure_reason = "lost_or_stolen_card",
                        payment_intent = IntentOf(paymentId),
                        metadata = new { },
                    }
                )
            )
        );
        Assert.False(
            await fx.AcceptedAsync(
                Event(
                    "refund.failed",
                    RefundObject(
                        "re_unknown_" + Guid.NewGuid().ToString("N"),
                        paymentId,
                        Guid.NewGuid(),
                        1000,
                        "failed"
                    )
                )
            )
        );

        Assert.Equal("succeeded", await RefundStatusAsync(refundId));
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(0, await fx.OutboxCountAsync("PaymentRefundFailed", paymentId));
    }

    [Fact]
    public async Task A_refund_is_found_by_the_refund_id_in_its_metadata_when_stripes_id_is_not_recorded()
    {
        var (paymentId, seller) = await PaidAsync(2500);
        fx.Stripe.AnswerRefunds(IntentOf(paymentId), "pending");
        var refundId = Guid.Parse(
            (await (await fx.RefundAsync(paymentId, seller, 800, "by-metadata")).AssertStatus(201))[
                "id"
            ]!.GetValue<string>()
        );
        var stripeId = await ProviderIdAsync(refundId);
        await fx.ExecuteAsync("UPDATE refunds SET provider_refund_id = NULL WHERE id = @id", ("id", refundId));

        await fx.AcceptedAsync(
            Event(
                "refund.updated",
                new
                {
                    id = stripeId,
                    @object = "refund",
                    amount = 800,
                    status = "succeeded",
                    payment_intent = IntentOf(paymentId),
                    metadata = new { refund_id = refundId.ToString() },
                }
            )
        );

        Assert.Equal("succeeded", await RefundStatusAsync(refundId));
        Assert.Equal(stripeId, await ProviderIdAsync(refundId));
    }

    /// <summary>
    /// A refund object as Stripe sends it in refund.* events, carrying the metadata Refunder gave it.
    /// </summary>
    private static object RefundObject(
        string stripeId,
        Guid paymentId,
        Guid refundId,
        long amount,
        string status,
        string? failureReason = null
    ) =>
        new
        {
            id = stripeId,
            @object = "refund",
            amount,
            currency = "eur",
            status,
            failure_reason = failureReason,
            payment_intent = IntentOf(paymentId),
            metadata = new { payment_id = paymentId.ToString(), refund_id = refundId.ToString() },
        };

    /// <summary>A settled payment of a held seat, and a token of its seller (who may refund it).</summary>
    private async Task<(Guid PaymentId, string SellerToken)> PaidAsync(long amountCents)
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(amountCents);
        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));
        return (paymentId, fx.TokenFor(sellerId));
    }

    private Task<string?> RefundStatusAsync(Guid refundId) =>
        fx.ScalarAsync<string>("SELECT status FROM refunds WHERE id = @id", ("id", refundId));

    private async Task<string> ProviderIdAsync(Guid refundId) =>
        (await fx.ScalarAsync<string>("SELECT provider_refund_id FROM refunds WHERE id = @id", ("id", refundId)))!;

    private Task<long> RefundedCentsAsync(Guid paymentId) =>
        fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId));

    private Task<string?> RefundFailedFieldAsync(Guid paymentId, string field) =>
        fx.ScalarAsync<string>(
            "SELECT payload->>@field FROM outbox_messages WHERE type LIKE '%.PaymentRefundFailed,%' AND "
                + "payload->>'paymentId' = @id",
            ("field", field),
            ("id", paymentId.ToString())
        );
}
