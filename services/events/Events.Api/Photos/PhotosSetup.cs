using Community.ServiceDefaults.Blobs;

namespace Community.Events;

/// <summary>Event photos and cover images: the blob store named by Events:Photos.</summary>
public static class PhotosSetup
{
    public const string BlobSection = "Events:Photos";

    public static IHostApplicationBuilder AddEventPhotos(this IHostApplicationBuilder builder)
    {
        builder.AddBlobStore(BlobSection, ".local/blobs/events");
        return builder;
    }
}
