using Community.ServiceDefaults.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Blobs;

public static class BlobStoreSetup
{
    /// <summary>
    /// Registers the service's <see cref="IBlobStore"/>, configured by <paramref name="section"/>: a local folder
    /// (LocalPath, else <paramref name="defaultLocalPath"/>, under the content root) or an S3-compatible bucket.
    /// Bad settings stop the service at start-up, each problem named.
    /// </summary>
    public static IHostApplicationBuilder AddBlobStore(
        this IHostApplicationBuilder builder,
        string section,
        string defaultLocalPath
    )
    {
        builder
            .Services.AddOptions<BlobStoreOptions>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BlobStoreOptions>>(new BlobStoreOptionsValidator(section));
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            return new ImageDecodeGate(options.ConcurrentImageDecodes, options.ImageDecodeWait);
        });
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            return new UploadSpool(options.UploadSpoolBytes, options.UploadReadTimeout);
        });
        builder.Services.AddSingleton<IBlobStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            if (options.UsesS3)
                return new S3BlobStore(options.S3, services.GetRequiredService<ILogger<S3BlobStore>>());
            var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new LocalBlobStore(
                Path.Combine(
                    contentRoot,
                    string.IsNullOrWhiteSpace(options.LocalPath) ? defaultLocalPath : options.LocalPath
                )
            );
        });
        return builder;
    }

    /// <summary>Names every problem in the section, not just that there is one.</summary>
    private sealed class BlobStoreOptionsValidator(string section) : IValidateOptions<BlobStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, BlobStoreOptions options) =>
            options.Problems(section).ToList() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems)
                : ValidateOptionsResult.Success;
    }
}
