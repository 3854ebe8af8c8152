namespace Community.Contracts.Events;

// Published by the events service (to be built). Money is integer minor units plus an ISO 4217 code.

/// <summary>A draft event became visible. CommunityEventId is the event; EventId is this message.</summary>
public sealed record EventPublished(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, Guid OrganizerUserId, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt, long PriceCents, string Currency) : IIntegrationEvent;
/// <summary>Details of a published event changed; ChangedFields are snake_case names.</summary>
public sealed record EventUpdated(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, IReadOnlyList<string> ChangedFields) : IIntegrationEvent;
/// <summary>A published event was cancelled; registrations stay for history and refunds.</summary>
public sealed record EventCancelled(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, string? Reason) : IIntegrationEvent;
/// <summary>A registration became confirmed (free event, or paid and settled).</summary>
public sealed record RsvpCreated(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId) : IIntegrationEvent;
/// <summary>
/// A registration was cancelled by its holder (or erased with the account) and any seat released.
/// RefundCents is what the event's refund policy owes for a paid, confirmed registration (0 when nothing is owed);
/// PaymentId is the payment that settled it.
/// </summary>
public sealed record RsvpCancelled(
    Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId,
    string PreviousStatus, long RefundCents, string? Currency, Guid? PaymentId) : IIntegrationEvent;
/// <summary>A seat of a paid event is held until ExpiresAt for RegistrationId; payments prices checkout from this.</summary>
public sealed record TicketHoldCreated(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, long AmountCents, string Currency, DateTimeOffset ExpiresAt) : IIntegrationEvent;
/// <summary>A held registration was paid (PaymentId) and its ticket issued.</summary>
public sealed record RegistrationConfirmed(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, string TicketCode, Guid PaymentId) : IIntegrationEvent;
/// <summary>An attendee checked in at the venue.</summary>
public sealed record ArrivalRecorded(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, DateTimeOffset ArrivedAt) : IIntegrationEvent;
/// <summary>A user enrolled in a course (free, paid by card, or paid with credits).</summary>
public sealed record CourseEnrolled(Guid EventId, DateTimeOffset OccurredAt, Guid CourseId, Guid UserId, long PriceCents, string? Currency, int? PriceCredits) : IIntegrationEvent;
