namespace Community.Messaging.Data;

public static class ConversationKinds
{
    public const string Direct = "direct";
    public const string Thread = "thread";
    public const string EventChat = "event_chat";

    public static readonly IReadOnlyList<string> All = [Direct, Thread, EventChat];
}

public static class MemberRoles
{
    public const string Member = "member";
    public const string Organizer = "organizer";
    public const string Attendee = "attendee";
}

public sealed class Conversation
{
    public Guid Id { get; set; }
    public string Kind { get; set; } = ConversationKinds.Direct;
    public Guid? DirectLow { get; set; }
    public Guid? DirectHigh { get; set; }
    public Guid? GroupId { get; set; }
    public Guid? EventId { get; set; }
    public Guid? OwnerId { get; set; }
    public Guid? CreatedBy { get; set; }
    public long LastSeq { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    public bool Closed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The other person of a direct conversation.</summary>
    public Guid OtherThan(Guid userId) => DirectLow == userId ? DirectHigh!.Value : DirectLow!.Value;
}

public sealed class ConversationMember
{
    public Guid ConversationId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = MemberRoles.Member;
    public bool Active { get; set; } = true;
    public long ReadSeq { get; set; }
    public bool Muted { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public sealed class Message
{
    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the message's ETag.</summary>
    public uint Version { get; set; }
    public Guid ConversationId { get; set; }
    public long Seq { get; set; }
    public Guid SenderId { get; set; }
    public string Text { get; set; } = "";
    public Guid? ReplyTo { get; set; }
    public List<Guid> AttachmentIds { get; set; } = [];
    public string ClientTxnId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed class Attachment
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }
    public Guid UploaderId { get; set; }
    public Guid? MessageId { get; set; }
    public string BlobKey { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string? FileName { get; set; }
    public long SizeBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

// Projections of other services' events.

public sealed class UserName
{
    public Guid UserId { get; set; }
    public string Username { get; set; } = "";
    public string? DisplayName { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public sealed class ConnectionPair
{
    public Guid UserLow { get; set; }
    public Guid UserHigh { get; set; }
    public bool Connected { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public sealed class Block
{
    public Guid BlockerId { get; set; }
    public Guid BlockedId { get; set; }
    public bool Blocked { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public sealed class Group
{
    public Guid GroupId { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

public static class GroupRoles
{
    public const string Owner = "owner";
    public const string Moderator = "moderator";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Owner, Moderator, Member];
}

public sealed class GroupMember
{
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = GroupRoles.Member;
    public bool Active { get; set; }
    public DateTimeOffset AsOf { get; set; }

    public bool Moderates => Active && Role is GroupRoles.Owner or GroupRoles.Moderator;
}
