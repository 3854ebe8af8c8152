using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events.Registrations;

public sealed record RegistrationDto(
    Guid Id,
    Guid EventId,
    Guid UserId,
    [property: ValuesOf(typeof(RegistrationStatus))] string Status,
    string? TicketCode,
    long AmountCents,
    string? Currency,
    DateTimeOffset? HoldExpiresAt,
    int? WaitlistPosition,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? ArrivedAt
)
{
    public static RegistrationDto From(Registration r, int? waitlistPosition = null) =>
        new(
            r.Id,
            r.EventId,
            r.UserId,
            r.Status,
            r.TicketCode,
            r.AmountCents,
            r.Currency,
            r.Status == RegistrationStatus.Held ? r.HoldExpiresAt : null,
            r.Status == RegistrationStatus.Waitlisted ? waitlistPosition : null,
            r.CreatedAt,
            r.ConfirmedAt,
            r.CancelledAt,
            r.ArrivedAt
        );
}

/// <summary>A seat held for the caller until paid: what a paid event's registration answers with its 402.</summary>
/// <param name="RegistrationId">The held registration.</param>
/// <param name="EventId">The event.</param>
/// <param name="RegistrationStatus">held.</param>
/// <param name="PriceCents">The price in minor units.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="HoldExpiresAt">Until when the seat is held; after it, it goes to the next person.</param>
/// <param name="Checkout">What to send to POST /api/v1/payments/checkout.</param>
public sealed record SeatHeld(
    Guid RegistrationId,
    Guid EventId,
    string RegistrationStatus,
    long PriceCents,
    string? Currency,
    DateTimeOffset? HoldExpiresAt,
    CheckoutReference Checkout
);
