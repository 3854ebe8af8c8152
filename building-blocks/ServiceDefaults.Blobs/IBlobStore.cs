using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Where uploaded bytes live: a folder on this machine or an S3-compatible bucket, chosen by the service's blob
/// section's Provider.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Stores the content under the key, replacing what was there; readers never see a half-written blob.
    /// </summary>
    Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>The blob's bytes (the caller disposes the stream), or null if there is no blob under the key.</summary>
    Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the blob; a missing blob is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// An address clients fetch the blob from directly, or null when the service streams it through its own content
    /// route.
    /// </summary>
    string? PublicUrl(string key);
}

public sealed record StoredBlob(Stream Content, string ContentType);

public static class BlobStoreExtensions
{
    /// <summary>
    /// Deletes a blob whose row is already gone: a failure leaves an orphaned file, logged, and never fails the caller.
    /// </summary>
    public static async Task TryDeleteAsync(this IBlobStore blobs, string key, ILogger logger)
    {
        try
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(
                exception,
                "Could not delete blob {BlobKey}; it is orphaned and may be removed by hand",
                key
            );
        }
    }
}
