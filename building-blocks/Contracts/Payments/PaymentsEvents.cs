namespace Community.Contracts.Payments;

// Published by the payments service (to be built). Money is integer minor units plus an ISO 4217 code.

/// <param name="Purpose">event_registration, course, subscription, boost or credits.</param>
public sealed record PaymentSucceeded(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, string Purpose, Guid ReferenceId, long AmountCents, string Currency) : IIntegrationEvent;
public sealed record PaymentFailed(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, string Purpose, Guid ReferenceId, string Reason) : IIntegrationEvent;
public sealed record PaymentRefunded(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, Guid ReferenceId, long RefundedCents, long TotalRefundedCents, string Currency) : IIntegrationEvent;
public sealed record CreditsGranted(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, long Amount, string Reason, string IdempotencyKey) : IIntegrationEvent;
public sealed record CreditsSpent(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, long Amount, string Purpose, Guid ReferenceId) : IIntegrationEvent;
/// <param name="Tier">free, premium or elite.</param>
public sealed record SubscriptionChanged(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, string Tier, DateTimeOffset? CurrentPeriodEnd) : IIntegrationEvent;
public sealed record BoostPurchased(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, DateTimeOffset BoostedUntil) : IIntegrationEvent;
