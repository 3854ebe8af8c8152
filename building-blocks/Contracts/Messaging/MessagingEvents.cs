namespace Community.Contracts.Messaging;

// Published by the messaging service.

/// <summary>A message was posted; notifications fan out to RecipientUserIds.</summary>
/// <param name="ConversationKind">direct, thread or event_chat.</param>
public sealed record MessageSent(Guid MessageId, DateTimeOffset OccurredAt, Guid ChatMessageId, Guid ConversationId, string ConversationKind, Guid SenderUserId, IReadOnlyList<Guid> RecipientUserIds) : IIntegrationEvent;
