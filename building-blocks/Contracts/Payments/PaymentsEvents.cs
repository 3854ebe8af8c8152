namespace Community.Contracts.Payments;

// Published by the payments service. Money is integer minor units plus an ISO 4217 code.

/// <summary>
/// Money was captured for Purpose/ReferenceId (ReferenceId: registration, course, subscription...); OccurredAt is when
/// the provider reported the capture (its event's time), however late the report was handled.
/// </summary>
/// <param name="Purpose">event_registration, course, subscription, boost, credits or group_membership.</param>
public sealed record PaymentSucceeded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid UserId,
    string Purpose,
    Guid ReferenceId,
    long AmountCents,
    string Currency
) : IIntegrationEvent;

/// <summary>A checkout failed or expired; Reason is the provider's code.</summary>
public sealed record PaymentFailed(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid UserId,
    string Purpose,
    Guid ReferenceId,
    string Reason
) : IIntegrationEvent;

/// <summary>A (partial) refund went through; TotalRefundedCents is the running total.</summary>
public sealed record PaymentRefunded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid UserId,
    Guid ReferenceId,
    long RefundedCents,
    long TotalRefundedCents,
    string Currency
) : IIntegrationEvent;

/// <summary>Credits were added to a user's ledger; IdempotencyKey makes grants one-shot.</summary>
public sealed record CreditsGranted(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    long Amount,
    string Reason,
    string IdempotencyKey
) : IIntegrationEvent;

/// <summary>Credits were spent on Purpose/ReferenceId.</summary>
public sealed record CreditsSpent(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    long Amount,
    string Purpose,
    Guid ReferenceId
) : IIntegrationEvent;

/// <summary>A user's tier changed; identity puts it in the next access token.</summary>
/// <param name="Tier">free, premium or elite.</param>
public sealed record SubscriptionChanged(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string Tier,
    DateTimeOffset? CurrentPeriodEnd
) : IIntegrationEvent;

/// <summary>A profile boost was bought; discovery ranks the user first until BoostedUntil.</summary>
public sealed record BoostPurchased(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, DateTimeOffset BoostedUntil)
    : IIntegrationEvent;

/// <summary>
/// A refunded boost's days were taken back; BoostedUntil is the boost's new end (at or before OccurredAt: no boost
/// now).
/// </summary>
public sealed record BoostRevoked(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    Guid PaymentId,
    DateTimeOffset BoostedUntil
) : IIntegrationEvent;

/// <summary>
/// A refund failed, at once or after the provider had accepted it (the card was closed...): the
/// money stayed with the platform, the payment is refundable by that amount, and someone must
/// reach the payer (an automatic refund has nobody waiting on its answer).
/// </summary>
public sealed record PaymentRefundFailed(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid UserId,
    Guid RefundId,
    long AmountCents,
    string Currency,
    string Reason
) : IIntegrationEvent;

/// <summary>
/// Credits granted earlier were taken back (the pack or the referral that earned them was refunded); Amount may be less
/// than the grant when some were spent. What could not be taken then is owed, and a later CreditsRevoked takes it from
/// the credits a spend's reversal gives back (Reason "refunded_credits_already_spent"; its Amount may settle several
/// grants' debts, oldest first, and GrantId names the oldest).
/// </summary>
public sealed record CreditsRevoked(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    long Amount,
    string Reason,
    Guid GrantId
) : IIntegrationEvent;

/// <summary>
/// Payments' own command to itself: refund RefundId (its provider idempotency key) of PaymentId, AmountCents or all
/// that is left when null; one per payment, each in its own transaction.
/// </summary>
public sealed record PaymentRefundRequested(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid RefundId,
    Guid PaymentId,
    long? AmountCents,
    string Reason,
    Guid? RequestedBy
) : IIntegrationEvent;

/// <summary>
/// Payments' own command to itself: stop ProviderSubscriptionId at the provider, at its period end or now;
/// RefundedPaymentId set: then end the subscription it paid for.
/// </summary>
public sealed record SubscriptionCancellationRequested(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string ProviderSubscriptionId,
    bool AtPeriodEnd,
    Guid? RefundedPaymentId
) : IIntegrationEvent;

/// <summary>
/// Payments' own command to itself: delete ProviderCustomerId, a deleted account's customer, at the provider.
/// </summary>
public sealed record CustomerDeletionRequested(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string ProviderCustomerId
) : IIntegrationEvent;

/// <summary>
/// Payments could not spend credits another service asked it to (CompanionSessionRequested): nothing was written.
/// Reason: insufficient_credits (Balance is below Required) or not_for_sale (no credit price is configured; Required
/// 0).
/// </summary>
public sealed record CreditsSpendDeclined(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid UserId,
    string Purpose,
    Guid ReferenceId,
    string Reason,
    long Balance,
    long Required
) : IIntegrationEvent;
