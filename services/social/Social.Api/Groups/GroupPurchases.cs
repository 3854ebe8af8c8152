using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Community.Social.Users;

namespace Community.Social.Groups;

/// <summary>What became of a group_membership payment; Rejected means the payer must be refunded.</summary>
public enum PurchaseOutcome
{
    Joined,
    AlreadyHandled,
    Rejected,
}

/// <summary>
/// Paid memberships. Joining a paid group opens a purchase at the group's price (announced to payments as
/// GroupMembershipPending, its id the checkout's reference); the settled payment makes the buyer a member,
/// once per payment. A payment social can no longer honour is answered with GroupMembershipRejected.
/// </summary>
public static class GroupPurchases
{
    /// <summary>
    /// The buyer's open purchase of <paramref name="group"/> at its current price, or a new one. Runs under
    /// the group's lock (the join's), so two joins at once find or open the same one. 403 across a block between
    /// the buyer and the owner: the payment would only be refunded.
    /// </summary>
    public static async Task<GroupPurchase> OpenAsync(
        SocialDbContext db,
        Group group,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (await ProfileAccess.BlockedEitherWayAsync(db, userId, group.OwnerId, cancellationToken))
            throw new ForbiddenException(
                "You cannot buy a membership of a group whose owner you blocked or who blocked you."
            );
        var currency = group.Currency!;
        var open = await db.GroupPurchases.FirstOrDefaultAsync(
            p =>
                p.GroupId == group.Id
                && p.UserId == userId
                && p.PaymentId == null
                && p.PriceCents == group.PriceCents
                && p.Currency == currency
                && p.SellerId == group.OwnerId,
            cancellationToken
        );
        if (open is not null)
            return open;
        // A new price, or a new owner, is a new reference: payments keeps the first price and seller it heard of.
        var purchase = new GroupPurchase
        {
            Id = NewId.Next(now),
            GroupId = group.Id,
            UserId = userId,
            PriceCents = group.PriceCents,
            Currency = currency,
            SellerId = group.OwnerId,
            CreatedAt = now,
        };
        db.GroupPurchases.Add(purchase);
        db.AddIntegrationEvent(
            new GroupMembershipPending(
                Guid.CreateVersion7(),
                now,
                purchase.Id,
                group.Id,
                userId,
                purchase.PriceCents,
                currency,
                group.OwnerId
            )
        );
        return purchase;
    }

    /// <summary>
    /// Makes the payer a member for <paramref name="paymentId"/>, once per payment (again: AlreadyHandled); Rejected,
    /// with its reason, when social can no longer honour the payment (each case below says which).
    /// </summary>
    public static async Task<(PurchaseOutcome Outcome, string? Reason)> SettleAsync(
        SocialDbContext db,
        Guid purchaseId,
        Guid paymentId,
        Guid payerId,
        long amountCents,
        string currency,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var groupId = await db
            .GroupPurchases.AsNoTracking()
            .Where(p => p.Id == purchaseId)
            .Select(p => (Guid?)p.GroupId)
            .FirstOrDefaultAsync(cancellationToken);
        if (groupId is null)
            return (PurchaseOutcome.Rejected, "No group membership purchase has this reference.");
        // The group first, then the purchase: the order a join takes them in.
        var group = await db
            .Groups.FromSql($"SELECT *, xmin FROM groups WHERE id = {groupId} FOR NO KEY UPDATE")
            .AsNoTracking()
            .SingleOrDefaultAsync(cancellationToken);
        var purchase = await db
            .GroupPurchases.FromSql($"SELECT * FROM group_purchases WHERE id = {purchaseId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        // Timed under the group's lock, as every change of its members is (messaging orders them by time).
        var now = clock.GetUtcNow();
        if (purchase.PaymentId == paymentId)
            return (PurchaseOutcome.AlreadyHandled, null);
        if (purchase.PaymentId is not null)
            return (PurchaseOutcome.Rejected, "This membership was already paid by another payment.");
        if (group is null)
            return (PurchaseOutcome.Rejected, "The group was deleted.");
        if (payerId != purchase.UserId)
            return (PurchaseOutcome.Rejected, "The payment's payer is not the purchase's buyer.");
        if (
            amountCents != purchase.PriceCents
            || !string.Equals(currency, purchase.Currency, StringComparison.OrdinalIgnoreCase)
        )
            return (
                PurchaseOutcome.Rejected,
                $"The payment ({amountCents} {currency}) does not match the price ({purchase.PriceCents} "
                    + $"{purchase.Currency})."
            );
        if (!await db.UserProfiles.AnyAsync(p => p.UserId == payerId && p.DeletedAt == null, cancellationToken))
            return (PurchaseOutcome.Rejected, "The payer's account is gone.");
        if (await ProfileAccess.BlockedEitherWayAsync(db, payerId, group.OwnerId, cancellationToken))
            return (PurchaseOutcome.Rejected, "The payer and the group's owner blocked one another.");
        // The group as it is now decides, not as it was when the purchase was opened.
        if (purchase.SellerId != group.OwnerId)
            return (
                PurchaseOutcome.Rejected,
                "The group changed hands since the purchase was opened: its payment went to the former owner."
            );
        if (
            group.PriceCents != purchase.PriceCents
            || !string.Equals(group.Currency, purchase.Currency, StringComparison.OrdinalIgnoreCase)
        )
            return (PurchaseOutcome.Rejected, "The group's price changed since the purchase was opened.");
        if (!await AdmitsAsync(db, group, payerId, cancellationToken))
            return (
                PurchaseOutcome.Rejected,
                "The group no longer admits the payer: it asks for an invitation or an approval they do not have."
            );
        // Removed (or their request or invitation ended) since the purchase was opened: the wait a join would meet
        // holds for a paid one too, unless the group invited them back.
        if (await WaitsToJoinAsync(db, group.Id, payerId, now, cancellationToken))
            return (
                PurchaseOutcome.Rejected,
                "The payer waits before joining the group again: they were removed from it, or their request or "
                    + "invitation ended."
            );
        // In while their request waited (invited since, or the group opened): the request is moot, no longer the
        // deciders' to act on, as for a free join.
        var requested = await db.GroupRequests.AnyAsync(
            r => r.GroupId == group.Id && r.UserId == payerId,
            cancellationToken
        );
        if (!await GroupMemberships.AddAsync(db, group.Id, payerId, GroupRoles.Member, now, cancellationToken))
            return (PurchaseOutcome.Rejected, "The payer already is a member of the group.");
        if (requested)
            db.AddIntegrationEvent(new GroupJoinRequestEnded(Guid.CreateVersion7(), now, group.Id, payerId));
        purchase.PaymentId = paymentId;
        purchase.PaidAt = now;
        return (PurchaseOutcome.Joined, null);
    }

    /// <summary>
    /// Whether the group's current visibility and join policy let <paramref name="userId"/> in: an open group that is
    /// not secret lets anyone; the others only someone invited or approved (an invitation). A member is let through,
    /// so the settlement says they already are one.
    /// </summary>
    private static async Task<bool> AdmitsAsync(
        SocialDbContext db,
        Group group,
        Guid userId,
        CancellationToken cancellationToken
    ) =>
        (group.JoinPolicy == GroupJoinPolicy.Open && group.Visibility != GroupVisibility.Secret)
        || await db.GroupInvitations.AnyAsync(i => i.GroupId == group.Id && i.UserId == userId, cancellationToken)
        || await db.GroupMembers.AnyAsync(m => m.GroupId == group.Id && m.UserId == userId, cancellationToken);

    /// <summary>
    /// Whether <paramref name="userId"/> still waits to join again (<see cref="RequestCooldowns"/>) and holds no
    /// invitation that would let them in.
    /// </summary>
    private static async Task<bool> WaitsToJoinAsync(
        SocialDbContext db,
        Guid groupId,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        await RequestCooldowns.WaitingAsync(db, RequestCooldowns.Group, userId, groupId, now, cancellationToken)
        && !await db.GroupInvitations.AnyAsync(i => i.GroupId == groupId && i.UserId == userId, cancellationToken);

    /// <summary>
    /// Ends the membership <paramref name="paymentId"/> bought once it is refunded in full; true when it did. Nothing
    /// for a payment that bought no membership, a partial refund, a group gone or owned by another than its seller
    /// since, or a payer who left (or bought it again) or became one of its managers since. A full refund handled
    /// before its payment's settlement closes the purchase with that payment, so the settlement finds it handled and
    /// makes nobody a member for money given back.
    /// </summary>
    public static async Task<bool> RefundedAsync(
        SocialDbContext db,
        Guid purchaseId,
        Guid paymentId,
        Guid payerId,
        long totalRefundedCents,
        string currency,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var groupId = await db
            .GroupPurchases.AsNoTracking()
            .Where(p => p.Id == purchaseId)
            .Select(p => (Guid?)p.GroupId)
            .FirstOrDefaultAsync(cancellationToken);
        if (groupId is null)
            return false;
        // The group first, then the purchase: the order a join and a settlement take them in.
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM groups WHERE id = {groupId} FOR NO KEY UPDATE",
            cancellationToken
        );
        var purchase = await db
            .GroupPurchases.FromSql($"SELECT * FROM group_purchases WHERE id = {purchaseId} FOR UPDATE")
            .AsNoTracking()
            .SingleAsync(cancellationToken);
        // Timed under the group's lock: a role given meanwhile is older than the departure messaging orders it by.
        var now = clock.GetUtcNow();
        if (purchase.PaymentId is null)
        {
            if (
                payerId == purchase.UserId
                && totalRefundedCents >= purchase.PriceCents
                && string.Equals(currency, purchase.Currency, StringComparison.OrdinalIgnoreCase)
            )
                await db
                    .GroupPurchases.Where(p => p.Id == purchaseId)
                    .ExecuteUpdateAsync(set => set.SetProperty(p => p.PaymentId, paymentId), cancellationToken);
            return false;
        }
        if (purchase.PaymentId != paymentId || totalRefundedCents < purchase.PriceCents)
            return false;
        // Only in a group its seller still owns: a former owner (still the seller of what was paid before) gives money
        // back, and has no say over who is in the group any more.
        if (
            !await db.Groups.AnyAsync(
                g => g.Id == purchase.GroupId && g.OwnerId == purchase.SellerId,
                cancellationToken
            )
        )
            return false;
        // Only the plain membership this payment bought (joined as it was paid): one had since, bought again or joined
        // free after a price change, is left alone, and so is a moderator's (who moderates is the owner's call).
        if (
            !await db.GroupMembers.AnyAsync(
                m =>
                    m.GroupId == purchase.GroupId
                    && m.UserId == purchase.UserId
                    && m.Role == GroupRoles.Member
                    && m.JoinedAt <= purchase.PaidAt,
                cancellationToken
            )
        )
            return false;
        return await GroupMemberships.RemoveAsync(db, purchase.GroupId, purchase.UserId, now, cancellationToken);
    }
}
