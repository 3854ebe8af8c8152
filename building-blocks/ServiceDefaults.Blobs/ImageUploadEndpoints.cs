using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// What every image-upload endpoint shares: its route conventions, and storing the new blob before the row points to
/// it.
/// </summary>
public static class ImageUploadEndpoints
{
    /// <summary>
    /// A multipart upload of at most <paramref name="maxUploadBytes"/>, above the service-wide 1 MiB body limit for
    /// this endpoint only (endpoint routing applies both before the body is read), held to the process's
    /// <see cref="UploadSpool"/>; documents its 408, 413 and 415.
    /// </summary>
    public static RouteHandlerBuilder AcceptsImageUpload<TForm>(this RouteHandlerBuilder endpoint, long maxUploadBytes)
        where TForm : notnull =>
        endpoint
            .Accepts<TForm>("multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(maxUploadBytes), SpooledUpload.Instance)
            .WithFormOptions(multipartBodyLengthLimit: maxUploadBytes)
            .DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    private static readonly TimeSpan NamedCheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stores <paramref name="image"/> under <paramref name="key"/>, then lets <paramref name="swap"/> point the row to
    /// it (under its lock; it returns the blob key it no longer uses), and deletes the replaced blob once the swap has
    /// committed. If the put or the swap fails, whatever the cause (a client gone, the database out of reach), the new
    /// blob is deleted, unless <paramref name="named"/> (does the row name <paramref name="key"/>? read after any
    /// transaction still writing the row) says or cannot rule out that the commit went through, its answer lost: an
    /// orphan (logged) is the lesser harm than a row naming a deleted blob. Never a blob call under the row lock. Once
    /// the blob is stored both run with <see cref="CancellationToken.None"/>, so a client leaving mid-commit cannot
    /// leave the outcome unknown.
    /// </summary>
    public static async Task<T> StoreAndSwapAsync<T>(
        this IBlobStore blobs,
        string key,
        CheckedImage image,
        Func<CancellationToken, Task<(T Result, string? Replaced)>> swap,
        Func<CancellationToken, Task<bool>> named,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        (T Result, string? Replaced) swapped;
        var swapping = false;
        try
        {
            // In the try too: a put that failed or was cancelled may have stored the blob all the same (its answer
            // lost on the way back), and a missing blob's delete is no error.
            await using (var content = image.OpenRead())
                await blobs.PutAsync(key, content, image.Format.ContentType, cancellationToken);
            swapping = true;
            swapped = await swap(CancellationToken.None);
        }
        catch
        {
            // A commit whose answer was lost (a dropped connection, a failover) went through: the row names the blob.
            if (!swapping || !await MaybeNamedAsync(named))
                await blobs.TryDeleteAsync(key, logger);
            else
                logger.LogWarning(
                    "The swap to blob {BlobKey} failed but may have committed; kept, and the blob it replaced may be "
                        + "orphaned",
                    key
                );
            throw;
        }
        if (swapped.Replaced is not null)
            await blobs.TryDeleteAsync(swapped.Replaced, logger);
        return swapped.Result;
    }

    /// <summary>
    /// Whether the row may name the new blob: true unless the database says it does not within
    /// <see cref="NamedCheckTimeout"/> (the check waits for a transaction still holding the row, which a connection
    /// lost in a partition can hold until the server notices).
    /// </summary>
    private static async Task<bool> MaybeNamedAsync(Func<CancellationToken, Task<bool>> named)
    {
        try
        {
            using var timeout = new CancellationTokenSource(NamedCheckTimeout);
            return await named(timeout.Token);
        }
        catch (Exception)
        {
            return true;
        }
    }
}
