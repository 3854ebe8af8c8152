using Community.Contracts;
using Community.Contracts.Payments;
using Community.Contracts.Social;
using Community.ServiceDefaults.Messaging;
using Community.Social.Data;
using MassTransit;

namespace Community.Social.Groups;

/// <summary>
/// A group_membership payment settled: the payer becomes a member; if social can no longer honour it,
/// GroupMembershipRejected asks payments to refund. Redelivered messages are handled once (inbox), and
/// the membership itself is idempotent per payment.
/// </summary>
public sealed class GroupMembershipPaidConsumer(SocialDbContext db, TimeProvider clock, ILogger<GroupMembershipPaidConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PaymentSucceeded> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (m.Purpose != PaymentPurposes.GroupMembership) return;
        var now = clock.GetUtcNow();
        var (outcome, reason) = await GroupPurchases.SettleAsync(Db, m.ReferenceId, m.PaymentId, m.UserId, m.AmountCents, m.Currency, now, cancellationToken);
        if (outcome != PurchaseOutcome.Rejected) return;
        logger.LogWarning("Payment {PaymentId} for group membership {PurchaseId} cannot be honoured: {Reason}", m.PaymentId, m.ReferenceId, reason);
        Db.AddIntegrationEvent(new GroupMembershipRejected(Guid.CreateVersion7(), now, m.PaymentId, m.ReferenceId, reason!));
    }
}
