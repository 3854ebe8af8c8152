using Community.Contracts;
using System.Security.Claims;
using Community.Payments.Data;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Payments.Checkout;

public sealed record CheckoutRequest(string? Purpose, Guid? ReferenceId, string? PaymentMethod, string? SuccessUrl, string? CancelUrl);

public sealed record PaymentDto(
    Guid Id, string Status, long AmountCents, string Currency, string Purpose, Guid ReferenceId, string? Product, string PaymentMethod,
    long RefundedCents, string? FailureReason, string? CheckoutUrl, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset? SucceededAt)
{
    public static PaymentDto From(Payment p) => new(p.Id, p.Status, p.AmountCents, p.Currency, p.Purpose, p.ReferenceId, p.Product, p.PaymentMethod,
        p.RefundedCents, p.FailureReason, p.Status == PaymentStatus.Pending ? p.CheckoutUrl : null, p.ExpiresAt, p.CreatedAt, p.SucceededAt);
}

public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class CheckoutApi
{
    public static RouteGroupBuilder MapCheckoutApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/payments").WithTags("Payments").RequireAuthorization(Policies.Member).WithStandardProblems();
        group.MapPost("/checkout", Checkout).WithName("Checkout")
            .WithSummary("Open (or find) the checkout for an event registration, a course or a credit pack; the price is ours, not the client's")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapGet("/{id:guid}", Get).WithName("GetPayment").WithSummary("One of my payments");
        group.MapGet("", List).WithName("ListPayments").WithSummary("My payments, newest first (cursor paged)");
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
        if (request.ReferenceId is null || request.ReferenceId == Guid.Empty) errors.Add("reference_id", "reference_id is required.");
        var urls = CheckoutRules.Urls(errors, request.PaymentMethod, request.SuccessUrl, request.CancelUrl);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        var item = await Pricing.PriceAsync(db, options.Value, purpose!, request.ReferenceId!.Value, userId, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(await checkout.StartAsync(userId, item, urls, cancellationToken));
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
        var size = limit ?? 20;
        if (size is < 1 or > 100) throw new RequestValidationException("limit", "limit must be 1-100.");
        var userId = principal.UserId();
        var query = db.Payments.AsNoTracking().Where(p => p.UserId == userId);
        if (cursor is not null)
        {
            var (createdAt, lastId) = Cursor.Decode(cursor) ?? throw new RequestValidationException("cursor", "cursor is not one this API gave out.");
            query = query.Where(p => p.CreatedAt < createdAt || (p.CreatedAt == createdAt && p.Id.CompareTo(lastId) < 0));
        }
        var items = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = items.Count > size ? Cursor.Encode(items[size - 1].CreatedAt, items[size - 1].Id) : null;
        return TypedResults.Ok(new CursorPage<PaymentDto>(items.Take(size).Select(PaymentDto.From).ToList(), next));
    }
}

/// <summary>Opaque "created_at|id" cursors for newest-first lists.</summary>
public static class Cursor
{
    public static string Encode(DateTimeOffset createdAt, Guid id) => OpaqueCursor.Encode($"{createdAt.UtcTicks}|{id}");

    public static (DateTimeOffset CreatedAt, Guid Id)? Decode(string cursor) =>
        OpaqueCursor.Decode(cursor)?.Split('|') is [var ticks, var id]
        && long.TryParse(ticks, out var utcTicks) && utcTicks is >= 0 and <= 3155378975999999999 && Guid.TryParse(id, out var lastId)
            ? (new DateTimeOffset(utcTicks, TimeSpan.Zero), lastId)
            : null;
}
