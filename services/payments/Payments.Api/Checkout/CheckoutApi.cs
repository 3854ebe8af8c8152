using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Payments.Checkout;

/// <summary>A hosted checkout of an event registration, a course, credits or a group membership.</summary>
/// <param name="Purpose">What is bought: event_registration, course, credits or group_membership.</param>
/// <param name="ReferenceId">The registration, enrollment, credit pack or membership paid for.</param>
/// <param name="PaymentMethod">card (the default), alipay or wechat_pay.</param>
/// <param name="SuccessUrl">An absolute http(s) URL the provider sends the buyer to after paying.</param>
/// <param name="CancelUrl">An absolute http(s) URL the provider sends the buyer to on giving up.</param>
public sealed record CheckoutRequest(
    [Required, ValuesOf(typeof(CheckoutApi), nameof(CheckoutApi.Purposes))] string? Purpose,
    [Required] Guid? ReferenceId,
    [ValuesOf(typeof(PaymentMethods))] string? PaymentMethod,
    [Required] string? SuccessUrl,
    [Required] string? CancelUrl
);

public sealed record PaymentDto(
    Guid Id,
    [property: ValuesOf(typeof(PaymentStatus))] string Status,
    long AmountCents,
    string Currency,
    [property: ValuesOf(typeof(PaymentPurposes))] string Purpose,
    Guid ReferenceId,
    string? Product,
    [property: ValuesOf(typeof(PaymentMethods))] string PaymentMethod,
    long RefundedCents,
    string? FailureReason,
    string? CheckoutUrl,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SucceededAt
)
{
    public static PaymentDto From(Payment p) =>
        new(
            p.Id,
            p.Status,
            p.AmountCents,
            p.Currency,
            p.Purpose,
            p.ReferenceId,
            p.Product,
            p.PaymentMethod,
            p.RefundedCents,
            p.FailureReason,
            p.Status == PaymentStatus.Pending ? p.CheckoutUrl : null,
            p.ExpiresAt,
            p.CreatedAt,
            p.SucceededAt
        );
}

public static class CheckoutApi
{
    /// <summary>The purposes bought here; subscriptions and boosts have their own checkouts.</summary>
    public static readonly string[] Purposes =
    [
        .. PaymentPurposes.All.Except([PaymentPurposes.Subscription, PaymentPurposes.Boost]),
    ];

    public static RouteGroupBuilder MapCheckoutApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/payments")
            .DescribesPathParameter("id", "The payment's id.")
            .WithTags("Payments")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/checkout", Checkout)
            .WithName("Checkout")
            .WithSummary(
                "Open (or find) the checkout for an event registration, a course, a credit pack or a paid group "
                    + "membership; the price is ours, not the client's"
            )
            .ProducesProblemWith<CheckoutConflictMembers>(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapGet("/{id:guid}", Get).WithName("GetPayment").WithSummary("One of my payments");
        group.MapGet("", List).WithName("ListPayments").WithSummary("My payments, newest first (cursor paged)");
        return group;
    }

    private static async Task<Ok<CheckoutDto>> Checkout(
        CheckoutRequest request,
        ClaimsPrincipal principal,
        CheckoutService checkout,
        PaymentsDbContext db,
        TimeProvider clock,
        IOptions<PaymentsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var purpose = request.Purpose?.Trim().ToLowerInvariant();
        if (purpose is null || !PaymentPurposes.All.Contains(purpose))
            errors.Add("purpose", $"purpose must be one of {string.Join(", ", PaymentPurposes.All)}.");
        else if (purpose is PaymentPurposes.Subscription or PaymentPurposes.Boost)
        {
            var route = purpose == PaymentPurposes.Subscription ? "subscriptions" : "boosts";
            errors.Add("purpose", $"{purpose} checkouts start at POST /api/v1/{route}/checkout.");
        }
        errors.Required("reference_id", request.ReferenceId);
        var urls = CheckoutRules.Urls(errors, request.PaymentMethod, request.SuccessUrl, request.CancelUrl);
        errors.ThrowIfAny();

        var userId = principal.UserId();
        var item = await Pricing.PriceAsync(
            db,
            options.Value,
            purpose!,
            request.ReferenceId!.Value,
            userId,
            clock.GetUtcNow(),
            cancellationToken
        );
        return TypedResults.Ok(await checkout.StartAsync(userId, item, urls, cancellationToken));
    }

    private static async Task<Ok<PaymentDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        // Only the payer (or an admin) sees it; others cannot even learn it exists.
        if (payment is null || (payment.UserId != principal.UserId() && !principal.IsInRole(Roles.Admin)))
            throw new NotFoundException("No payment of yours has this id.");
        return TypedResults.Ok(PaymentDto.From(payment));
    }

    private static async Task<Ok<CursorPage<PaymentDto>>> List(
        string? cursor,
        [PageSize(Keyset.DefaultLimit)] int? limit,
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var size = Keyset.Limit(limit, errors);
        var after = Keyset.After(cursor, Cursor.Parse, errors);
        errors.ThrowIfAny();
        var userId = principal.UserId();
        var query = db.Payments.AsNoTracking().Where(p => p.UserId == userId);
        if (after is var (createdAt, lastId))
            query = query.Where(p =>
                p.CreatedAt < createdAt || (p.CreatedAt == createdAt && p.Id.CompareTo(lastId) < 0)
            );
        var items = await query
            .OrderByDescending(p => p.CreatedAt)
            .ThenByDescending(p => p.Id)
            .Take(Keyset.Probe(size))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(Keyset.Page(items, size, p => Cursor.Position(p.CreatedAt, p.Id), PaymentDto.From));
    }
}

/// <summary>"created_at|id" positions in newest-first lists, carried in opaque cursors.</summary>
public static class Cursor
{
    public static string Position(DateTimeOffset createdAt, Guid id) => $"{createdAt.UtcTicks}|{id}";

    public static (DateTimeOffset CreatedAt, Guid Id)? Parse(string position) =>
        position.Split('|') is [var ticks, var id]
        && long.TryParse(ticks, out var utcTicks)
        && utcTicks is >= 0 and <= 3155378975999999999
        && Guid.TryParse(id, out var lastId)
            ? (new DateTimeOffset(utcTicks, TimeSpan.Zero), lastId)
            : null;
}
