using Community.Contracts;
using Community.Contracts.Payments;
using Community.Contracts.Social;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Social.Groups;

/// <summary>
/// A group_membership payment settled: the payer becomes a member; if social can no longer honour it,
/// GroupMembershipRejected asks payments to refund. Redelivered messages are handled once (inbox), and
/// the membership itself is idempotent per payment.
/// </summary>
public sealed class GroupMembershipPaidConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<GroupMembershipPaidConsumer> logger
) : IdempotentConsumer<PaymentSucceeded, SocialDbContext>(db, logger)
{
    protected override bool Concerns(PaymentSucceeded message) => message.Purpose == PaymentPurposes.GroupMembership;

    protected override async Task HandleAsync(
        ConsumeContext<PaymentSucceeded> context,
        CancellationToken cancellationToken
    )
    {
        // Before the group's and the purchase's locks, as the erasure takes it: a membership settled while its payer's
        // account is erased is either erased with it or, after it, finds the purchase gone (refunded).
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        var (outcome, reason) = await GroupPurchases.SettleAsync(
            Db,
            m.ReferenceId,
            m.PaymentId,
            m.UserId,
            m.AmountCents,
            m.Currency,
            clock,
            cancellationToken
        );
        if (outcome != PurchaseOutcome.Rejected)
            return;
        logger.LogWarning(
            "Payment {PaymentId} for group membership {PurchaseId} cannot be honoured: {Reason}",
            m.PaymentId,
            m.ReferenceId,
            reason
        );
        Db.AddIntegrationEvent(
            new GroupMembershipRejected(Guid.CreateVersion7(), clock.GetUtcNow(), m.PaymentId, m.ReferenceId, reason!)
        );
    }
}

/// <summary>
/// A paid membership's payment was refunded in full (the owner or an admin refunded it): the plain membership it
/// bought ends (GroupMemberLeft) while its seller owns the group (<see cref="GroupPurchases.RefundedAsync"/>). A
/// partial refund keeps it; a refund of a payment that bought nothing (a rejected one) finds no purchase.
/// </summary>
public sealed class GroupMembershipRefundedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<GroupMembershipRefundedConsumer> logger
) : IdempotentConsumer<PaymentRefunded, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<PaymentRefunded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (
            !await GroupPurchases.RefundedAsync(
                Db,
                m.ReferenceId,
                m.PaymentId,
                m.UserId,
                m.TotalRefundedCents,
                m.Currency,
                clock,
                cancellationToken
            )
        )
            return;
        logger.LogInformation(
            "Payment {PaymentId} was refunded in full: the membership it bought ({PurchaseId}) ended",
            m.PaymentId,
            m.ReferenceId
        );
    }
}
