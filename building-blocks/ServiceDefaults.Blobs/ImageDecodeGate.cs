using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// How many uploaded images this process decodes at once. A full-size decode holds 200-400 MB of pixels
/// (<see cref="ImageLimits.Photo"/>: 50 megapixels in RGBA, twice when turned upright), so without a bound a few
/// simultaneous uploads exceed the pod's memory. An upload waits up to <see cref="BlobStoreOptions.ImageDecodeWait"/>
/// for a slot, then answers 503 with Retry-After; nothing is stored.
/// </summary>
public sealed class ImageDecodeGate(int concurrent, TimeSpan wait) : IDisposable
{
    private readonly SemaphoreSlim slots = new(concurrent, concurrent);

    /// <summary>A slot, released when the returned value is disposed; 503 when none frees up in time.</summary>
    public async Task<Slot> EnterAsync(CancellationToken cancellationToken)
    {
        if (!await slots.WaitAsync(wait, cancellationToken))
            throw new ServiceUnavailableException(
                "Too many images are being processed right now; send the file again shortly.",
                RetryAfter
            );
        return new Slot(slots);
    }

    /// <summary>What a refused upload is told to wait: about one full-size decode.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public void Dispose() => slots.Dispose();

    public sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
                slots.Release();
        }
    }
}
