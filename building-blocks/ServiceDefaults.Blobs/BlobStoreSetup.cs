using Community.ServiceDefaults.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Blobs;

public static class BlobStoreSetup
{
    /// <summary>
    /// Registers the service's <see cref="IBlobStore"/>, configured by <paramref name="section"/>: a local folder
    /// (LocalPath, else <paramref name="defaultLocalPath"/>, under the content root) or an S3-compatible bucket.
    /// Bad settings stop the service at start-up, each problem named; a bucket these credentials cannot write, read
    /// back or delete in keeps the instance from being ready (<see cref="BlobStoreCheck"/>). Files that only their
    /// service's route may give out (it checks who may read them, and how they are sent) take
    /// <paramref name="publicUrls"/> false: a public bucket address (S3:PublicBaseUrl) is then refused.
    /// </summary>
    public static IHostApplicationBuilder AddBlobStore(
        this IHostApplicationBuilder builder,
        string section,
        string defaultLocalPath,
        bool publicUrls = true
    )
    {
        builder
            .Services.AddOptions<BlobStoreOptions>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BlobStoreOptions>>(
            new BlobStoreOptionsValidator(section, publicUrls)
        );
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
        builder.Services.AddSingleton<BlobDeletionRetries>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BlobDeletionRetries>());
        builder.Services.AddSingleton<IBlobStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            var retries = services.GetRequiredService<BlobDeletionRetries>();
            if (options.UsesS3)
                return new RetriedDeletes(
                    new S3BlobStore(options.S3, services.GetRequiredService<ILogger<S3BlobStore>>()),
                    retries
                );
            var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new RetriedDeletes(
                new LocalBlobStore(
                    Path.Combine(
                        contentRoot,
                        string.IsNullOrWhiteSpace(options.LocalPath) ? defaultLocalPath : options.LocalPath
                    )
                ),
                retries
            );
        });
        // Not ready until an S3 bucket took, gave back and deleted an object (nothing to check for a folder). One
        // instance, which remembers that it passed: the health service makes one a run of a check not registered.
        builder.Services.AddSingleton<BlobStoreCheck>();
        builder.Services.AddHealthChecks().AddCheck<BlobStoreCheck>(HealthCheckName, HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }

    /// <summary>The readiness check of the blob store, as /health/ready names it.</summary>
    public const string HealthCheckName = "blob-store";

    /// <summary>Names every problem in the section, not just that there is one.</summary>
    private sealed class BlobStoreOptionsValidator(string section, bool publicUrls) : IValidateOptions<BlobStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, BlobStoreOptions options) =>
            options.Problems(section, publicUrls).ToList() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems)
                : ValidateOptionsResult.Success;
    }
}
