namespace Community.Contracts.Payments;

// Published by the payments service (to be built). Money is integer minor units plus an ISO 4217 code.

/// <summary>Money was captured for Purpose/ReferenceId (ReferenceId: registration, course, subscription...).</summary>
/// <param name="Purpose">event_registration, course, subscription, boost or credits.</param>
public sealed record PaymentSucceeded(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, string Purpose, Guid ReferenceId, long AmountCents, string Currency) : IIntegrationEvent;
/// <summary>A checkout failed or expired; Reason is the provider's code.</summary>
public sealed record PaymentFailed(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, string Purpose, Guid ReferenceId, string Reason) : IIntegrationEvent;
/// <summary>A (partial) refund went through; TotalRefundedCents is the running total.</summary>
public sealed record PaymentRefunded(Guid EventId, DateTimeOffset OccurredAt, Guid PaymentId, Guid UserId, Guid ReferenceId, long RefundedCents, long TotalRefundedCents, string Currency) : IIntegrationEvent;
/// <summary>Credits were added to a user's ledger; IdempotencyKey makes grants one-shot.</summary>
public sealed record CreditsGranted(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, long Amount, string Reason, string IdempotencyKey) : IIntegrationEvent;
/// <summary>Credits were spent on Purpose/ReferenceId.</summary>
public sealed record CreditsSpent(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, long Amount, string Purpose, Guid ReferenceId) : IIntegrationEvent;
/// <summary>A user's tier changed; identity puts it in the next access token.</summary>
/// <param name="Tier">free, premium or elite.</param>
public sealed record SubscriptionChanged(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, string Tier, DateTimeOffset? CurrentPeriodEnd) : IIntegrationEvent;
/// <summary>A profile boost was bought; discovery ranks the user first until BoostedUntil.</summary>
public sealed record BoostPurchased(Guid EventId, DateTimeOffset OccurredAt, Guid UserId, DateTimeOffset BoostedUntil) : IIntegrationEvent;
