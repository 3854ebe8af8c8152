namespace Community.Payments;

/// <summary>Where every price comes from: the selling service's announcement, or configuration.</summary>
public static class Pricing
{
    /// <summary>
    /// How long a client waits before asking again for a reference not known yet (a hold or enrollment still on the
    /// bus).
    /// </summary>
    public static readonly TimeSpan ReferenceNotKnownRetryAfter = TimeSpan.FromSeconds(2);

    /// <summary>Whether a selling service announces this purpose's items (and may end their sale).</summary>
    public static bool IsAnnounced(string purpose) =>
        purpose is PaymentPurposes.EventRegistration or PaymentPurposes.Course or PaymentPurposes.GroupMembership;

    public static async Task<CheckoutItem> PriceAsync(
        PaymentsDbContext db,
        PaymentsOptions options,
        string purpose,
        Guid referenceId,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        switch (purpose)
        {
            case PaymentPurposes.EventRegistration or PaymentPurposes.Course or PaymentPurposes.GroupMembership:
                var words = Announced(purpose);
                var item = await AnnouncedAsync(db, purpose, referenceId, userId, cancellationToken);
                EnsureStillSold(item, now);
                if (item.AmountCents == 0 || item.Currency is null)
                    throw new BusinessRuleException("This is sold for credits only: use POST /api/v1/credits/spend.");
                return new CheckoutItem(
                    purpose,
                    referenceId,
                    null,
                    item.AmountCents,
                    item.Currency,
                    words.Description,
                    item.ExpiresAt,
                    item.SellerUserId
                );
            case PaymentPurposes.Credits:
                var pack =
                    options.CreditPacks.FirstOrDefault(p => p.Id == referenceId)
                    ?? throw new NotFoundException("No credit pack has this id; GET /api/v1/credits/packs lists them.");
                return new CheckoutItem(
                    purpose,
                    referenceId,
                    pack.Credits.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    pack.AmountCents,
                    pack.Currency.ToUpperInvariant(),
                    $"{pack.Credits} credits ({pack.Name})",
                    null,
                    null
                );
            default:
                throw new RequestValidationException("purpose", $"{purpose} is not bought through this route.");
        }
    }

    /// <summary>
    /// The caller's item a selling service announced under <paramref name="referenceId"/>. Right after the seller's
    /// 402 the announcement may still be on its way here: not known yet is not "not found", but a 409 with
    /// Retry-After (<see cref="ReferenceNotKnownRetryAfter"/>); someone else's is a 404.
    /// </summary>
    public static async Task<SellableItem> AnnouncedAsync(
        PaymentsDbContext db,
        string purpose,
        Guid referenceId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var words = Announced(purpose);
        var item = await db
            .SellableItems.AsNoTracking()
            .FirstOrDefaultAsync(i => i.ReferenceId == referenceId && i.Purpose == purpose, cancellationToken);
        if (item is null)
            throw new ConflictException(words.NotKnownYet) { RetryAfter = ReferenceNotKnownRetryAfter };
        if (item.UserId != userId)
            throw new NotFoundException(words.NotYours);
        return item;
    }

    /// <summary>
    /// What a client is told about a reference a selling service announces (a seat hold, a course enrollment, a group
    /// membership).
    /// </summary>
    private static (string NotKnownYet, string NotYours, string Description, string Ended) Announced(string purpose) =>
        purpose switch
        {
            PaymentPurposes.EventRegistration => (
                "No seat hold is known under this reference yet: right after the 402 it may take a moment to "
                    + "arrive; retry after Retry-After seconds (register for the event first).",
                "No seat is held for you under this reference: register for the event first.",
                "Event ticket",
                "The hold on this seat has ended (it expired, or the event was cancelled); register again to get a "
                    + "new one if the event still takes place."
            ),
            PaymentPurposes.Course => (
                "No course enrollment awaiting payment is known under this reference yet: right after enrolling "
                    + "it may take a moment to arrive; retry after Retry-After seconds.",
                "No course enrollment of yours awaits payment under this reference: enroll first.",
                "Course enrollment",
                "This enrollment has ended (its course was taken off sale); it can no longer be paid."
            ),
            _ => (
                "No group membership awaiting payment is known under this reference yet: right after the 402 it "
                    + "may take a moment to arrive; retry after Retry-After seconds (join the group first).",
                "No group membership of yours awaits payment under this reference: join the group first.",
                "Group membership",
                "This membership can no longer be paid (its group may have been deleted); join the group again."
            ),
        };

    /// <summary>
    /// The 422 of an announced item whose sale has ended (<see cref="SellableItem.ExpiresAt"/> passed): a seat hold
    /// over, an enrollment ended with its course.
    /// </summary>
    public static void EnsureStillSold(SellableItem item, DateTimeOffset now)
    {
        if (item.ExpiresAt is { } expires && expires <= now)
            throw new BusinessRuleException(Announced(item.Purpose).Ended);
    }
}
