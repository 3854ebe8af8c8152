using static Community.Payments.Tests.StripePaymentsFixture;

namespace Community.Payments.Tests;

/// <summary>
/// A chargeback (Stripe's charge.dispute.funds_withdrawn) counts as a refund of the disputed amount: all that was
/// left is a full refund, which takes back what the money bought and leaves nothing to refund; one dispute counts once,
/// however many events report it. Money Stripe gives back after the dispute is recorded and takes nothing back again.
/// </summary>
public sealed class ChargebackTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    private const string StarterPack = "6d1c4f0e-5b8a-4e55-9a53-1f3c2b7a9e01";

    [Fact]
    public async Task A_credit_pack_whose_disputed_money_is_withdrawn_loses_its_credits()
    {
        var (userId, token, paymentId) = await PaidCreditPackAsync();

        Assert.False(
            await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, NewDisputeId(), 499)))
        );

        // A full refund, as far as everything downstream can tell.
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(499, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 499 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal("499", await RefundedFieldAsync(paymentId, "totalRefundedCents"));
        await Eventually.TrueAsync(
            async () => await BalanceAsync(token) == 0,
            "the disputed pack's credits were not taken back"
        );
        var entries = (await CreditsAsync(token))["items"]!.AsArray();
        var clawback = entries.Single(e => e!["kind"]!.GetValue<string>() == "clawback")!;
        Assert.Equal(-100, clawback["amount"]!.GetValue<long>());
        Assert.Equal(1L, await ClawbacksAsync(userId));
    }

    [Fact]
    public async Task The_same_dispute_reported_under_other_event_ids_takes_back_once()
    {
        var (userId, token, paymentId) = await PaidCreditPackAsync();
        var disputeId = NewDisputeId();
        var withdrawn = Event("charge.dispute.funds_withdrawn", Dispute(paymentId, disputeId, 499));

        Assert.False(await fx.AcceptedAsync(withdrawn));
        Assert.True(await fx.AcceptedAsync(withdrawn));
        // Each event id is new to the webhook's dedupe; the dispute's id is what counts it once, even at once.
        var reports = Enumerable
            .Range(0, 4)
            .Select(_ => Event("charge.dispute.funds_withdrawn", Dispute(paymentId, disputeId, 499)));
        var again = await Task.WhenAll(reports.Select(r => fx.DeliverAsync(r)));
        foreach (var response in again)
            Assert.False((await response.AssertStatus(200))["duplicate"]!.GetValue<bool>());

        Assert.Equal(new long[] { 499 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
        Assert.Equal(1L, await ChargebacksAsync(disputeId));
        await Eventually.TrueAsync(
            async () => await BalanceAsync(token) == 0,
            "the disputed pack's credits were not taken back"
        );
        Assert.Equal(1L, await ClawbacksAsync(userId));
    }

    [Theory]
    [InlineData(1500)]
    [InlineData(2500)]
    public async Task A_dispute_after_a_partial_refund_counts_on_top_of_it_up_to_what_was_paid(long disputed)
    {
        var (paymentId, seller) = await PaidTicketAsync(2500);
        await (await fx.RefundAsync(paymentId, seller, 1000, "before-dispute-" + disputed)).AssertStatus(201);

        // Stripe withdraws what was left, or (an issuer disputing the whole charge after a partial refund) all of it.
        await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, NewDisputeId(), disputed)));

        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(2500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 1000, 1500 }, await fx.RefundDeltasAsync(paymentId));
        // Stripe's amount_refunded leaves disputes out: its report of the refund, late, lowers nothing.
        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 1000)));
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(2500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 1000, 1500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_partial_chargeback_and_a_refund_stripe_reports_add_up()
    {
        var (paymentId, _) = await PaidTicketAsync(2500);

        await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, NewDisputeId(), 1000)));
        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1000, await RefundedCentsAsync(paymentId));

        // A refund made in Stripe's dashboard: amount_refunded counts it, and not the dispute.
        await fx.AcceptedAsync(Event("charge.refunded", Charge(paymentId, 2500, 500)));

        Assert.Equal("partially_refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(1500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 1000, 500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_refund_asked_after_the_withdrawal_is_refused_and_stripe_is_not_asked()
    {
        var (paymentId, _) = await PaidTicketAsync(2500);
        await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, NewDisputeId(), 2500)));
        var admin = fx.TokenFor(Guid.NewGuid(), "admin");

        // The payer has the money back through the card issuer: a refund would pay them twice.
        var all = await (await fx.RefundAsync(paymentId, admin, null, "after-dispute-all")).AssertProblem(422);
        var part = await (await fx.RefundAsync(paymentId, admin, 100, "after-dispute-part")).AssertProblem(422);

        Assert.Equal(0, all["refundable_cents"]!.GetValue<long>());
        Assert.Equal(0, part["refundable_cents"]!.GetValue<long>());
        Assert.DoesNotContain(
            fx.Stripe.Received,
            r => r.Path == "/v1/refunds" && r.Field("payment_intent") == IntentOf(paymentId)
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @id", ("id", paymentId))
        );
        Assert.Equal(new long[] { 2500 }, await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task A_dispute_of_a_payment_we_do_not_know_is_acknowledged_and_changes_nothing()
    {
        var (paymentId, _) = await PaidTicketAsync(2500);
        var stranger = Guid.NewGuid();
        var disputeId = NewDisputeId();
        var unknown = Event("charge.dispute.funds_withdrawn", Dispute(stranger, disputeId, 2500));
        // A charge made without a payment intent (never one of ours) names nothing at all.
        var noIntent = Event(
            "charge.dispute.funds_withdrawn",
            new
            {
                id = NewDisputeId(),
                @object = "dispute",
                amount = 2500,
                currency = "eur",
                charge = "ch_legacy_" + stranger.ToString("N"),
                payment_intent = (string?)null,
                reason = "fraudulent",
                status = "needs_response",
                metadata = new { },
            }
        );

        Assert.False(await fx.AcceptedAsync(unknown));
        Assert.False(await fx.AcceptedAsync(noIntent));

        Assert.Equal(1, await fx.WebhookEventsAsync(unknown.EventId));
        Assert.Equal(1, await fx.WebhookEventsAsync(noIntent.EventId));
        Assert.Equal(0L, await ChargebacksAsync(disputeId));
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE id = @id", ("id", stranger)));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE payload->>'paymentId' = @id",
                ("id", stranger.ToString())
            )
        );
        Assert.Equal("succeeded", await fx.StatusOfAsync(paymentId));
        Assert.Empty(await fx.RefundDeltasAsync(paymentId));
    }

    [Fact]
    public async Task Money_returned_after_a_won_dispute_is_recorded_and_changes_nothing_else()
    {
        var (paymentId, _) = await PaidTicketAsync(2500);
        var disputeId = NewDisputeId();
        await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, disputeId, 2500)));

        await fx.AcceptedAsync(
            Event("charge.dispute.funds_reinstated", Dispute(paymentId, disputeId, 2500, status: "won"))
        );
        var returnedAt = await ReinstatedAtAsync(disputeId);
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        // Reported again, and the withdrawal reported late under another id: neither counts anything.
        await fx.AcceptedAsync(
            Event("charge.dispute.funds_reinstated", Dispute(paymentId, disputeId, 2500, status: "won"))
        );
        await fx.AcceptedAsync(Event("charge.dispute.funds_withdrawn", Dispute(paymentId, disputeId, 2500)));

        // What the withdrawal took back stays taken (an operator gives it back; the warning says so).
        Assert.NotNull(returnedAt);
        Assert.Equal(returnedAt, await ReinstatedAtAsync(disputeId));
        Assert.Equal(1L, await ChargebacksAsync(disputeId));
        Assert.Equal("refunded", await fx.StatusOfAsync(paymentId));
        Assert.Equal(2500, await RefundedCentsAsync(paymentId));
        Assert.Equal(new long[] { 2500 }, await fx.RefundDeltasAsync(paymentId));
        Assert.Equal(1, await fx.OutboxCountAsync("PaymentSucceeded", paymentId));
    }

    // ---- helpers ----

    /// <summary>
    /// A dispute object as Stripe sends it in charge.dispute.* events: its own metadata empty, the payment named by the
    /// intent of the disputed charge.
    /// </summary>
    private static object Dispute(Guid paymentId, string disputeId, long amount, string status = "needs_response") =>
        new
        {
            id = disputeId,
            @object = "dispute",
            amount,
            currency = "eur",
            charge = "ch_" + paymentId.ToString("N"),
            payment_intent = IntentOf(paymentId),
            reason = "fraudulent",
            status,
            is_charge_refundable = false,
            metadata = new { },
        };

    private static string NewDisputeId() => "dp_" + Guid.NewGuid().ToString("N");

    /// <summary>The Starter pack bought through Stripe's checkout, its 100 credits granted.</summary>
    private async Task<(Guid UserId, string Token, Guid PaymentId)> PaidCreditPackAsync()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.CheckoutAsync(token, "credits", Guid.Parse(StarterPack));
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        await fx.AcceptedAsync(
            Event("checkout.session.completed", Session(checkout["session_id"]!.GetValue<string>(), paymentId))
        );
        await Eventually.TrueAsync(async () => await BalanceAsync(token) == 100, "the pack's credits never arrived");
        return (userId, token, paymentId);
    }

    /// <summary>A settled payment of a held seat, and a token of its seller (who may refund it).</summary>
    private async Task<(Guid PaymentId, string SellerToken)> PaidTicketAsync(long amountCents)
    {
        var (_, _, sellerId, paymentId, sessionId) = await fx.OpenCheckoutAsync(amountCents);
        await fx.AcceptedAsync(Event("checkout.session.completed", Session(sessionId, paymentId)));
        return (paymentId, fx.TokenFor(sellerId));
    }

    private async Task<JsonNode> CreditsAsync(string token) =>
        await (await fx.Client.Get("/api/v1/credits", token)).AssertStatus(200);

    private async Task<long> BalanceAsync(string token) => (await CreditsAsync(token))["balance"]!.GetValue<long>();

    private Task<long> ClawbacksAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM credit_transactions WHERE user_id = @u AND kind = 'clawback'",
            ("u", userId)
        );

    private Task<long> RefundedCentsAsync(Guid paymentId) =>
        fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @id", ("id", paymentId));

    private Task<string?> RefundedFieldAsync(Guid paymentId, string field) =>
        fx.ScalarAsync<string>(
            "SELECT payload->>@field FROM outbox_messages WHERE type LIKE '%.PaymentRefunded,%' AND "
                + "payload->>'paymentId' = @id",
            ("field", field),
            ("id", paymentId.ToString())
        );

    private Task<long> ChargebacksAsync(string disputeId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM chargebacks WHERE dispute_id = @d", ("d", disputeId));

    private Task<DateTime?> ReinstatedAtAsync(string disputeId) =>
        fx.ScalarAsync<DateTime?>("SELECT reinstated_at FROM chargebacks WHERE dispute_id = @d", ("d", disputeId));
}
