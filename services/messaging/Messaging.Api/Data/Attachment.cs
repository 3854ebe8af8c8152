namespace Community.Messaging.Data;

/// <summary>A file uploaded to a conversation; a message may carry those its sender uploaded there, each
/// once.</summary>
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

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> e)
    {
        e.HasKey(a => a.Id);
        e.HasIndex(a => new { a.ConversationId, a.UploaderId }, "attachments_conversation");
        e.HasIndex(a => new { a.UploaderId, a.CreatedAt }, "attachments_unsent").HasFilter("message_id IS NULL");
    }
}
