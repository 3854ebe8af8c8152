using Community.Contracts.Social;
using Community.Payments.Refunds;
using MassTransit;

namespace Community.Payments.Sales;

/// <summary>
/// A paid group's membership awaits payment: remember its price and buyer; checkout reads the amount from here.
/// </summary>
public sealed class GroupMembershipPendingConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<GroupMembershipPendingConsumer> logger
) : IdempotentConsumer<GroupMembershipPending, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMembershipPending> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // Social opens a new purchase when the price changes, so a reference's price never changes: the first
        // announcement stands.
        if (await Db.SellableItems.AnyAsync(i => i.ReferenceId == m.PurchaseId, cancellationToken))
            return;
        Db.SellableItems.Add(
            new SellableItem
            {
                ReferenceId = m.PurchaseId,
                Purpose = PaymentPurposes.GroupMembership,
                UserId = m.UserId,
                AmountCents = m.PriceCents,
                Currency = m.Currency.ToUpperInvariant(),
                SellerUserId = m.OwnerUserId,
                CreatedAt = clock.GetUtcNow(),
            }
        );
    }
}

/// <summary>
/// Social could not honour a paid membership (the group went, a block, a mismatch): the payer gets it all back.
/// </summary>
public sealed class GroupMembershipRejectedConsumer(
    PaymentsDbContext db,
    TimeProvider clock,
    ILogger<GroupMembershipRejectedConsumer> logger
) : IdempotentConsumer<GroupMembershipRejected, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<GroupMembershipRejected> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == m.PaymentId, cancellationToken);
        if (payment is null || payment.Purpose != PaymentPurposes.GroupMembership || payment.RefundableCents == 0)
            return;
        logger.LogInformation(
            "Refunding payment {PaymentId}: group membership {PurchaseId} was not honoured ({Reason})",
            m.PaymentId,
            m.PurchaseId,
            m.Reason
        );
        // The same id as events' rejections: however often it is asked for, the payment is refunded once.
        Db.AddIntegrationEvent(
            new PaymentRefundRequested(
                Guid.CreateVersion7(),
                clock.GetUtcNow(),
                RefundRules.DeterministicId("rejected", m.PaymentId),
                m.PaymentId,
                null,
                CheckoutService.NotHonoured + ": " + m.Reason,
                null
            )
        );
    }
}
