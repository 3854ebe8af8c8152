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
