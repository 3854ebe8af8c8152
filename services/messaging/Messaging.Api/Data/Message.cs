using NpgsqlTypes;

namespace Community.Messaging.Data;

/// <summary>A message, numbered per conversation; a deleted one stays as a tombstone with its seq.</summary>
public sealed class Message
{
    /// <summary>The full-text search column the database generates from the text.</summary>
    public const string Search = "Search";

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

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> e)
    {
        e.HasKey(m => m.Id);
        e.Property(m => m.Version).MapToXmin();
        e.Property<NpgsqlTsVector>(Message.Search).HasComputedColumnSql("to_tsvector('simple', text)", stored: true);
        e.HasIndex(m => new { m.ConversationId, m.Seq }).IsUnique();
        // A retried send (same client_txn_id) finds the message its first attempt made.
        e.HasIndex(m => new { m.SenderId, m.ClientTxnId }).IsUnique();
        e.HasIndex([Message.Search], "messages_search").HasMethod("gin");
        e.HasIndex(m => m.ReplyTo, "messages_reply_to").HasFilter("reply_to IS NOT NULL");
    }
}
