using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Marks an endpoint whose request body is a file upload held in the process's <see cref="UploadSpool"/> while it
/// arrives.
/// </summary>
public sealed class SpooledUpload
{
    public static readonly SpooledUpload Instance = new();

    private SpooledUpload() { }
}

/// <summary>
/// What this process holds of the uploads it is receiving. ASP.NET Core spools a form above 64 KB (and a body read
/// twice, as Idempotency-Key replays read it, above 30 KB) to /tmp until the request ends, and a pod whose /tmp
/// outgrows its size limit is evicted: without a bound, a few people holding uploads open (a large part sent, the rest
/// trickled) would take the service down.
/// <para>
/// Each upload reserves its declared length (its endpoint's body limit when it declares none) before any of its body
/// is read, until its request ends. Past the process's budget in all (but for the one upload in), 503 with
/// Retry-After; past a quarter of it for one person's uploads in flight (their first is let in whatever its size),
/// 429, so that nobody holds the room others need. And its body must arrive at least as fast as its whole length in
/// <see cref="ReadTimeout"/> would (Kestrel's minimum data rate for this request, after its grace), else 408: a
/// reservation lasts about that long at most.
/// </para>
/// </summary>
public sealed class UploadSpool(long budgetBytes, TimeSpan readTimeout)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, long> heldBy = [];
    private long reserved;

    /// <summary>How long an upload's body may take to arrive in full, at the slowest rate allowed.</summary>
    public TimeSpan ReadTimeout { get; } = readTimeout;

    /// <summary>What one person's uploads in flight may hold at most, beyond their first.</summary>
    public long PerPersonBytes => budgetBytes / 4;

    /// <summary>What a refused upload is told to wait: long enough for a usual upload ahead of it to finish.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long a body may arrive slower than its rate, from its first read (Kestrel's default).</summary>
    public static readonly TimeSpan RateGrace = TimeSpan.FromSeconds(5);

    /// <summary>The bytes reserved now, by every upload in flight.</summary>
    public long Reserved
    {
        get
        {
            lock (gate)
                return reserved;
        }
    }

    /// <summary>
    /// Room for <paramref name="bytes"/> of <paramref name="user"/>'s upload, released when the returned value is
    /// disposed; 429 when their uploads in flight hold as much as one person may, 503 when the process has no room.
    /// </summary>
    public Reservation Reserve(Guid user, long bytes)
    {
        lock (gate)
        {
            var theirs = heldBy.GetValueOrDefault(user);
            if (theirs > 0 && theirs + bytes > PerPersonBytes)
                throw new TooManyRequestsException(
                    "Your uploads in progress are as large as one person's may be at once; send this file when one of "
                        + "them is done.",
                    RetryAfter
                );
            // The first upload in is let in whatever its size: a budget set below an endpoint's limit slows uploads
            // down to one at a time rather than refusing them all.
            if (reserved > 0 && bytes > budgetBytes - reserved)
                throw new ServiceUnavailableException(
                    "Too many uploads are being received right now; send the file again shortly.",
                    RetryAfter
                );
            heldBy[user] = theirs + bytes;
            reserved += bytes;
        }
        return new Reservation(this, user, bytes);
    }

    private void Release(Guid user, long bytes)
    {
        lock (gate)
        {
            reserved -= bytes;
            // A reservation of no bytes may be released after the user's others emptied their entry.
            var left = heldBy.GetValueOrDefault(user) - bytes;
            if (left <= 0)
                heldBy.Remove(user);
            else
                heldBy[user] = left;
        }
    }

    public sealed class Reservation(UploadSpool spool, Guid user, long bytes) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
                spool.Release(user, bytes);
        }
    }
}

public static class UploadSpoolMiddleware
{
    /// <summary>
    /// Reserves room for the body of every <see cref="SpooledUpload"/> endpoint's request before anything reads it,
    /// in services that register an <see cref="UploadSpool"/> (those that take uploads); runs after authorization.
    /// </summary>
    public static IApplicationBuilder UseUploadSpool(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<UploadSpool>() is not { } spool)
            return app;
        return app.Use(
            async (context, next) =>
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<SpooledUpload>() is null)
                {
                    await next(context);
                    return;
                }
                var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                var bytes = Math.Min(context.Request.ContentLength ?? limit ?? long.MaxValue, limit ?? long.MaxValue);
                // Anyone without a user id (an upload endpoint open to all, were there one) shares one share.
                var user = context.User.TryUserId() ?? Guid.Empty;
                // The form's files are deleted when the request ends; the room is given back then.
                context.Response.RegisterForDispose(spool.Reserve(user, bytes));
                // Kestrel sets a request's rate over HTTP/1.x only (HTTP/2 and 3 refuse one).
                if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
                    RequireRate(context, bytes / spool.ReadTimeout.TotalSeconds);
                await next(context);
            }
        );
    }

    /// <summary>
    /// At least <paramref name="bytesPerSecond"/> for this request's body, never less than the server's own floor,
    /// after the server's grace (Kestrel's defaults: 240 bytes a second after 5 s).
    /// </summary>
    private static void RequireRate(HttpContext context, double bytesPerSecond)
    {
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is not { } rate)
            return;
        var floor = rate.MinDataRate;
        rate.MinDataRate = new MinDataRate(
            Math.Max(floor?.BytesPerSecond ?? 0, bytesPerSecond),
            floor?.GracePeriod ?? UploadSpool.RateGrace
        );
    }
}
