namespace Community.Contracts.Messaging;

// Published by the messaging service (to be built).

/// <summary>A message was posted; notifications fan out to RecipientUserIds.</summary>
/// <param name="ConversationKind">direct, thread or event_chat.</param>
public sealed record MessageSent(Guid EventId, DateTimeOffset OccurredAt, Guid MessageId, Guid ConversationId, string ConversationKind, Guid SenderUserId, IReadOnlyList<Guid> RecipientUserIds) : IIntegrationEvent;
