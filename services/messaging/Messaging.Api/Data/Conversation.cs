using Community.Contracts;

namespace Community.Messaging.Data;

/// <summary>A direct conversation, a group thread's or an event's chat; messages are numbered by its
/// last_seq.</summary>
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

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> e)
    {
        e.HasKey(c => c.Id);
        e.HasIndex(c => new { c.DirectLow, c.DirectHigh }, "conversations_direct_pair")
            .IsUnique()
            .HasFilter("kind = 'direct'");
        e.HasIndex(c => c.EventId, "conversations_event").IsUnique().HasFilter("kind = 'event_chat'");
        e.HasIndex(c => new { c.GroupId, c.LastActivityAt }, "conversations_group")
            .IsDescending(false, true)
            .HasFilter("kind = 'thread'");
    }
}
