using Community.Contracts;
using System.Security.Claims;
using Community.Payments.Data;
using Community.Payments.Refunds;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Community.ServiceDefaults.Api;

namespace Community.Payments.Checkout;

public sealed record CheckoutRequest(string? Purpose, Guid? ReferenceId, string? PaymentMethod, string? SuccessUrl, string? CancelUrl);

public sealed record RefundRequest(long? AmountCents, string? Reason);

public sealed record PaymentDto(
    Guid Id, string Status, long AmountCents, string Currency, string Purpose, Guid ReferenceId, string? Product, string PaymentMethod,
    long RefundedCents, string? FailureReason, string? CheckoutUrl, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset? SucceededAt)
{
    public static PaymentDto From(Payment p) => new(p.Id, p.Status, p.AmountCents, p.Currency, p.Purpose, p.ReferenceId, p.Product, p.PaymentMethod,
        p.RefundedCents, p.FailureReason, p.Status == PaymentStatus.Pending ? p.CheckoutUrl : null, p.ExpiresAt, p.CreatedAt, p.SucceededAt);
}

/// <param name="Status">pending (under way, already counted in the payment's refunded_cents), succeeded or failed.</param>
public sealed record RefundDto(Guid Id, Guid PaymentId, long AmountCents, string Reason, string Status, string? FailureReason, DateTimeOffset CreatedAt)
{
    public static RefundDto From(Refund r) => new(r.Id, r.PaymentId, r.AmountCents, r.Reason, r.Status, r.FailureReason, r.CreatedAt);
}

public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentRoutes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/payments").WithTags("Payments").RequireAuthorization(Policies.Member);
        group.MapPost("/checkout", Checkout).WithName("Checkout")
            .WithSummary("Open (or find) the checkout for an event registration, a course or a credit pack; the price is ours, not the client's");
        group.MapGet("/{id:guid}", Get).WithName("GetPayment").WithSummary("One of my payments");
        group.MapGet("", List).WithName("ListPayments").WithSummary("My payments, newest first (cursor paged)");
        group.MapPost("/{id:guid}/refunds", RefundPayment).WithName("RefundPayment")
            .WithSummary("Refund all or part of a payment (the event's or course's organizer, or an admin)");
        return group;
    }

    private static async Task<Ok<CheckoutDto>> Checkout(
        CheckoutRequest request, ClaimsPrincipal principal, CheckoutService checkout, PaymentsDbContext db, TimeProvider clock,
        IOptions<PaymentsOptions> options, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var purpose = request.Purpose?.Trim().ToLowerInvariant();
        if (purpose is null || !PaymentPurposes.All.Contains(purpose)) errors.Add("purpose", $"purpose must be one of {string.Join(", ", PaymentPurposes.All)}.");
        else if (purpose is PaymentPurposes.Subscription or PaymentPurposes.Boost)
            errors.Add("purpose", $"{purpose} checkouts start at POST /api/v1/{(purpose == PaymentPurposes.Subscription ? "subscriptions" : "boosts")}/checkout.");
        errors.Required("reference_id", request.ReferenceId);
        var urls = Urls(errors, request.PaymentMethod, request.SuccessUrl, request.CancelUrl);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        var item = await Pricing.PriceAsync(db, options.Value, purpose!, request.ReferenceId!.Value, userId, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(await checkout.StartAsync(userId, item, urls, cancellationToken));
    }

    /// <summary>Validates what every checkout needs besides the thing bought.</summary>
    public static CheckoutUrls Urls(ValidationErrors errors, string? paymentMethod, string? successUrl, string? cancelUrl)
    {
        var method = paymentMethod?.Trim().ToLowerInvariant() ?? "card";
        if (!PaymentMethods.All.Contains(method)) errors.Add("payment_method", "payment_method must be card, alipay or wechat_pay.");
        foreach (var (field, url) in new[] { ("success_url", successUrl), ("cancel_url", cancelUrl) })
            if (errors.Required(field, url)) errors.Url(field, url);
        return new CheckoutUrls(method, successUrl ?? "", cancelUrl ?? "");
    }

    private static async Task<Ok<PaymentDto>> Get(Guid id, ClaimsPrincipal principal, PaymentsDbContext db, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        // Only the payer (or an admin) sees it; others cannot even learn it exists.
        if (payment is null || (payment.UserId != principal.UserId() && !principal.IsInRole(Roles.Admin)))
            throw new NotFoundException("No payment of yours has this id.");
        return TypedResults.Ok(PaymentDto.From(payment));
    }

    private static async Task<Ok<CursorPage<PaymentDto>>> List(
        string? cursor, int? limit, ClaimsPrincipal principal, PaymentsDbContext db, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = Keyset.Limit(limit, errors);
        var after = Keyset.After(cursor, Cursor.Parse, errors);
        errors.ThrowIfAny();
        var userId = principal.UserId();
        var query = db.Payments.AsNoTracking().Where(p => p.UserId == userId);
        if (after is var (createdAt, lastId))
            query = query.Where(p => p.CreatedAt < createdAt || (p.CreatedAt == createdAt && p.Id.CompareTo(lastId) < 0));
        var items = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(Keyset.Probe(size)).ToListAsync(cancellationToken);
        return TypedResults.Ok(Keyset.Page(items, size, p => Cursor.Position(p.CreatedAt, p.Id), PaymentDto.From));
    }

    private static async Task<Created<RefundDto>> RefundPayment(
        Guid id, RefundRequest request, HttpRequest http, ClaimsPrincipal principal, PaymentsDbContext db, Refunder refunder,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var reason = request.Reason?.Trim();
        if (errors.Required("reason", reason)) errors.MaxLength("reason", reason, Refunder.MaxReasonLength);
        if (request.AmountCents is <= 0) errors.Add("amount_cents", "amount_cents must be above 0 (or absent for everything left).");
        var key = IdempotencyKey.Read(http, errors);
        errors.ThrowIfAny();

        var callerId = principal.UserId();
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        var isAdmin = principal.IsInRole(Roles.Admin);
        if (payment is null || (!isAdmin && payment.SellerUserId != callerId && payment.UserId != callerId))
            throw new NotFoundException("No payment has this id.");
        if (!isAdmin && payment.SellerUserId != callerId)
            throw new ForbiddenException("Only the organizer who sold this, or an admin, may refund it.");

        // The same Idempotency-Key refunds once, however often the request is retried.
        var refundId = key is null ? NewId.Next(clock) : Refunder.DeterministicId("api:" + callerId + ":" + key, id);
        var refund = await refunder.RefundAsync(id, request.AmountCents, reason!, callerId, refundId, cancellationToken);
        if (refund.Status == RefundStatus.Failed) throw new RefundFailedException(refund);
        return TypedResults.Created($"/api/v1/payments/{id}", RefundDto.From(refund));
    }
}

/// <summary>"created_at|id" positions in newest-first lists, carried in opaque cursors.</summary>
public static class Cursor
{
    public static string Position(DateTimeOffset createdAt, Guid id) => $"{createdAt.UtcTicks}|{id}";

    public static (DateTimeOffset CreatedAt, Guid Id)? Parse(string position) =>
        position.Split('|') is [var ticks, var id]
        && long.TryParse(ticks, out var utcTicks) && utcTicks is >= 0 and <= 3155378975999999999 && Guid.TryParse(id, out var lastId)
            ? (new DateTimeOffset(utcTicks, TimeSpan.Zero), lastId)
            : null;
}
