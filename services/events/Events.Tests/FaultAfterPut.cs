using Community.ServiceDefaults.Blobs;
using Microsoft.AspNetCore.Http;

namespace Community.Events.Tests;

/// <summary>
/// The service's blob store with something going wrong right after each put has stored its blob, during the request
/// that put it: whatever the upload does next must leave no blob that no row names.
/// </summary>
public sealed class FaultAfterPut(IBlobStore inner, IHttpContextAccessor http, Func<HttpContext, Task> fault)
    : IBlobStore
{
    /// <summary>The client leaves: the request is aborted, and the put returns once its token says so.</summary>
    public static async Task ClientLeaves(HttpContext context)
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = context.RequestAborted.Register(() => aborted.TrySetResult());
        context.Abort();
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The put's answer is lost on the way back: it fails, though the blob is stored.</summary>
    public static Task AnswerLost(HttpContext context) =>
        Task.FromException(new IOException("The connection was reset after the blob was stored (lost by the test)."));

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        await inner.PutAsync(key, content, contentType, cancellationToken);
        await fault(http.HttpContext ?? throw new InvalidOperationException("A put outside a request."));
    }

    public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        inner.DeleteAsync(key, cancellationToken);

    public string? PublicUrl(string key) => inner.PublicUrl(key);
}
