using Community.Events.Photos;
using Community.Events.Users;
using Microsoft.Extensions.Options;

namespace Community.Events;

/// <summary>Event photos: the blob store named by Events:Photos, the eraser of a deleted user's or draft's photos.</summary>
public static class PhotosSetup
{
    public static IHostApplicationBuilder AddEventPhotos(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PhotoOptions>().Bind(builder.Configuration.GetSection(PhotoOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PhotoOptions>, PhotoOptionsValidator>();
        builder.Services.AddSingleton<IBlobStore>(services => services.GetRequiredService<IOptions<PhotoOptions>>().Value.UsesS3
            ? ActivatorUtilities.CreateInstance<S3BlobStore>(services)
            : ActivatorUtilities.CreateInstance<LocalBlobStore>(services));
        builder.Services.AddScoped<PhotoEraser>();
        builder.Services.AddScoped<IUserDataEraser>(services => services.GetRequiredService<PhotoEraser>());
        return builder;
    }

    /// <summary>Names every problem in the section, not just that there is one.</summary>
    private sealed class PhotoOptionsValidator : IValidateOptions<PhotoOptions>
    {
        public ValidateOptionsResult Validate(string? name, PhotoOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
