namespace Community.Contracts.Messaging;

// Published by the messaging service.

/// <summary>A message was posted; notifications fan out to RecipientUserIds.</summary>
/// <param name="ConversationKind">direct, thread or event_chat.</param>
public sealed record MessageSent(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ChatMessageId,
    Guid ConversationId,
    string ConversationKind,
    Guid SenderUserId,
    IReadOnlyList<Guid> RecipientUserIds
) : IIntegrationEvent;

/// <summary>
/// A member started a thread in a group (its first message is posted with it); social may show it in the group's feed.
/// </summary>
public sealed record NewThread(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ThreadId,
    Guid GroupId,
    Guid AuthorUserId,
    string Title
) : IIntegrationEvent;

/// <summary>
/// A thread's title was changed (by its author or a group moderator); what shows it, such as social's feed, shows the
/// new one. OccurredAt orders the changes: a consumer keeps the latest, whichever arrives last.
/// </summary>
public sealed record ThreadRenamed(Guid MessageId, DateTimeOffset OccurredAt, Guid ThreadId, Guid GroupId, string Title)
    : IIntegrationEvent;

/// <summary>
/// A thread was deleted (by its author or a group moderator); what showed it, such as social's feed, drops it.
/// </summary>
public sealed record ThreadDeleted(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ThreadId,
    Guid GroupId,
    Guid DeletedByUserId
) : IIntegrationEvent;
