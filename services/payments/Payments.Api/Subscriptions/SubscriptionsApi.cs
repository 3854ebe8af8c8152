using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Community.Payments.Checkout;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Payments.Subscriptions;

/// <param name="Tier">premium or elite.</param>
/// <param name="PaymentMethod">card (the default), alipay or wechat_pay.</param>
/// <param name="SuccessUrl">An absolute http(s) URL the provider sends the buyer to after paying.</param>
/// <param name="CancelUrl">An absolute http(s) URL the provider sends the buyer to on giving up.</param>
public sealed record SubscriptionCheckoutRequest(
    [Required, ValuesOf(typeof(SubscriptionsApi), nameof(SubscriptionsApi.PaidTiers))] string? Tier,
    [ValuesOf(typeof(PaymentMethods))] string? PaymentMethod,
    [Required] string? SuccessUrl,
    [Required] string? CancelUrl
);

/// <param name="Tier">The tier I have now, from whichever source gives the most (what access tokens carry).</param>
/// <param name="TierSource">subscription, referral (a referral reward) or none.</param>
/// <param name="TierUntil">Until when that tier is paid up or granted; null with a paid tier: for life.</param>
/// <param name="Plan">What my subscription is for (premium or elite); null when I never subscribed.</param>
/// <param name="Status">The subscription's status at the provider, "expired" when it ran out unrenewed, "none" when I
/// never subscribed.</param>
public sealed record SubscriptionDto(
    [property: ValuesOf(typeof(Tiers))] string Tier,
    [property: ValuesOf(typeof(MembershipSources))] string TierSource,
    DateTimeOffset? TierUntil,
    string? Plan,
    string Status,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd
)
{
    /// <param name="m">Null when no source ever gave the user a tier.</param>
    public static SubscriptionDto From(Subscription? s, Membership? m) =>
        new(
            m?.Tier ?? Tiers.Free,
            m?.Source ?? MembershipSources.None,
            m?.TierUntil,
            s?.Plan,
            s?.Status ?? "none",
            s?.CurrentPeriodEnd,
            s?.CancelAtPeriodEnd ?? false
        );
}

/// <param name="Tier">premium or elite: what the subscription buys.</param>
/// <param name="AmountCents">What each period costs, in minor units of the currency.</param>
/// <param name="PeriodDays">How long a paid period lasts; it renews until stopped.</param>
public sealed record PlanDto(
    [property: ValuesOf(typeof(SubscriptionsApi), nameof(SubscriptionsApi.PaidTiers))] string Tier,
    long AmountCents,
    string Currency,
    int PeriodDays
);

/// <summary>The subscriptions on sale, cheapest first.</summary>
public sealed record PlansDto(IReadOnlyList<PlanDto> Items);

public static class SubscriptionsApi
{
    /// <summary>The tiers a subscription buys.</summary>
    public static readonly string[] PaidTiers = [Tiers.Premium, Tiers.Elite];

    public static RouteGroupBuilder MapSubscriptionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/subscriptions")
            .WithTags("Subscriptions")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/checkout", Checkout)
            .WithName("SubscriptionCheckout")
            .WithSummary("Open (or find) the checkout of a premium or elite subscription, priced from configuration")
            .AnswersCheckoutOrSubscription()
            .ProducesProblemWith<PaidAlreadyMembers>(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        group
            .MapGet("/plans", Plans)
            .WithName("ListSubscriptionPlans")
            .WithSummary("The subscriptions on sale (premium, elite): price and period of each, cheapest first");
        group
            .MapGet("/me", Get)
            .WithName("GetMySubscription")
            .WithSummary("My tier, subscription status and paid-up period");
        group
            .MapDelete("/me", Cancel)
            .WithName("CancelMySubscription")
            .WithSummary("Stop renewing my subscription; the tier stays until the current period ends")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return group;
    }

    private static Ok<PlansDto> Plans(IOptions<PaymentsOptions> options) =>
        TypedResults.Ok(
            new PlansDto(
                PaidTiers
                    .Where(options.Value.Tiers.ContainsKey)
                    .Select(t => (Tier: t, Price: options.Value.Tiers[t]))
                    .OrderBy(p => p.Price.AmountCents)
                    .Select(p => new PlanDto(
                        p.Tier,
                        p.Price.AmountCents,
                        p.Price.Currency.ToUpperInvariant(),
                        p.Price.PeriodDays
                    ))
                    .ToList()
            )
        );

    /// <summary>
    /// A new subscription's checkout; or, when my subscription of that tier is paid up and set to stop at its period
    /// end, that subscription resumed (nothing is charged now: the period paid runs on and renews): my subscription as
    /// it stands. A cheaper tier is refused while a dearer one's paid period runs, or its payment is on its way; the
    /// checkout of another tier left open ends (one subscription is bought at a time).
    /// </summary>
    private static async Task<Results<Ok<CheckoutDto>, Ok<SubscriptionDto>>> Checkout(
        SubscriptionCheckoutRequest request,
        ClaimsPrincipal principal,
        CheckoutService checkout,
        PaymentsDbContext db,
        SubscriptionBook book,
        IPaymentProvider provider,
        IOptions<PaymentsOptions> options,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var tier = request.Tier?.Trim().ToLowerInvariant();
        TierPrice? price = null;
        if (tier is null || !PaidTiers.Contains(tier) || !options.Value.Tiers.TryGetValue(tier, out price))
            errors.Add("tier", "tier must be premium or elite.");
        var urls = CheckoutRules.Urls(errors, request.PaymentMethod, request.SuccessUrl, request.CancelUrl);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        var current = await db.Set<Subscription>()
            .AsNoTracking()
            .FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (current is { CancelAtPeriodEnd: false } && current.Tier == tier)
            throw new ConflictException($"You already have an active {tier} subscription.");
        // Paid up: its period was paid for and runs to its end (past_due and the like are behind on payment).
        var paidUntil =
            current is { Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing, CurrentPeriodEnd: { } end }
            && end > clock.GetUtcNow()
                ? end
                : (DateTimeOffset?)null;
        // A new subscription starts when it is paid and replaces the one running: a cheaper one bought now would take
        // the rest of the dearer period already paid for away.
        if (paidUntil is { } paidEnd && Memberships.Rank(current!.Tier) > Memberships.Rank(tier!))
            throw new ConflictException(
                $"Your {current.Tier} subscription is paid until "
                    + $"{paidEnd.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}; "
                    + (current.CancelAtPeriodEnd ? "" : "stop it renewing and ")
                    + $"subscribe to {tier} once it has ended."
            );
        await EnsureNoPaymentInFlightAsync(db, clock, options.Value, userId, tier!, current, cancellationToken);
        // Changing one's mind after cancelling: the same subscription renews again, rather than a new one charging a
        // whole period now for days already paid.
        if (
            paidUntil is not null
            && current is { CancelAtPeriodEnd: true, ProviderSubscriptionId: { } providerId }
            && current.Tier == tier
        )
            return TypedResults.Ok(
                await ResumeAsync(
                    userId,
                    providerId,
                    db,
                    book,
                    provider,
                    clock,
                    loggers.CreateLogger(typeof(SubscriptionsApi)),
                    cancellationToken
                )
            );

        // One subscription is bought at a time: another tier's checkout left open (another tab) could be paid after
        // this one, and the later payment would replace the plan this one buys.
        await checkout.EndOtherCheckoutsAsync(
            userId,
            PaymentPurposes.Subscription,
            ReferenceFor(userId, tier!),
            cancellationToken
        );
        var item = new CheckoutItem(
            PaymentPurposes.Subscription,
            ReferenceFor(userId, tier!),
            tier,
            price!.AmountCents,
            price.Currency.ToUpperInvariant(),
            BillingPeriods.IsMonthly(price.PeriodDays)
                ? $"Community {tier} membership, renewed monthly"
                : $"Community {tier} membership, renewed every {price.PeriodDays} days",
            null,
            null,
            Mode: "subscription",
            IntervalDays: price.PeriodDays
        );
        return TypedResults.Ok(await checkout.StartAsync(userId, item, urls, cancellationToken));
    }

    private static async Task<Ok<SubscriptionDto>> Get(
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        // The subscription and the membership it grants change together (SubscriptionBook): read from one snapshot,
        // an activation landing between two reads cannot show a tier its subscription does not explain.
        var (subscription, membership) = await db.InSnapshotAsync(
            async () =>
                (
                    await db.Set<Subscription>()
                        .AsNoTracking()
                        .FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken),
                    await MembershipAsync(db, userId, cancellationToken)
                ),
            cancellationToken
        );
        return TypedResults.Ok(SubscriptionDto.From(subscription, membership));
    }

    /// <summary>
    /// The provider is asked with no row locked: the subscription is read, the provider told (its
    /// key "cancel-" + the provider's id makes a retry harmless), then the flag is set under the
    /// lock only if the row still names that provider subscription, so a purchase activated
    /// meanwhile is not marked as cancelled when it was the previous one that was stopped. A crash
    /// before the flag is set loses nothing: Stripe's customer.subscription.updated sets it.
    /// </summary>
    private static async Task<Ok<SubscriptionDto>> Cancel(
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        SubscriptionBook book,
        IPaymentProvider provider,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var current = await db.Set<Subscription>()
            .AsNoTracking()
            .FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (current is null || current.Tier == Tiers.Free)
            throw new NotFoundException("You have no active subscription to cancel.");
        if (!current.CancelAtPeriodEnd && current.ProviderSubscriptionId is { } providerId)
        {
            try
            {
                await provider.CancelSubscriptionAtPeriodEndAsync(providerId, cancellationToken);
            }
            catch (HttpRequestException exception)
            {
                loggers
                    .CreateLogger(typeof(SubscriptionsApi))
                    .LogWarning(exception, "The provider could not cancel subscription {SubscriptionId}", providerId);
                throw new ProviderUnavailableException(
                    "The payment provider could not cancel the subscription now; nothing changed. Try again."
                );
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var subscription = await book.LockAsync(userId, cancellationToken);
        if (subscription is null || subscription.Tier == Tiers.Free)
            throw new NotFoundException("You have no active subscription to cancel.");
        var membership = await MembershipAsync(db, subscription.UserId, cancellationToken);
        if (subscription.CancelAtPeriodEnd)
            return TypedResults.Ok(SubscriptionDto.From(subscription, membership));
        if (subscription.ProviderSubscriptionId != current.ProviderSubscriptionId)
            throw new ConflictException(
                "Your subscription changed while it was being cancelled; look at it again and retry."
            );
        // Read as stopping already (so the provider was not asked), but resumed since: the provider now renews it.
        if (current.CancelAtPeriodEnd)
            throw new ConflictException(
                "Your subscription was resumed while it was being cancelled; look at it again and retry."
            );
        // The tier and period do not change now, so nothing is published; the expiry (or Stripe's deleted event) ends
        // it.
        subscription.CancelAtPeriodEnd = true;
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(SubscriptionDto.From(subscription, membership));
    }

    /// <summary>
    /// Resumes the subscription <paramref name="providerId"/> as <see cref="Cancel"/> stops it: the provider is told
    /// with no row locked (under a key of this request's own), then the flag is cleared under the lock only if the row
    /// still names that provider subscription. A crash between the two loses nothing: Stripe's
    /// customer.subscription.updated clears it. Unanswered or refused, nothing changed here: 502.
    /// </summary>
    private static async Task<SubscriptionDto> ResumeAsync(
        Guid userId,
        string providerId,
        PaymentsDbContext db,
        SubscriptionBook book,
        IPaymentProvider provider,
        TimeProvider clock,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await provider.ResumeSubscriptionAsync(providerId, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "The provider could not resume subscription {SubscriptionId}", providerId);
            throw new ProviderUnavailableException(
                "The payment provider could not resume the subscription now; nothing changed. Try again."
            );
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var subscription = await book.LockAsync(userId, cancellationToken);
        if (subscription is null || subscription.ProviderSubscriptionId != providerId)
        {
            // Replaced meanwhile (a purchase delivered): the one resumed at the provider must stop again, or it would
            // renew beside its replacement, carried out durably as every stop asked without the member is.
            if (subscription is not null)
            {
                SubscriptionCanceller.Request(db, userId, providerId, atPeriodEnd: true, null, clock.GetUtcNow());
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            throw new ConflictException(
                "Your subscription changed while it was being resumed; look at it again and retry."
            );
        }
        // Ended meanwhile (a refund, a dispute, the account erased): those stop it at the provider now, whatever was
        // resumed there; nothing runs on to answer with.
        if (
            subscription.Tier == Tiers.Free
            || subscription.Status is not (SubscriptionStatus.Active or SubscriptionStatus.Trialing)
        )
            throw new ConflictException("Your subscription ended while it was being resumed; look at it again.");
        var membership = await MembershipAsync(db, userId, cancellationToken);
        // The tier and period do not change, so nothing is published.
        if (subscription.CancelAtPeriodEnd)
        {
            subscription.CancelAtPeriodEnd = false;
            subscription.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} of user {UserId} resumed", providerId, userId);
        return SubscriptionDto.From(subscription, membership);
    }

    /// <summary>
    /// Documents the checkout's 200 as either answer: the checkout opened (or found), or the subscription resumed.
    /// </summary>
    private static RouteHandlerBuilder AnswersCheckoutOrSubscription(this RouteHandlerBuilder builder) =>
        builder.AnswersEither<CheckoutDto, SubscriptionDto>(
            "The checkout to pay (checkout_url); or, when my subscription of that tier is paid up and set to stop at "
                + "its period end, that subscription resumed, nothing charged now (no checkout_url)."
        );

    private static Task<Membership?> MembershipAsync(
        PaymentsDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    ) => db.Set<Membership>().AsNoTracking().FirstOrDefaultAsync(m => m.UserId == userId, cancellationToken);

    /// <summary>
    /// A subscription payment that went through after the one the subscription holds (or with none held), within the
    /// period it bought, is on its way to it (the bus, however long it lags: a broker away for hours, a message
    /// dead-lettered until an operator replays it). Of this <paramref name="tier"/>, a second checkout would be a
    /// second subscription, both charged; of a dearer tier, a cheaper one paid after it would be refused on delivery
    /// (a dearer plan paid for is not taken away). 409 with the payment's id until it is taken up. A cheaper one on its
    /// way stands in nobody's way: the dearer plan replaces it (an upgrade). Measured against the held payment's own
    /// time, not the subscription row's, which webhooks and the expiry sweep touch too. One older than its period
    /// would deliver a period already over, and stands in nobody's way either; so does one refused on delivery, whose
    /// refund may take days to settle.
    /// </summary>
    private static async Task EnsureNoPaymentInFlightAsync(
        PaymentsDbContext db,
        TimeProvider clock,
        PaymentsOptions options,
        Guid userId,
        string tier,
        Subscription? current,
        CancellationToken cancellationToken
    )
    {
        var reference = ReferenceFor(userId, tier);
        var held = current?.LastPaymentId;
        var heldPaidAt = held is { } heldId
            ? await db
                .Payments.Where(p => p.Id == heldId)
                .Select(p => p.SucceededAt)
                .FirstOrDefaultAsync(cancellationToken)
            : null;
        var now = clock.GetUtcNow();
        // No period is longer than a year (the column's check): what is older delivers nothing.
        var since = now - TimeSpan.FromDays(366);
        var candidates = await db
            .Payments.AsNoTracking()
            .Where(p =>
                p.UserId == userId
                && p.Purpose == PaymentPurposes.Subscription
                && (p.Status == PaymentStatus.Succeeded || p.Status == PaymentStatus.PartiallyRefunded)
                && p.SucceededAt > since
                && (held == null || p.Id != held)
                && (heldPaidAt == null || p.SucceededAt > heldPaidAt)
                // Refused on delivery (a cheaper plan paid over a dearer one): its refund is on its way, it delivers
                // nothing.
                && !db.Refunds.Any(r => r.PaymentId == p.Id && r.Reason.StartsWith(CheckoutService.NotHonoured))
            )
            .ToListAsync(cancellationToken);
        var inFlight = candidates.FirstOrDefault(p =>
            (
                p.ReferenceId == reference
                || Memberships.Rank(p.Product?.ToLowerInvariant() ?? Tiers.Free) > Memberships.Rank(tier)
            )
            && (
                p.SucceededAt + TimeSpan.FromDays(SubscriptionPeriods.DaysOf(p, options) ?? 0) > now
                || p.SucceededAt > now - CheckoutService.BeingConfirmedAtMost
            )
        );
        if (inFlight is not null)
            throw CheckoutService.PaidAlready(inFlight.Id);
    }

    /// <summary>The same for every checkout of one tier by one user, so asking twice finds the open session.</summary>
    public static Guid ReferenceFor(Guid userId, string tier) => StableIds.From($"subscription|{userId}|{tier}");
}
