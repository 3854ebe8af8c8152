using Community.Events.Data;
using Community.ServiceDefaults.Blobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Photos;

/// <summary>A photo someone added to an event; its bytes are in the <see cref="IBlobStore"/> under <see cref="BlobKey"/>.</summary>
public sealed class EventPhoto
{
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public Guid UploadedBy { get; set; }
    public string BlobKey { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long SizeBytes { get; set; }

    /// <summary>Pixels, as the image's header declares them; null for photos stored before sizes were recorded.</summary>
    public int? Width { get; set; }
    public int? Height { get; set; }
    public string? Caption { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string KeyFor(Guid eventId, Guid photoId, ImageFormat format) =>
        $"events/{eventId}/{photoId}.{format.Extension}";
}

public sealed class EventPhotoConfiguration : IEntityTypeConfiguration<EventPhoto>
{
    public void Configure(EntityTypeBuilder<EventPhoto> e)
    {
        e.ToTable("event_photos");
        e.HasOne<CommunityEvent>().WithMany().HasForeignKey(p => p.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}
