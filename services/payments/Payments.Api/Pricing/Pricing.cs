using Community.Contracts;
using Community.Payments.Checkout;
using Community.Payments.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments;

/// <summary>Where every price comes from: the selling service's announcement, or configuration.</summary>
public static class Pricing
{
    public static async Task<CheckoutItem> PriceAsync(
        PaymentsDbContext db, PaymentsOptions options, string purpose, Guid referenceId, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (purpose)
        {
            case PaymentPurposes.EventRegistration or PaymentPurposes.Course:
                var item = await db.SellableItems.AsNoTracking().FirstOrDefaultAsync(i => i.ReferenceId == referenceId && i.Purpose == purpose, cancellationToken);
                if (item is null || item.UserId != userId)
                    throw new NotFoundException(purpose == PaymentPurposes.EventRegistration
                        ? "No seat is held for you under this reference (yet): register for the event first; right after the 402 it may take a moment to arrive."
                        : "No course enrollment of yours awaits payment under this reference (yet): enroll first.");
                if (item.ExpiresAt is { } expires && expires <= now)
                    throw new BusinessRuleException("The hold on this seat has expired; register again to get a new one.");
                if (item.AmountCents == 0 || item.Currency is null)
                    throw new BusinessRuleException("This is sold for credits only: use POST /api/v1/credits/spend.");
                return new CheckoutItem(purpose, referenceId, null, item.AmountCents, item.Currency,
                    purpose == PaymentPurposes.EventRegistration ? "Event ticket" : "Course enrollment", item.ExpiresAt, item.SellerUserId);
            case PaymentPurposes.Credits:
                var pack = options.CreditPacks.FirstOrDefault(p => p.Id == referenceId)
                    ?? throw new NotFoundException("No credit pack has this id; GET /api/v1/credits/packs lists them.");
                return new CheckoutItem(purpose, referenceId, pack.Credits.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    pack.AmountCents, pack.Currency.ToUpperInvariant(), $"{pack.Credits} credits ({pack.Name})", null, null);
            default:
                throw new RequestValidationException("purpose", $"{purpose} is not bought through this route.");
        }
    }
}
