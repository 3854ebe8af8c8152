namespace Community.Messaging.Data;

public static class MemberRoles
{
    public const string Member = "member";
    public const string Organizer = "organizer";
    public const string Attendee = "attendee";
}

/// <summary>A member's state in a conversation: how far they read, whether it is muted.</summary>
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

internal sealed class ConversationMemberConfiguration : IEntityTypeConfiguration<ConversationMember>
{
    public void Configure(EntityTypeBuilder<ConversationMember> e)
    {
        e.HasKey(m => new { m.ConversationId, m.UserId });
        e.HasIndex(m => new { m.UserId, m.ConversationId }, "conversation_members_user").HasFilter("active");
    }
}
