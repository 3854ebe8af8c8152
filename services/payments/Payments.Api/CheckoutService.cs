using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Npgsql;

namespace Community.Payments;

/// <summary>Something priced by us (never by the client), ready for a checkout.</summary>
/// <param name="Product">What exactly, when the reference does not say: a tier, a boost length, a credit pack.</param>
public sealed record CheckoutItem(
    string Purpose,
    Guid ReferenceId,
    string? Product,
    long AmountCents,
    string Currency,
    string Description,
    DateTimeOffset? ExpiresAt,
    Guid? SellerUserId,
    string Mode = "payment",
    int? IntervalDays = null
)
{
    /// <summary>A subscription's billing period, kept on its payment; null for a one-off payment.</summary>
    public int? SubscriptionPeriodDays => Mode == "subscription" ? IntervalDays : null;
}

public sealed record CheckoutUrls(string PaymentMethod, string SuccessUrl, string CancelUrl);

public sealed record CheckoutDto(
    Guid PaymentId,
    string SessionId,
    string CheckoutUrl,
    DateTimeOffset ExpiresAt,
    long AmountCents,
    string Currency,
    [property: ValuesOf(typeof(PaymentStatus))] string Status
);

/// <summary>
/// Opens (or finds) the one checkout of a buyer for a thing. The payment row is written first,
/// then the provider is asked with the payment id as idempotency key, so a retry after a crash or
/// a timeout reuses the same provider session instead of opening a second. A refusal ends the payment: the next
/// request opens another. One asked for on other terms (a method, a page) replaces the open one.
/// </summary>
public sealed class CheckoutService(
    PaymentsDbContext db,
    IPaymentProvider provider,
    TimeProvider clock,
    IOptions<PaymentsOptions> options,
    ILogger<CheckoutService> logger
)
{
    public async Task<CheckoutDto> StartAsync(
        Guid userId,
        CheckoutItem item,
        CheckoutUrls urls,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        var open = await db.Payments.FirstOrDefaultAsync(
            p =>
                p.UserId == userId
                && p.Purpose == item.Purpose
                && p.ReferenceId == item.ReferenceId
                && p.Status == PaymentStatus.Pending,
            cancellationToken
        );
        if (open is not null && open.ExpiresAt <= now)
        {
            await EnsureEndedUnpaidAsync(open, cancellationToken);
            // Only while it is still pending: a webhook settling it meanwhile (under its lock) wins, and the check
            // below then finds it paid, rather than this marking a paid payment expired.
            await db
                .Payments.Where(p => p.Id == open.Id)
                .EndPendingAsync(PaymentStatus.Expired, "expired", now, cancellationToken);
            db.Entry(open).State = EntityState.Detached;
            open = null;
        }
        // Paid with credits (a course), even after its checkout was opened: a card payment would be charged, turned
        // down by the seller and refunded.
        if (
            item.Purpose == PaymentPurposes.Course
            && await CreditLedger.PaidSpendAsync(db, userId, item.Purpose, item.ReferenceId, cancellationToken)
                is { } spendId
        )
            throw CreditLedger.PaidWithCredits(spendId);
        if (open is { SessionId: not null, CheckoutUrl: not null })
        {
            if (AsksTheSame(open, item, urls))
                return Dto(open);
            // Asked for on other terms (another method, other pages): the session opened cannot give them, and left
            // open beside a new one it could be paid too.
            await ReplaceAsync(open, cancellationToken);
            open = null;
        }
        if (open is null)
            await EnsureNotPaidAlreadyAsync(userId, item, cancellationToken);
        // Stripe refuses a key reused with other parameters: a changed request gets a payment (and a key) of its own.
        if (open is not null && !AsksTheSame(open, item, urls))
        {
            await EndUnopenedAsync(open.Id, PaymentStatus.Expired, "replaced", cancellationToken);
            open = null;
        }

        var expiresAt = SessionExpiry(item.ExpiresAt ?? now + options.Value.CheckoutLifetime, now);
        var payment =
            open
            ?? new Payment
            {
                Id = NewId.Next(now),
                UserId = userId,
                Purpose = item.Purpose,
                ReferenceId = item.ReferenceId,
                Product = item.Product,
                PeriodDays = item.SubscriptionPeriodDays,
                SellerUserId = item.SellerUserId,
                AmountCents = item.AmountCents,
                Currency = item.Currency,
                Status = PaymentStatus.Pending,
                Provider = provider.Name,
                PaymentMethod = urls.PaymentMethod,
                SuccessUrl = urls.SuccessUrl,
                CancelUrl = urls.CancelUrl,
                ExpiresAt = expiresAt,
                AskedExpiresAt = provider.FitSessionExpiry(expiresAt, now),
                CreatedAt = now,
                UpdatedAt = now,
            };
        if (open is null)
        {
            db.Payments.Add(payment);
            try
            {
                await db.InTransactionAsync(
                    async ct =>
                    {
                        await db.SaveChangesAsync(ct);
                        await EnsureStillSoldAsync(item, ct);
                        return true;
                    },
                    cancellationToken
                );
            }
            catch (DbUpdateException exception)
                when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent request opened it first: answer with that one. It may be gone already (the provider
                // refused it at once and it was ended): then the next request opens a new one.
                db.ChangeTracker.Clear();
                var winner = await db
                    .Payments.AsNoTracking()
                    .FirstOrDefaultAsync(
                        p =>
                            p.UserId == userId
                            && p.Purpose == item.Purpose
                            && p.ReferenceId == item.ReferenceId
                            && p.Status == PaymentStatus.Pending,
                        cancellationToken
                    );
                if (winner is { SessionId: not null, CheckoutUrl: not null })
                    return Dto(winner);
                throw new ConflictException("A checkout for this is being opened right now; retry in a moment.")
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
            }
        }
        // Asked again as first asked: the provider's window moves with the clock, the idempotency key does not.
        var askedExpiresAt = payment.AskedExpiresAt ?? provider.FitSessionExpiry(payment.ExpiresAt, now);
        if (payment.AskedExpiresAt is null)
        {
            // Written before the end asked was kept: fitted now, and kept for the retries after this one.
            payment.AskedExpiresAt = askedExpiresAt;
            await db.SaveChangesAsync(cancellationToken);
        }

        CheckoutSession session;
        try
        {
            session = await provider.CreateCheckoutSessionAsync(
                new CheckoutSessionRequest(
                    payment.Id,
                    item.Mode,
                    item.Description,
                    payment.AmountCents,
                    payment.Currency,
                    payment.PaymentMethod,
                    payment.SuccessUrl,
                    payment.CancelUrl,
                    askedExpiresAt,
                    new Dictionary<string, string>
                    {
                        ["payment_id"] = payment.Id.ToString(),
                        ["purpose"] = payment.Purpose,
                        ["reference_id"] = payment.ReferenceId.ToString(),
                        ["user_id"] = userId.ToString(),
                        ["product"] = payment.Product ?? "",
                    },
                    item.IntervalDays
                ),
                cancellationToken
            );
        }
        catch (HttpRequestException exception) when (exception.IsRefusal())
        {
            // A definite no (say, a method refused for that currency): the next request opens a new payment.
            logger.LogInformation(exception, "The provider refused a checkout for payment {PaymentId}", payment.Id);
            await EndUnopenedAsync(payment.Id, PaymentStatus.Failed, "provider_refused", cancellationToken);
            throw new ProviderUnavailableException(
                "The payment provider refused to open this checkout; nothing was charged. Try again, perhaps with "
                    + "another payment method."
            );
        }
        catch (HttpRequestException exception)
        {
            // The row stays pending without a session: the next attempt asks the provider again with the same key.
            logger.LogWarning(exception, "The provider could not open a checkout for payment {PaymentId}", payment.Id);
            throw new ProviderUnavailableException(
                "The payment provider could not open a checkout now; nothing was charged. Try again."
            );
        }

        // Only onto a payment still pending without a session: a concurrent request for other terms may have ended
        // this one meanwhile ("replaced"), and a checkout of an ended payment must not be handed out or paid.
        var updatedAt = clock.GetUtcNow();
        var kept = await db
            .Payments.Where(p => p.Id == payment.Id && p.Status == PaymentStatus.Pending && p.SessionId == null)
            .ExecuteUpdateAsync(
                set =>
                    set.SetProperty(p => p.SessionId, session.SessionId)
                        .SetProperty(p => p.CheckoutUrl, session.Url)
                        .SetProperty(p => p.ExpiresAt, session.ExpiresAt)
                        .SetProperty(p => p.UpdatedAt, updatedAt),
                cancellationToken
            );
        if (kept == 0)
        {
            db.ChangeTracker.Clear();
            var current = await db.Payments.AsNoTracking().FirstAsync(p => p.Id == payment.Id, cancellationToken);
            if (current is { Status: PaymentStatus.Pending, SessionId: not null, CheckoutUrl: not null })
                return Dto(current);
            throw new ConflictException(
                "This checkout was replaced by another one asked for meanwhile; ask again for the one that stands."
            )
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }
        payment.SessionId = session.SessionId;
        payment.CheckoutUrl = session.Url;
        payment.ExpiresAt = session.ExpiresAt;
        payment.UpdatedAt = updatedAt;
        return Dto(payment);
    }

    /// <summary>
    /// Ends the buyer's open checkouts of <paramref name="purpose"/> but the one for <paramref name="kept"/>, as
    /// replaced: where only one of several things may be bought (a subscription's tiers), the checkout asked for last
    /// is the one that can be paid. Each is expired at its provider first (<see cref="EnsureEndedUnpaidAsync"/>): one
    /// paid in its last moments is 409, paid already.
    /// </summary>
    public async Task EndOtherCheckoutsAsync(
        Guid userId,
        string purpose,
        Guid kept,
        CancellationToken cancellationToken
    )
    {
        var others = await db
            .Payments.AsNoTracking()
            .Where(p =>
                p.UserId == userId && p.Purpose == purpose && p.ReferenceId != kept && p.Status == PaymentStatus.Pending
            )
            .ToListAsync(cancellationToken);
        foreach (var other in others)
            await ReplaceAsync(other, cancellationToken);
    }

    /// <summary>
    /// Ends <paramref name="open"/> as replaced by a checkout asked for now: expired at its provider first, so it
    /// cannot be paid beside its replacement (completed there already: 409, paid already), then here while still
    /// pending. Nothing is published, as for an expired one: what it was for is still being bought.
    /// </summary>
    private async Task ReplaceAsync(Payment open, CancellationToken cancellationToken)
    {
        await EnsureEndedUnpaidAsync(open, cancellationToken);
        await db
            .Payments.Where(p => p.Id == open.Id)
            .EndPendingAsync(PaymentStatus.Expired, "replaced", clock.GetUtcNow(), cancellationToken);
        db.Entry(open).State = EntityState.Detached;
    }

    /// <summary>
    /// The announced item read again once its payment's row is written, in that transaction and under a share lock on
    /// the item's row: its sale may have ended since it was priced (an event cancelled, a course withdrawn, a group
    /// deleted). The consumer that ends it updates that row before it ends the open checkouts, so it either committed
    /// first (seen here: 422, nothing written) or waits for this commit and then ends the payment written here.
    /// </summary>
    private async Task EnsureStillSoldAsync(CheckoutItem item, CancellationToken cancellationToken)
    {
        if (!Pricing.IsAnnounced(item.Purpose))
            return;
        var sold = await db
            .SellableItems.FromSql($"SELECT * FROM sellable_items WHERE reference_id = {item.ReferenceId} FOR SHARE")
            .AsNoTracking()
            .FirstAsync(cancellationToken);
        Pricing.EnsureStillSold(sold, clock.GetUtcNow());
    }

    /// <summary>
    /// A checkout past its end, or replaced, is asked of its provider before another is opened: the buyer may have
    /// paid in its last moments, with the webhook that says so delayed (our endpoint down, the provider retrying). Then
    /// a second checkout would be a second charge for the same thing: 409, with the payment's id, until the webhook
    /// settles it. One still open at the provider is expired there first. One opened by another provider than today's
    /// (the sandbox before Stripe was configured) cannot be asked, and ends here as before.
    /// </summary>
    private async Task EnsureEndedUnpaidAsync(Payment open, CancellationToken cancellationToken)
    {
        if (open.SessionId is not { } sessionId || open.Provider != provider.Name)
            return;
        bool expired;
        try
        {
            expired = await provider.ExpireCheckoutSessionAsync(sessionId, open.Id, cancellationToken);
        }
        catch (UnknownCheckoutSessionException) when (SessionEnd(open) <= clock.GetUtcNow())
        {
            // Opened with other keys and past the end it was opened with: wherever it was opened, it can no longer be
            // paid. Expected after a switch of keys: nothing to mend. (Before that end it could still be paid at the
            // account it was opened at, and a second checkout beside it would charge twice: 502 below until then.)
            logger.LogInformation(
                "The provider does not know checkout {SessionId} of payment {PaymentId} (opened with other keys), "
                    + "past its end; it counts as ended unpaid",
                sessionId,
                open.Id
            );
            expired = true;
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(
                exception,
                "The provider could not say how checkout {SessionId} of payment {PaymentId} ended",
                sessionId,
                open.Id
            );
            throw new ProviderUnavailableException(
                "The payment provider could not say how your last checkout for this ended; nothing more was charged. "
                    + "Try again."
            );
        }
        if (!expired)
        {
            logger.LogInformation(
                "Checkout {SessionId} of payment {PaymentId} was completed after its end here; its webhook is awaited",
                sessionId,
                open.Id
            );
            throw PaidAlready(open.Id);
        }
    }

    /// <summary>
    /// The end a payment's checkout session was opened with: the one asked (kept since the first attempt), or, for a
    /// payment from before that was kept, the latest the provider's window may have made of the payment's end.
    /// </summary>
    private static DateTimeOffset SessionEnd(Payment payment) =>
        payment.AskedExpiresAt ?? payment.ExpiresAt + TimeSpan.FromMinutes(31);

    /// <summary>
    /// A seat, a course or a group membership is bought once: its reference (the registration, the enrollment, the
    /// purchase) is offered for money once (an enrollment the elite tier had opened is reopened unpaid). A payment for
    /// it that went through in the last hour and is being confirmed by the seller (the buyer's page may not show it
    /// yet) makes a second checkout a second charge: 409, with the payment's id. A payment the seller did not honour
    /// (refunded, or its refund asked for as not honoured, even if that refund failed) leaves the way open. (A course
    /// paid with credits that stand is not offered for money at all, its open checkout included: see StartAsync.)
    /// </summary>
    private async Task EnsureNotPaidAlreadyAsync(Guid userId, CheckoutItem item, CancellationToken cancellationToken)
    {
        if (!Pricing.IsAnnounced(item.Purpose))
            return;
        var since = clock.GetUtcNow() - BeingConfirmedAtMost;
        var paid = await db
            .Payments.Where(p =>
                p.UserId == userId
                && p.Purpose == item.Purpose
                && p.ReferenceId == item.ReferenceId
                && (p.Status == PaymentStatus.Succeeded || p.Status == PaymentStatus.PartiallyRefunded)
                && p.SucceededAt > since
                && !db.Refunds.Any(r => r.PaymentId == p.Id && r.Reason.StartsWith(NotHonoured))
            )
            .Select(p => (Guid?)p.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (paid is { } paymentId)
            throw PaidAlready(paymentId);
    }

    /// <summary>
    /// The 409 of a thing paid for and being confirmed: no Retry-After (asking again opens nothing), the payment's id
    /// to follow instead.
    /// </summary>
    public static ConflictException PaidAlready(Guid paymentId) =>
        new(
            "This is paid for already: the payment went through and is being confirmed, and nothing more is charged. "
                + "Look again in a moment."
        )
        {
            Extensions = ProblemResponses.MembersOf(new PaidAlreadyMembers(paymentId)),
        };

    /// <summary>
    /// How long a settled payment counts as being confirmed (a seller that never answers blocks no longer).
    /// </summary>
    public static readonly TimeSpan BeingConfirmedAtMost = TimeSpan.FromHours(1);

    /// <summary>The reason a refund is asked for when the seller could not honour the payment.</summary>
    public const string NotHonoured = "not_honoured";

    /// <summary>
    /// The end a checkout is asked for: the caller's (a 15-minute ticket hold) as it is, at most 24 hours away. Each
    /// provider fits it to its own window (Stripe keeps a session open at least 30 minutes, so it outlives a hold by
    /// up to 31 minutes: <see cref="StripeProvider.SessionExpiry"/>) once, at the first attempt (kept as
    /// <see cref="Payment.AskedExpiresAt"/>), and the payment keeps the session's end. A payment after the hold is
    /// handled by the saga (confirmed if a seat is still free, otherwise refunded in full).
    /// </summary>
    public static DateTimeOffset SessionExpiry(DateTimeOffset wanted, DateTimeOffset now)
    {
        var latest = now + TimeSpan.FromHours(24);
        return wanted > latest ? latest : wanted;
    }

    /// <summary>Whether a payment was opened for what is asked now.</summary>
    private static bool AsksTheSame(Payment payment, CheckoutItem item, CheckoutUrls urls) =>
        payment.PaymentMethod == urls.PaymentMethod
        && payment.SuccessUrl == urls.SuccessUrl
        && payment.CancelUrl == urls.CancelUrl
        && payment.AmountCents == item.AmountCents
        && payment.Currency == item.Currency
        && payment.PeriodDays == item.SubscriptionPeriodDays;

    /// <summary>
    /// Ends a pending payment the provider opened no session for, unless a concurrent request got it one meanwhile.
    /// Nothing is published, as for an expired one found above: no buyer ever saw its checkout.
    /// </summary>
    private Task EndUnopenedAsync(Guid paymentId, string status, string reason, CancellationToken cancellationToken) =>
        db
            .Payments.Where(p => p.Id == paymentId && p.SessionId == null)
            .EndPendingAsync(status, reason, clock.GetUtcNow(), cancellationToken);

    private static CheckoutDto Dto(Payment p) =>
        new(p.Id, p.SessionId!, p.CheckoutUrl!, p.ExpiresAt, p.AmountCents, p.Currency, p.Status);
}
