namespace Community.Contracts.AiCompanion;

// Published by the AI companion service.

/// <summary>
/// A user asked for a companion session bought with credits (purpose companion_session). Payments answers it by
/// spending the session's price, from its own configuration, once per SessionId: CreditsSpent (ReferenceId the
/// session) or CreditsSpendDeclined. The companion starts the session on CreditsSpent, or answers PurchaseRejected
/// (PaymentId the spend) when it cannot, and payments gives the credits back.
/// </summary>
public sealed record CompanionSessionRequested(Guid MessageId, DateTimeOffset OccurredAt, Guid SessionId, Guid UserId)
    : IIntegrationEvent;

/// <summary>
/// A user talked with the companion on Day (UTC): published once per user and day, with their first message of the day.
/// Social counts these days in the dashboard's emotional path progress.
/// </summary>
public sealed record CompanionCheckedIn(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, DateOnly Day)
    : IIntegrationEvent;
