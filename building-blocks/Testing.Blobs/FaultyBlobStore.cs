using Community.ServiceDefaults.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Testing;

/// <summary>
/// The service's blob store with the faults a test sets: a delete that fails (a bucket out of reach; an instance that
/// dies right after its commit, which writes nothing down to try again either), or something going wrong right after
/// a put has stored its blob. Everything else is the store's own.
/// </summary>
/// <param name="inner">The store the service registered.</param>
/// <param name="deleteFails">Asked before each delete: true, it fails.</param>
/// <param name="failedDeletesWrittenDown">False: a failed delete is not written down to be tried again.</param>
/// <param name="afterPut">Run right after each put has stored its blob.</param>
public sealed class FaultyBlobStore(
    IBlobStore inner,
    Func<bool>? deleteFails = null,
    bool failedDeletesWrittenDown = true,
    Func<Task>? afterPut = null
) : IBlobStore, IDisposable
{
    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        await inner.PutAsync(key, content, contentType, cancellationToken);
        if (afterPut is not null)
            await afterPut();
    }

    public Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        deleteFails?.Invoke() == true
            ? Task.FromException(new IOException("The bucket is out of reach (the test's)."))
            : inner.DeleteAsync(key, cancellationToken);

    public Task<bool> DeleteLaterAsync(string key, string error) =>
        failedDeletesWrittenDown ? inner.DeleteLaterAsync(key, error) : Task.FromResult(false);

    public string? PublicUrl(string key) => inner.PublicUrl(key);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

public static class FaultyBlobStoreRegistration
{
    /// <summary>
    /// Registers the blob store the service registered, wrapped by <paramref name="wrap"/>, in its place.
    /// </summary>
    public static IServiceCollection WrapBlobStore(
        this IServiceCollection services,
        Func<IServiceProvider, IBlobStore, IBlobStore> wrap
    )
    {
        var registered = services.Last(d => d.ServiceType == typeof(IBlobStore));
        services.Remove(registered);
        return services.AddSingleton(provider =>
            wrap(provider, (IBlobStore)registered.ImplementationFactory!(provider))
        );
    }
}
