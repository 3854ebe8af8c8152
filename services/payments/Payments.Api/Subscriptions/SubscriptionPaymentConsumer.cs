using MassTransit;

namespace Community.Payments.Subscriptions;

/// <summary>
/// A subscription checkout was paid: the plan bought (the payment's product) becomes the user's
/// tier for one billing period from the payment (the period it was sold with, whatever the
/// configuration says now), replacing any earlier subscription, unless that is a dearer plan whose paid period runs
/// (then this one is refunded and stopped). The payment
/// row is locked first, as <see cref="SubscriptionRefundedConsumer"/> locks it, so a subscription
/// refunded in full before this ran never starts.
/// </summary>
public sealed class SubscriptionPaymentConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    SubscriptionBook book,
    IOptions<PaymentsOptions> options,
    TimeProvider clock,
    ILogger<SubscriptionPaymentConsumer> logger
) : DeliveryConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Subscription;

    protected override async Task DeliverAsync(
        Payment payment,
        PaymentSucceeded message,
        CancellationToken cancellationToken
    )
    {
        if (
            payment.Product is not { } plan
            || !SubscriptionsApi.PaidTiers.Contains(plan, StringComparer.OrdinalIgnoreCase)
            || SubscriptionPeriods.DaysOf(payment, options.Value) is not { } periodDays
        )
            throw new InvalidOperationException(
                $"Subscription payment {payment.Id} names no tier sold or no period ('{payment.Product}')."
            );

        var subscription = await book.LockAsync(payment.UserId, cancellationToken) ?? book.Add(payment.UserId, plan);
        if (subscription.LastPaymentId == payment.Id)
            return;
        var paidAt = payment.CapturedAt ?? payment.SucceededAt ?? message.OccurredAt;
        // Handled after a later purchase (a queue that lagged, a replay, a webhook Stripe retried for an hour): the
        // later one, as the provider captured them, stands, and this one is what it replaces, stopped at its period
        // end as the later one's delivery stops whatever came before it.
        if (
            subscription.Status != SubscriptionStatus.Canceled
            && subscription.LastPaymentId is { } lastId
            && await Db
                .Payments.Where(p => p.Id == lastId)
                .Select(p => p.CapturedAt ?? p.SucceededAt)
                .FirstOrDefaultAsync(cancellationToken)
                is { } lastPaidAt
            && lastPaidAt > paidAt
        )
        {
            logger.LogInformation(
                "Subscription payment {PaymentId} of user {UserId} came after the later {LastPaymentId}; it stays "
                    + "replaced",
                payment.Id,
                payment.UserId,
                lastId
            );
            if (payment.ProviderSubscriptionId is { } superseded && superseded != subscription.ProviderSubscriptionId)
                SubscriptionCanceller.Request(
                    Db,
                    payment.UserId,
                    superseded,
                    atPeriodEnd: true,
                    null,
                    clock.GetUtcNow()
                );
            return;
        }
        var now = clock.GetUtcNow();
        // A dearer plan's paid period runs: a cheaper one paid after it (a checkout left open in another tab, or paid
        // while the dearer one's payment was on its way) would take the rest of that period away. It is not delivered:
        // its money goes back and its subscription at the provider stops now, before it renews.
        if (
            subscription
                is { Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing, CurrentPeriodEnd: { } paidEnd }
            && paidEnd > now
            && Memberships.Rank(subscription.Plan) > Memberships.Rank(plan.ToLowerInvariant())
            && subscription.ProviderSubscriptionId != payment.ProviderSubscriptionId
        )
        {
            logger.LogInformation(
                "Subscription payment {PaymentId} of user {UserId} buys {Plan} while {Current} is paid until {End}: "
                    + "refunded and stopped, not delivered",
                payment.Id,
                payment.UserId,
                plan,
                subscription.Plan,
                paidEnd
            );
            RefundInstead(payment, "dearer-plan-paid", CheckoutService.NotHonoured + ": dearer_plan_paid", now);
            return;
        }
        var replaced =
            subscription.ProviderSubscriptionId is { } earlier
            && earlier != payment.ProviderSubscriptionId
            && subscription.Status != SubscriptionStatus.Canceled
                ? earlier
                : null;
        // A replaced subscription whose period is paid runs to its end; one behind on payment (past_due, unpaid, our
        // expired) stops now: at its period's end Stripe would still collect the renewal invoice left open, charging
        // the member for a plan they no longer have.
        var paidUp = subscription.Status is SubscriptionStatus.Active or SubscriptionStatus.Trialing;

        await book.ChangeAsync(
            subscription,
            s =>
            {
                s.Plan = plan.ToLowerInvariant();
                s.Status = SubscriptionStatus.Active;
                // Another subscription's events are ordered apart from the one it replaces.
                if (s.ProviderSubscriptionId != payment.ProviderSubscriptionId)
                    s.ProviderEventAt = null;
                s.ProviderSubscriptionId = payment.ProviderSubscriptionId;
                s.LastPaymentId = payment.Id;
                s.PeriodDays = periodDays;
                s.CurrentPeriodEnd = BillingPeriods.EndAfter(paidAt, periodDays);
                s.CancelAtPeriodEnd = false;
            },
            cancellationToken
        );

        // The new subscription supersedes the old one (an upgrade, a downgrade, a renewed cancellation): stop billing
        // it, after this commits.
        if (replaced is not null)
        {
            logger.LogInformation(
                "Subscription {Old} of user {UserId} replaced by {New}; cancelling it {When}",
                replaced,
                payment.UserId,
                payment.ProviderSubscriptionId,
                paidUp ? "at its period end" : "now (behind on payment)"
            );
            SubscriptionCanceller.Request(Db, payment.UserId, replaced, atPeriodEnd: paidUp, null, now);
        }
    }
}

/// <summary>
/// The current period's payment was refunded in full: the subscription ends now, at the provider too (asked after
/// the commit by <see cref="SubscriptionCanceller"/>), so it cannot renew and charge again. A refund of a period since
/// renewed (a goodwill refund of the first month, in the sixth) leaves the subscription and the period paid now.
/// </summary>
public sealed class SubscriptionRefundedConsumer(
    PaymentsDbContext db,
    PaymentBook payments,
    SubscriptionBook book,
    IOptions<PaymentsOptions> options,
    TimeProvider clock,
    ILogger<SubscriptionRefundedConsumer> logger
) : FullRefundConsumer(db, payments, logger)
{
    protected override string Purpose => PaymentPurposes.Subscription;

    protected override async Task TakeBackAsync(Payment payment, CancellationToken cancellationToken)
    {
        var subscription = await book.LockAsync(payment.UserId, cancellationToken);
        if (
            subscription is null
            || subscription.LastPaymentId != payment.Id
            || subscription.Status == SubscriptionStatus.Canceled
        )
        {
            // Refunded before it was delivered (it never will be now), or after a later purchase replaced it: its
            // subscription at the provider started all the same and would renew and charge, and nothing here holds it.
            if (payment.ProviderSubscriptionId is { } unheld && subscription?.ProviderSubscriptionId != unheld)
                SubscriptionCanceller.Request(Db, payment.UserId, unheld, atPeriodEnd: false, null, clock.GetUtcNow());
            return;
        }
        if (RenewedSince(subscription, payment))
        {
            logger.LogInformation(
                "Subscription payment {PaymentId} of {UserId} was refunded after its period renewed (now until "
                    + "{PeriodEnd}): the subscription stays",
                payment.Id,
                payment.UserId,
                subscription.CurrentPeriodEnd
            );
            return;
        }
        // It ends now, here, whatever the provider answers (as a disputed one does): the member has their money back.
        // The provider is told to stop it too, and asked again until it does.
        if (subscription.ProviderSubscriptionId is { } providerId)
        {
            SubscriptionCanceller.Request(
                Db,
                payment.UserId,
                providerId,
                atPeriodEnd: false,
                payment.Id,
                clock.GetUtcNow()
            );
        }
        await EndNowAsync(book, subscription, clock, cancellationToken);
        logger.LogInformation(
            "Subscription payment {PaymentId} was refunded: {UserId}'s {Plan} subscription ended now",
            payment.Id,
            payment.UserId,
            subscription.Plan
        );
    }

    /// <summary>
    /// Whether the subscription's period now is a later one than <paramref name="payment"/> paid for, and paid: its end
    /// is at least half a period past the end of the paid one (the tolerance the provider's updates get: the end set at
    /// the payment and the provider's anchor differ by moments, or a month's length) and its renewal was paid (active
    /// or trialing). A renewal whose charge failed (past_due, unpaid...) moved the end but paid nothing: the refund of
    /// the last paid period ends it as before, or the provider would go on asking the member to pay.
    /// </summary>
    private bool RenewedSince(Subscription subscription, Payment payment)
    {
        if (
            subscription.Status is not (SubscriptionStatus.Active or SubscriptionStatus.Trialing)
            || subscription.CurrentPeriodEnd is not { } end
            || (payment.CapturedAt ?? payment.SucceededAt) is not { } paidAt
            || SubscriptionPeriods.DaysOf(subscription, options.Value) is not { } days
        )
            return false;
        return end >= BillingPeriods.EndAfter(paidAt, days) + TimeSpan.FromDays(days / 2.0);
    }

    /// <summary>Ends <paramref name="subscription"/> (locked) now; the caller saves.</summary>
    public static Task EndNowAsync(
        SubscriptionBook book,
        Subscription subscription,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        return book.ChangeAsync(
            subscription,
            s =>
            {
                s.Status = SubscriptionStatus.Canceled;
                s.CancelAtPeriodEnd = false;
                s.CurrentPeriodEnd = now;
            },
            cancellationToken
        );
    }
}

/// <summary>
/// Carries out a stop of a subscription asked after its commit (<see cref="SubscriptionCanceller"/>). Not an inbox
/// consumer: the provider is asked outside any transaction, and both calls are idempotent there; a request whose
/// retries run out here is asked again by <see cref="SubscriptionCancellationRecovery"/>.
/// </summary>
public sealed class SubscriptionCancellationConsumer(SubscriptionCanceller canceller)
    : IConsumer<SubscriptionCancellationRequested>
{
    public Task Consume(ConsumeContext<SubscriptionCancellationRequested> context) =>
        canceller.CarryOutAsync(context.Message, context.CancellationToken);
}
