namespace Community.Contracts.Messaging;

// Published by the messaging service (to be built).

/// <param name="ConversationKind">direct, thread or event_chat.</param>
public sealed record MessageSent(Guid EventId, DateTimeOffset OccurredAt, Guid MessageId, Guid ConversationId, string ConversationKind, Guid SenderUserId, IReadOnlyList<Guid> RecipientUserIds) : IIntegrationEvent;
