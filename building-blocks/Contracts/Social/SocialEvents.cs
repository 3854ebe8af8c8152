namespace Community.Contracts.Social;

// Published by the social service.

/// <summary>A member asked another to connect; ConnectionId identifies the pending request.</summary>
public sealed record ConnectionRequested(Guid MessageId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid FromUserId, Guid ToUserId) : IIntegrationEvent;
/// <summary>The addressee accepted; From/To keep the direction of the original request.</summary>
public sealed record ConnectionAccepted(Guid MessageId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid FromUserId, Guid ToUserId) : IIntegrationEvent;
/// <summary>Either side ended the connection (or withdrew / declined the request).</summary>
public sealed record ConnectionRemoved(Guid MessageId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid RemovedByUserId, Guid OtherUserId) : IIntegrationEvent;
/// <summary>Blocker no longer sees or hears from Blocked; consumers hide content and end conversations.</summary>
public sealed record UserBlocked(Guid MessageId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId) : IIntegrationEvent;
/// <summary>A block was lifted; nothing that ended with the block is restored.</summary>
public sealed record UserUnblocked(Guid MessageId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId) : IIntegrationEvent;
/// <summary>One-way follow (organizers, public profiles).</summary>
public sealed record UserFollowed(Guid MessageId, DateTimeOffset OccurredAt, Guid FollowerUserId, Guid FollowedUserId) : IIntegrationEvent;
/// <summary>A group (circle/community) was created. Visibility: public, private or secret.</summary>
public sealed record GroupCreated(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid OwnerUserId, string Name, string Visibility) : IIntegrationEvent;
/// <summary>A group's settings or its owner changed; ChangedFields are the snake_case names (owner_id when ownership passed on).</summary>
public sealed record GroupUpdated(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, IReadOnlyList<string> ChangedFields) : IIntegrationEvent;
/// <summary>A group was deleted by its owner, or closed when its owner's account went with no moderator to take it over.</summary>
public sealed record GroupDeleted(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId) : IIntegrationEvent;
/// <summary>A user became a member of a group.</summary>
public sealed record GroupMemberJoined(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId) : IIntegrationEvent;
/// <summary>A user left or was removed from a group.</summary>
public sealed record GroupMemberLeft(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId) : IIntegrationEvent;
/// <summary>A group member's role changed (Role: owner, moderator or member).</summary>
public sealed record GroupMemberRoleChanged(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId, string Role) : IIntegrationEvent;
/// <summary>
/// An admin resolved a report. Action: dismiss, warn, remove_content or suspend_user; the owner of
/// the target (TargetType user, group, message or event) acts on it. Note is the admin's, for the record.
/// </summary>
public sealed record ReportResolved(
    Guid MessageId, DateTimeOffset OccurredAt, Guid ReportId, Guid ReporterUserId, string TargetType, Guid TargetId, string Category,
    string Action, string? Note, Guid ResolvedByUserId) : IIntegrationEvent;
/// <summary>
/// A member earned a badge by one of social's published rules (Badge: connected, founder or regular; Name is its display
/// name). Announced once per member and badge: a badge once earned is kept.
/// </summary>
public sealed record BadgeEarned(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, string Badge, string Name) : IIntegrationEvent;
