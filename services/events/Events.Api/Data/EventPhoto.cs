using Community.ServiceDefaults.Blobs;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

/// <summary>
/// A photo someone added to an event; its bytes are in the <see cref="IBlobStore"/> under <see cref="BlobKey"/>.
/// </summary>
public sealed class EventPhoto : ICreatedRow
{
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public Guid UploadedBy { get; set; }
    public string BlobKey { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }

    /// <summary>
    /// Pixels, as the image's header declares them; null for photos stored before sizes were recorded.
    /// </summary>
    public int? Width { get; set; }
    public int? Height { get; set; }
    public string? Caption { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string KeyFor(Guid eventId, Guid photoId, ImageFormat format) =>
        $"events/{eventId}/{photoId}.{format.Extension}";
}

internal sealed class EventPhotoConfiguration : IEntityTypeConfiguration<EventPhoto>
{
    public void Configure(EntityTypeBuilder<EventPhoto> e)
    {
        e.HasOne<CommunityEvent>().WithMany().HasForeignKey(p => p.EventId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(p => p.BlobKey, "event_photos_blob_key_key").IsUnique();
        e.HasIndex(p => p.UploadedBy, "event_photos_uploader");
        // A gallery is read newest first, the id breaking ties.
        e.HasIndex(
                p => new
                {
                    p.EventId,
                    p.CreatedAt,
                    p.Id,
                },
                "event_photos_event"
            )
            .IsDescending(false, true, true);
    }
}
