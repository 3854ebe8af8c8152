namespace Community.Contracts.Events;

// Published by the events service (to be built). Money is integer minor units plus an ISO 4217 code.

public sealed record EventPublished(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, Guid OrganizerUserId, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt, long PriceCents, string Currency) : IIntegrationEvent;
public sealed record EventUpdated(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, IReadOnlyList<string> ChangedFields) : IIntegrationEvent;
public sealed record EventCancelled(Guid EventId, DateTimeOffset OccurredAt, Guid CommunityEventId, string? Reason) : IIntegrationEvent;
public sealed record RsvpCreated(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId) : IIntegrationEvent;
public sealed record RsvpCancelled(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId) : IIntegrationEvent;
public sealed record TicketHoldCreated(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, long AmountCents, string Currency, DateTimeOffset ExpiresAt) : IIntegrationEvent;
public sealed record RegistrationConfirmed(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, string TicketCode) : IIntegrationEvent;
public sealed record ArrivalRecorded(Guid EventId, DateTimeOffset OccurredAt, Guid RegistrationId, Guid CommunityEventId, Guid UserId, DateTimeOffset ArrivedAt) : IIntegrationEvent;
public sealed record CourseEnrolled(Guid EventId, DateTimeOffset OccurredAt, Guid CourseId, Guid UserId, long PriceCents, string? Currency, int? PriceCredits) : IIntegrationEvent;
