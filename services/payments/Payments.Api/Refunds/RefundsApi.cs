using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Payments.Refunds;

/// <summary>A refund of a payment, whole or in part.</summary>
/// <param name="AmountCents">Minor units, above 0; absent refunds everything not yet refunded.</param>
/// <param name="Reason">Why, at most 500 characters; kept with the refund.</param>
public sealed record RefundRequest(long? AmountCents, [Required] string? Reason) : IRequestExample<RefundRequest>
{
    public static RefundRequest Example => new(2500, "The event moved to a date the member cannot make.");
}

/// <param name="Status">requested (recorded, the provider not yet known to be asked), pending (under way, already
/// counted in the payment's refunded_cents), succeeded or failed.</param>
public sealed record RefundDto(
    Guid Id,
    Guid PaymentId,
    long AmountCents,
    string Reason,
    [property: ValuesOf(typeof(RefundStatus))] string Status,
    string? FailureReason,
    DateTimeOffset CreatedAt
)
{
    public static RefundDto From(Refund r) =>
        new(r.Id, r.PaymentId, r.AmountCents, r.Reason, r.Status, r.FailureReason, r.CreatedAt);
}

public static class RefundsApi
{
    public static RouteGroupBuilder MapRefundsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/payments")
            .DescribesPathParameter("id", "The payment's id.")
            .WithTags("Payments")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/{id:guid}/refunds", RefundPayment)
            .WithName("RefundPayment")
            .WithSummary("Refund all or part of a payment (the event's or course's organizer, or an admin)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblemWith<RefundRefusal>(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .HonoursIdempotencyKeyItself();
        return group;
    }

    private static async Task<Created<RefundDto>> RefundPayment(
        Guid id,
        RefundRequest request,
        HttpRequest http,
        ClaimsPrincipal principal,
        PaymentsDbContext db,
        Refunder refunder,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var reason = request.Reason?.Trim();
        if (errors.Required("reason", reason))
            errors.MaxLength("reason", reason, Refunder.MaxReasonLength);
        if (request.AmountCents is <= 0)
            errors.Add("amount_cents", "amount_cents must be above 0 (or absent for everything left).");
        var key = IdempotencyKey.Read(http, errors);
        errors.ThrowIfAny();

        var callerId = principal.UserId();
        await RefundAccess.EnsureMayRefundAsync(db, id, principal, cancellationToken);

        // The same Idempotency-Key refunds once, however often the request is retried.
        var refundId = key is null ? NewId.Next(clock) : RefundRules.DeterministicId("api:" + callerId + ":" + key, id);
        var refund = await refunder.RefundAsync(
            id,
            request.AmountCents,
            reason!,
            callerId,
            refundId,
            cancellationToken
        );
        if (refund.Status == RefundStatus.Failed)
            throw new RefundFailedException(refund);
        return TypedResults.Created($"/api/v1/payments/{id}", RefundDto.From(refund));
    }
}
