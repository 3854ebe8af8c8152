using Community.Events.Photos;
using Community.Events.Users;
using Community.ServiceDefaults.Blobs;

namespace Community.Events;

/// <summary>Event photos and cover images: the blob store named by Events:Photos, the eraser of a deleted user's or draft's photos.</summary>
public static class PhotosSetup
{
    public const string BlobSection = "Events:Photos";

    public static IHostApplicationBuilder AddEventPhotos(this IHostApplicationBuilder builder)
    {
        builder.AddBlobStore(BlobSection, ".local/blobs/events");
        builder.Services.AddScoped<PhotoEraser>();
        builder.Services.AddScoped<IUserDataEraser>(services => services.GetRequiredService<PhotoEraser>());
        return builder;
    }
}
