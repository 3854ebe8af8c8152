using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Community.ServiceDefaults.Api;

/// <summary>An answer kept for an idempotency key, replayed as it was first given.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, string? ETag, byte[] Body);

public enum IdempotentClaimOutcome
{
    Claimed,
    InProgress,
    OtherRequest,
    Completed,
}

/// <summary>
/// What holds a key. <paramref name="ClaimedAt"/> marks a claim this request took: it ends that claim and no later one.
/// </summary>
public sealed record IdempotentClaim(
    IdempotentClaimOutcome Outcome,
    StoredResponse? Response = null,
    DateTimeOffset ClaimedAt = default
);

/// <summary>
/// Where a service keeps its idempotency keys (the <c>idempotent_requests</c> table of ServiceDefaults.Data).
/// </summary>
public interface IIdempotentRequestStore
{
    /// <summary>
    /// Claims the key for this request, or says what holds it: the same request running or done, or another request.
    /// </summary>
    Task<IdempotentClaim> ClaimAsync(Guid userId, string key, byte[] fingerprint, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps the answer, unless one is kept already: a request that took over an abandoned claim (after
    /// <see cref="IdempotentRequests.InProgressLease"/>) and the first one may both finish, and the first answer kept
    /// stays the one replayed.
    /// </summary>
    Task CompleteAsync(Guid userId, string key, StoredResponse response, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets a claim whose request ended without an answer to keep (a refusal raised, a 5xx): a retry runs again.
    /// Only the claim taken at <paramref name="claimedAt"/>: one taken over since belongs to a request still running.
    /// </summary>
    Task ReleaseAsync(Guid userId, string key, DateTimeOffset claimedAt, CancellationToken cancellationToken);
}

/// <summary>
/// <c>Idempotency-Key</c> on the endpoints marked <see cref="HonoursIdempotencyKey.Replayed"/>, as Stripe does: per
/// signed-in user, a key first used for a request (method, path, query, content type and body) answers a repeat of that
/// request with the stored answer (status, body, Content-Type, Location, ETag; <c>Idempotent-Replayed: true</c>),
/// another request with 422, and a repeat while the first still runs with 409 and Retry-After. Answers of 500 and
/// above, and refusals raised as exceptions (they changed nothing), are not kept. Keys are kept 24 h. A keyed request
/// runs to its end even when its client leaves, so the client's retry finds its answer.
/// </summary>
public static class IdempotentRequests
{
    /// <summary>The 422 detail for a key used before for another request (handlers keeping keys say it too).</summary>
    public const string UsedForAnotherRequest =
        $"This {IdempotencyKey.Header} was used for another request (another body, method or path); use a new key "
        + "for a new request.";

    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// A claim with no answer after this long was abandoned (its instance stopped) and may be taken again.
    /// </summary>
    public static readonly TimeSpan InProgressLease = TimeSpan.FromMinutes(1);

    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How long an answer is tried to be kept (three tries at most) before it is given unkept.</summary>
    private static readonly TimeSpan KeepPatience = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Only in services that register <see cref="IIdempotentRequestStore"/> (every service database does);
    /// runs after authorization.
    /// </summary>
    public static IApplicationBuilder UseIdempotentRequests(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<IIdempotentRequestStore>() is not { } store)
            return app;
        return app.Use(
            async (context, next) =>
            {
                if (
                    context.GetEndpoint()?.Metadata.GetMetadata<HonoursIdempotencyKey>() is not { Replays: true }
                    || !HttpMethods.IsPost(context.Request.Method)
                    || context.User.TryUserId() is not { } userId
                )
                {
                    await next(context);
                    return;
                }
                var errors = new ValidationErrors();
                var key = IdempotencyKey.Read(context.Request, errors);
                errors.ThrowIfAny();
                if (key is null)
                {
                    await next(context);
                    return;
                }
                await RunOnceAsync(context, next, store, userId, key);
            }
        );
    }

    private static async Task RunOnceAsync(
        HttpContext context,
        RequestDelegate next,
        IIdempotentRequestStore store,
        Guid userId,
        string key
    )
    {
        var fingerprint = await FingerprintAsync(context.Request, context.RequestAborted);
        var claim = await store.ClaimAsync(userId, key, fingerprint, context.RequestAborted);
        switch (claim.Outcome)
        {
            case IdempotentClaimOutcome.OtherRequest:
                throw new BusinessRuleException(UsedForAnotherRequest);
            case IdempotentClaimOutcome.InProgress:
                throw new ConflictException(
                    $"A request with this {IdempotencyKey.Header} is still in progress; retry when it has finished."
                )
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
            case IdempotentClaimOutcome.Completed:
                await ReplayAsync(context.Response, claim.Response!);
                return;
        }

        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        // A client that stops waiting (its timeout, a lost connection) does not stop the request: what it does may be
        // done already (committed), and the retry the key exists for must find the answer kept, not run it again. It
        // runs until it ends or its claim's lease is over (a repeat may take the key then); an instance stopping lets
        // it finish within the host's shutdown timeout, as any request in flight.
        var aborted = context.RequestAborted;
        using var detached = new CancellationTokenSource(InProgressLease);
        context.RequestAborted = detached.Token;
        try
        {
            await next(context);
            await capture.CompleteAsync();
        }
        catch (Exception exception)
        {
            context.RequestAborted = aborted;
            context.Features.Set(original);
            await store.ReleaseAsync(userId, key, claim.ClaimedAt, CancellationToken.None);
            if (
                exception is OperationCanceledException
                && detached.IsCancellationRequested
                && !aborted.IsCancellationRequested
            )
                throw new ServiceUnavailableException(
                    "The request took longer than its key's claim lasts and was stopped; send it again with the same "
                        + "key.",
                    TimeSpan.FromSeconds(1)
                );
            throw;
        }
        context.RequestAborted = aborted;
        context.Features.Set(original);

        var response = context.Response;
        if (response.StatusCode >= StatusCodes.Status500InternalServerError)
            await store.ReleaseAsync(userId, key, claim.ClaimedAt, CancellationToken.None);
        else
            // Kept before the answer leaves, so a client that has it and repeats the request gets the replay.
            await KeepAsync(
                context,
                store,
                userId,
                key,
                new StoredResponse(
                    response.StatusCode,
                    response.ContentType,
                    Header(response.Headers.Location),
                    Header(response.Headers.ETag),
                    buffer.ToArray()
                )
            );
        buffer.Position = 0;
        await buffer.CopyToAsync(original.Stream, context.RequestAborted);
    }

    /// <summary>
    /// Keeps the answer, trying again over a moment's outage. What the handler did has happened by now, so should the
    /// answer still not be kept, the client gets it all the same (a 500 would send it back to repeat the request),
    /// and an operator is told: a repeat once the claim's lease has ended would run again.
    /// </summary>
    private static async Task KeepAsync(
        HttpContext context,
        IIdempotentRequestStore store,
        Guid userId,
        string key,
        StoredResponse answer
    )
    {
        // Within a few seconds in all: a database that hangs rather than refuses must not hold the answer past the
        // claim's lease, after which a repeat would run again while this one still waits.
        using var patience = new CancellationTokenSource(KeepPatience);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.CompleteAsync(userId, key, answer, patience.Token);
                return;
            }
            catch (Exception exception)
                when (exception is DbException or TimeoutException or OperationCanceledException)
            {
                if (attempt < 3 && !patience.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), patience.Token);
                        continue;
                    }
                    catch (OperationCanceledException) { }
                }
                context
                    .RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger(typeof(IdempotentRequests))
                    .LogError(
                        exception,
                        "The answer ({Status}) to {Method} {Path} under an Idempotency-Key could not be kept; the "
                            + "same request repeated after {Lease} would run again",
                        answer.StatusCode,
                        context.Request.Method,
                        context.Request.Path,
                        InProgressLease
                    );
                return;
            }
        }
    }

    private static async Task ReplayAsync(HttpResponse response, StoredResponse stored)
    {
        response.StatusCode = stored.StatusCode;
        if (stored.ContentType is not null)
            response.ContentType = stored.ContentType;
        if (stored.Location is not null)
            response.Headers.Location = stored.Location;
        if (stored.ETag is not null)
            response.Headers.ETag = stored.ETag;
        response.Headers[ReplayedHeader] = "true";
        response.ContentLength = stored.Body.Length;
        await response.Body.WriteAsync(stored.Body);
    }

    private static string? Header(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 ? value.ToString() : null;

    /// <summary>
    /// SHA-256 of what makes two requests the same: method, path and query, content type and body. A multipart body
    /// is read without its boundary: a client picks a new random one for every attempt (browsers, the SDK, .NET's
    /// MultipartFormDataContent), so a retried upload differs from its first attempt by nothing else.
    /// </summary>
    private static async Task<byte[]> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var (contentType, boundary) = WithoutBoundary(request.ContentType);
        hash.AppendData(
            Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n{contentType}\n")
        );
        var chunk = new byte[16 * 1024];
        int read;
        if (boundary is null)
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
                hash.AppendData(chunk, 0, read);
        }
        else
        {
            // Each boundary hashed as one fixed byte; the bytes that may start one are held to the next read.
            byte[] held = [];
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                var data = new byte[held.Length + read];
                held.CopyTo(data, 0);
                Array.Copy(chunk, 0, data, held.Length, read);
                var start = 0;
                for (int at; (at = data.AsSpan(start).IndexOf(boundary)) >= 0; start += at + boundary.Length)
                {
                    hash.AppendData(data, start, at);
                    hash.AppendData([0]);
                }
                var keep = Math.Min(boundary.Length - 1, data.Length - start);
                hash.AppendData(data, start, data.Length - start - keep);
                held = data[^keep..];
            }
            hash.AppendData(held);
        }
        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// A multipart content type's media type and its boundary (with the "--" every use of it starts with); any other
    /// content type as it is, and no boundary.
    /// </summary>
    private static (string? ContentType, byte[]? Boundary) WithoutBoundary(string? contentType)
    {
        if (
            !MediaTypeHeaderValue.TryParse(contentType, out var media)
            || !media.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(media.Boundary) is not { Length: > 0 } boundary
        )
            return (contentType, null);
        return (media.MediaType.ToString().ToLowerInvariant(), Encoding.UTF8.GetBytes("--" + boundary.Value));
    }
}
