namespace Community.Contracts.Social;

// Published by the social service (to be built); declared now so consumers can be written against them.

public sealed record ConnectionRequested(Guid EventId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid FromUserId, Guid ToUserId) : IIntegrationEvent;
public sealed record ConnectionAccepted(Guid EventId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid FromUserId, Guid ToUserId) : IIntegrationEvent;
public sealed record ConnectionRemoved(Guid EventId, DateTimeOffset OccurredAt, Guid ConnectionId, Guid RemovedByUserId, Guid OtherUserId) : IIntegrationEvent;
public sealed record UserBlocked(Guid EventId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId) : IIntegrationEvent;
public sealed record UserUnblocked(Guid EventId, DateTimeOffset OccurredAt, Guid BlockerUserId, Guid BlockedUserId) : IIntegrationEvent;
public sealed record UserFollowed(Guid EventId, DateTimeOffset OccurredAt, Guid FollowerUserId, Guid FollowedUserId) : IIntegrationEvent;
public sealed record GroupCreated(Guid EventId, DateTimeOffset OccurredAt, Guid GroupId, Guid OwnerUserId, string Name, string Visibility) : IIntegrationEvent;
public sealed record GroupMemberJoined(Guid EventId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId) : IIntegrationEvent;
public sealed record GroupMemberLeft(Guid EventId, DateTimeOffset OccurredAt, Guid GroupId, Guid UserId) : IIntegrationEvent;
