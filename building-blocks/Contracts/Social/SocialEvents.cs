namespace Community.Contracts.Social;

// Published by the social service.

/// <summary>A member asked another to connect; ConnectionId identifies the pending request.</summary>
public sealed record ConnectionRequested(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ConnectionId,
    Guid FromUserId,
    Guid ToUserId
) : IIntegrationEvent;

/// <summary>The addressee accepted; From/To keep the direction of the original request.</summary>
public sealed record ConnectionAccepted(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ConnectionId,
    Guid FromUserId,
    Guid ToUserId
) : IIntegrationEvent;

/// <summary>Either side ended the connection (or withdrew / declined the request).</summary>
public sealed record ConnectionRemoved(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ConnectionId,
    Guid RemovedByUserId,
    Guid OtherUserId
) : IIntegrationEvent;

/// <summary>Blocker no longer sees or hears from Blocked; consumers hide content and end conversations.</summary>
public sealed record UserBlocked(Guid MessageId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId)
    : IIntegrationEvent;

/// <summary>A block was lifted; nothing that ended with the block is restored.</summary>
public sealed record UserUnblocked(Guid MessageId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId)
    : IIntegrationEvent;

/// <summary>One-way follow (organizers, public profiles).</summary>
public sealed record UserFollowed(Guid MessageId, DateTimeOffset OccurredAt, Guid FollowerUserId, Guid FollowedUserId)
    : IIntegrationEvent;

/// <summary>A group (circle/community) was created. Visibility: public, private or secret.</summary>
public sealed record GroupCreated(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    Guid OwnerUserId,
    string Name,
    string Visibility
) : IIntegrationEvent
{
    // Where and what the group is about, for the companion's opportunities (null from publishers before they existed).
    public string? Region { get; init; }

    /// <summary>The group's interest and tags, lower case.</summary>
    public IReadOnlyList<string>? Interests { get; init; }
}

/// <summary>
/// A group's settings or its owner changed; ChangedFields are the snake_case names (owner_id when ownership passed on).
/// </summary>
public sealed record GroupUpdated(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    IReadOnlyList<string> ChangedFields
) : IIntegrationEvent;

/// <summary>
/// A group was deleted by its owner, or closed when its owner's account went with no moderator to take it over.
/// </summary>
public sealed record GroupDeleted(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId) : IIntegrationEvent;

/// <summary>A user became a member of a group.</summary>
public sealed record GroupMemberJoined(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId)
    : IIntegrationEvent;

/// <summary>A user left or was removed from a group.</summary>
public sealed record GroupMemberLeft(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId)
    : IIntegrationEvent;

/// <summary>
/// An admin resolved a report. Action: dismiss, warn, remove_content or suspend_user (<see cref="ReportActions"/>); the
/// owner of the target (TargetType user, group, message or event, <see cref="ReportTargets"/>) acts on it: social
/// removes a group in the resolution itself, messaging a message, events cancels an event, identity suspends a user,
/// and messaging tells the reported party of a warning. Note is the admin's, for the record and the warning.
/// </summary>
public sealed record ReportResolved(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid ReportId,
    Guid ReporterUserId,
    string TargetType,
    Guid TargetId,
    string Category,
    string Action,
    string? Note,
    Guid ResolvedByUserId
) : IIntegrationEvent
{
    /// <summary>
    /// For suspend_user on a user: the end of the suspension identity enforces (null from publishers before it
    /// existed, and for a suspension until an admin lifts it).
    /// </summary>
    public DateTimeOffset? SuspendedUntil { get; init; }

    /// <summary>
    /// Whom the target belongs to, when social knows it: the user of a user report, a group's owner at the
    /// resolution. Null for a message or an event (messaging and events know their authors and organizers), for a
    /// group already gone, and from publishers before it existed.
    /// </summary>
    public Guid? TargetOwnerUserId { get; init; }
}

/// <summary>
/// A member earned a badge by one of social's published rules (Badge: connected, founder or regular; Name is its
/// display name). Announced once per member and badge: a badge once earned is kept.
/// </summary>
public sealed record BadgeEarned(Guid MessageId, DateTimeOffset OccurredAt, Guid UserId, string Badge, string Name)
    : IIntegrationEvent;

/// <summary>A member's role in a group changed (owner, moderator or member).</summary>
public sealed record GroupMemberRoleChanged(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    Guid UserId,
    string Role
) : IIntegrationEvent;

/// <summary>
/// A user asked to join a group whose join policy is request; its owner and moderators decide
/// (GroupJoinRequestDecided). <paramref name="Deciders"/>: who they were when it was asked, for a consumer that does
/// not know the group yet (its GroupCreated still on the way); null from publishers before it existed.
/// </summary>
public sealed record GroupJoinRequested(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    Guid UserId,
    string? Reason,
    IReadOnlyList<Guid>? Deciders = null
) : IIntegrationEvent;

/// <summary>
/// A member (InvitedByUserId) invited UserId to join GroupId: the invitation lets them in without a request (in a paid
/// group, to buy the membership); messaging tells them. Published once, when the invitation is made.
/// </summary>
public sealed record GroupInvitationSent(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    Guid UserId,
    Guid InvitedByUserId
) : IIntegrationEvent;

/// <summary>
/// Invitations to GroupId ended without their guests joining: declined (the guest left it), withdrawn by the owner or a
/// moderator, or gone with their sender (who left the group, had their account deleted, or no longer decides who joins
/// where the group approves requests), or with their group, deleted (beside GroupDeleted). "X invited you to join"
/// asks nothing more of UserIds. An invitation used up by a join ends with GroupMemberJoined instead.
/// </summary>
public sealed record GroupInvitationsEnded(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    IReadOnlyList<Guid> UserIds
) : IIntegrationEvent;

/// <summary>
/// A moderator approved (the user is now a member, GroupMemberJoined too; in a paid group they are invited to buy the
/// membership instead) or rejected a request to join.
/// </summary>
public sealed record GroupJoinRequestDecided(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid GroupId,
    Guid UserId,
    bool Approved
) : IIntegrationEvent;

/// <summary>
/// A request to join ended without a decision: withdrawn by its asker (they left it), or moot (they joined by an
/// invitation meanwhile). The deciders' "asked to join" is no longer theirs to act on, as after
/// GroupJoinRequestDecided; the asker is told nothing.
/// </summary>
public sealed record GroupJoinRequestEnded(Guid MessageId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId)
    : IIntegrationEvent;

/// <summary>
/// A paid group's membership awaits payment; payments prices the checkout (purpose group_membership, reference
/// PurchaseId) from it: PriceCents in Currency, bought by UserId only. OwnerUserId is the seller.
/// </summary>
public sealed record GroupMembershipPending(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PurchaseId,
    Guid GroupId,
    Guid UserId,
    long PriceCents,
    string Currency,
    Guid OwnerUserId
) : IIntegrationEvent;

/// <summary>
/// Social could not honour a settled group_membership payment (the group was deleted, the payer and the owner blocked
/// one another or the payer's account went, the payment does not match the price, or the payer was already a member):
/// payments gives it all back.
/// </summary>
public sealed record GroupMembershipRejected(
    Guid MessageId,
    DateTimeOffset OccurredAt,
    Guid PaymentId,
    Guid PurchaseId,
    string Reason
) : IIntegrationEvent;
