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
    /// Writes the key down to be deleted again later, after <see cref="DeleteAsync"/> failed; false when this store
    /// cannot (nothing is written down, and the caller says the blob is orphaned). Never throws.
    /// </summary>
    Task<bool> DeleteLaterAsync(string key, string error) => Task.FromResult(false);

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
    /// Deletes a blob whose row is already gone; never fails the caller. A failed delete is written down and tried
    /// again later (<see cref="BlobDeletionRetries"/>); only when even that cannot be done is the blob left orphaned,
    /// logged.
    /// </summary>
    public static async Task TryDeleteAsync(this IBlobStore blobs, string key, ILogger logger)
    {
        try
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception exception)
        {
            var reason = BucketOutage.Reason(exception);
            if (await blobs.DeleteLaterAsync(key, reason))
            {
                logger.LogInformation(
                    "Could not delete blob {BlobKey} ({Reason}); it is deleted again later",
                    key,
                    reason
                );
                return;
            }
            logger.LogWarning(
                exception,
                "Could not delete blob {BlobKey}; it is orphaned and may be removed by hand",
                key
            );
        }
    }
}
