using Community.Contracts.Social;
using Community.Payments.Refunds;
using Community.ServiceDefaults.Data;
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
        // One at a time with the group's deletion: a membership told meanwhile is ended by it, or sees it.
        await Db.Database.LockKeyAsync(GroupSales.LockKey(m.GroupId), cancellationToken);
        // Social opens a new purchase when the price changes, so a reference's price never changes: the first
        // announcement stands.
        if (await Db.SellableItems.AnyAsync(i => i.ReferenceId == m.PurchaseId, cancellationToken))
            return;
        // Told after its group's deletion (a message retried, or delivered after the deletion's): ended by it.
        var deleted = await Db
            .DeletedGroups.Where(g => g.GroupId == m.GroupId)
            .Select(g => (DateTimeOffset?)g.DeletedAt)
            .FirstOrDefaultAsync(cancellationToken);
        Db.SellableItems.Add(
            new SellableItem
            {
                ReferenceId = m.PurchaseId,
                Purpose = PaymentPurposes.GroupMembership,
                UserId = m.UserId,
                AmountCents = m.PriceCents,
                Currency = m.Currency.ToUpperInvariant(),
                GroupId = m.GroupId,
                SellerUserId = m.OwnerUserId,
                CreatedAt = clock.GetUtcNow(),
                ExpiresAt = deleted,
            }
        );
    }
}

/// <summary>
/// A group deleted: its memberships awaiting payment are sold no more (a checkout is refused, and those already open
/// end), as a cancelled event's seat holds are, nor is one whose price is told after this. One paid regardless (a
/// checkout page left open, paid in the moment before it ended) is still given back when social refuses it.
/// </summary>
public sealed class GroupDeletedConsumer(PaymentsDbContext db, TimeProvider clock, ILogger<GroupDeletedConsumer> logger)
    : IdempotentConsumer<GroupDeleted, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<GroupDeleted> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var now = clock.GetUtcNow();
        await Db.Database.LockKeyAsync(GroupSales.LockKey(m.GroupId), cancellationToken);
        if (!await Db.DeletedGroups.AnyAsync(g => g.GroupId == m.GroupId, cancellationToken))
            Db.DeletedGroups.Add(new DeletedGroup { GroupId = m.GroupId, DeletedAt = now });
        await Db
            .SellableItems.Where(i =>
                i.GroupId == m.GroupId
                && i.Purpose == PaymentPurposes.GroupMembership
                && (i.ExpiresAt == null || i.ExpiresAt > now)
            )
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.ExpiresAt, now), cancellationToken);
        await Db
            .Payments.Where(p =>
                p.Purpose == PaymentPurposes.GroupMembership
                && Db.SellableItems.Any(i => i.ReferenceId == p.ReferenceId && i.GroupId == m.GroupId)
            )
            .EndPendingAsync(PaymentStatus.Expired, "group_deleted", now, cancellationToken);
    }
}

/// <summary>What the consumers of a group's memberships share.</summary>
internal static class GroupSales
{
    /// <summary>The advisory lock a group's memberships and its deletion are written under, one at a time.</summary>
    public static string LockKey(Guid groupId) => "group-sales:" + groupId;
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
