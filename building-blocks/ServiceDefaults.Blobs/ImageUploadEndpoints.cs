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

    /// <summary>
    /// Stores <paramref name="image"/> under <paramref name="key"/>, then lets <paramref name="swap"/> point the row to
    /// it (under its lock; it returns the blob key it no longer uses). The replaced blob is deleted after; if the put
    /// or the swap fails, whatever the cause (a client gone, the database out of reach), the new one is. Never a blob
    /// call under the row lock, never an orphan but for a failed delete (logged). A swap that should outlive its client
    /// once the blob is stored saves with <see cref="CancellationToken.None"/>; one cancelled is undone like any other.
    /// </summary>
    public static async Task<T> StoreAndSwapAsync<T>(
        this IBlobStore blobs,
        string key,
        CheckedImage image,
        Func<Task<(T Result, string? Replaced)>> swap,
        ILogger logger,
        CancellationToken cancellationToken
    )
    {
        try
        {
            // In the try too: a put that failed or was cancelled may have stored the blob all the same (its answer
            // lost on the way back), and a missing blob's delete is no error.
            await using (var content = image.OpenRead())
                await blobs.PutAsync(key, content, image.Format.ContentType, cancellationToken);
            var (result, replaced) = await swap();
            if (replaced is not null)
                await blobs.TryDeleteAsync(replaced, logger);
            return result;
        }
        catch
        {
            await blobs.TryDeleteAsync(key, logger);
            throw;
        }
    }
}
