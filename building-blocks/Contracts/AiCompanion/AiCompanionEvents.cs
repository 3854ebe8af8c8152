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
