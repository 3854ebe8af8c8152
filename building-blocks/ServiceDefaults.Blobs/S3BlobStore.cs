using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, keys unchanged. Clients read them through the
/// service's content route, or straight from S3:PublicBaseUrl when one is configured (a CDN or a
/// public-read bucket); no presigned URLs, since the S3 endpoint the service uses is often internal. A bucket that
/// cannot serve now is a <see cref="ServiceUnavailableException"/> (<see cref="BucketOutage"/>).
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string? _publicBaseUrl;
    private readonly ILogger _logger;

    public S3BlobStore(S3BlobOptions s3, ILogger<S3BlobStore> logger)
    {
        _logger = logger;
        _bucket = s3.Bucket;
        _publicBaseUrl = string.IsNullOrWhiteSpace(s3.PublicBaseUrl) ? null : s3.PublicBaseUrl.TrimEnd('/');
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            // Plain signed bodies: S3-compatible servers do not all accept the SDK's default trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(s3.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(s3.Region);
        }
        else
        {
            config.ServiceURL = s3.ServiceUrl;
            config.AuthenticationRegion = s3.Region;
        }
        _client = string.IsNullOrEmpty(s3.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config);
    }

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await PutObjectAsync(key, content, contentType, cancellationToken);
        }
        catch (Exception exception) when (BucketOutage.Is(exception, cancellationToken))
        {
            throw BucketOutage.Unavailable(exception);
        }
    }

    private async Task PutObjectAsync(
        string key,
        Stream content,
        string contentType,
        CancellationToken cancellationToken
    )
    {
        await _client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = content,
                ContentType = contentType,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            },
            cancellationToken
        );
    }

    public async Task<StoredBlob?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = key },
                cancellationToken
            );
            return new StoredBlob(response.ResponseStream, response.Headers.ContentType ?? "application/octet-stream");
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        // S3 answers a missing object with 404 NoSuchKey only to credentials that may list the bucket; to the others
        // (least privilege: get, put and delete objects) with 403 AccessDenied, which cannot be told from an object
        // those credentials may not read. Either way the reader gets the 404 of a missing file, not a 500; the
        // operator is told, since the service only asks for keys it wrote.
        catch (AmazonS3Exception exception)
            when (exception is { StatusCode: HttpStatusCode.Forbidden, ErrorCode: "AccessDenied" })
        {
            _logger.LogWarning(
                "S3 refused to read {BlobKey} (403 AccessDenied): the object is missing, or these credentials may not "
                    + "read it",
                key
            );
            return null;
        }
        catch (Exception exception) when (BucketOutage.Is(exception, cancellationToken))
        {
            throw BucketOutage.Unavailable(exception);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteObjectAsync(key, cancellationToken);
        }
        catch (Exception exception) when (BucketOutage.Is(exception, cancellationToken))
        {
            throw BucketOutage.Unavailable(exception);
        }
    }

    private async Task DeleteObjectAsync(string key, CancellationToken cancellationToken) =>
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);

    public string? PublicUrl(string key) => _publicBaseUrl is null ? null : $"{_publicBaseUrl}/{key}";

    /// <summary>Where <see cref="ProbeAsync"/> writes: a prefix no service key starts with.</summary>
    public const string ProbePrefix = "health/";

    /// <summary>How long the probe's delete may take: its own time, so a probe cut short still deletes.</summary>
    public static readonly TimeSpan ProbeDeleteTimeout = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// Writes a small object under <see cref="ProbePrefix"/>, reads it back and deletes it, the three things a service
    /// does with its bucket; null when all three worked, else what failed first. Once written, the object is deleted
    /// whatever the read answered, also when the probe is cut short; a delete that fails, or a write whose answer was
    /// lost after S3 stored it, leaves one behind under the prefix (deploy/k8s/README.md: a lifecycle rule).
    /// </summary>
    public async Task<BucketProbeFailure?> ProbeAsync(CancellationToken cancellationToken)
    {
        var key = $"{ProbePrefix}{Guid.NewGuid():N}";
        byte[] written = [.. "probe"u8];
        try
        {
            using var content = new MemoryStream(written);
            await PutObjectAsync(key, content, "text/plain", cancellationToken);
        }
        catch (Exception exception) when (IsFailure(exception))
        {
            return BucketProbeFailure.Of("write an object to", exception);
        }
        BucketProbeFailure? failure = null;
        try
        {
            using var read = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = key },
                cancellationToken
            );
            using var copy = new MemoryStream();
            await read.ResponseStream.CopyToAsync(copy, cancellationToken);
            if (!copy.ToArray().AsSpan().SequenceEqual(written))
                failure = new("The bucket gave back other bytes than were written to it.", Refused: true);
        }
        catch (Exception exception) when (IsFailure(exception))
        {
            failure = BucketProbeFailure.Of("read back an object it wrote to", exception);
        }
        finally
        {
            using var deleting = new CancellationTokenSource(ProbeDeleteTimeout);
            try
            {
                await DeleteObjectAsync(key, deleting.Token);
            }
            catch (Exception exception) when (IsFailure(exception) || exception is OperationCanceledException)
            {
                failure ??= BucketProbeFailure.Of("delete an object it wrote to", exception);
            }
        }
        return failure;
    }

    private static bool IsFailure(Exception exception) =>
        exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// What a bucket probe found wrong, in words for an operator (no host, key or secret). Refused: the bucket answered
/// with a refusal (4xx but 408 and 429: credentials, policy, a missing bucket; 3xx: another region) or other bytes,
/// which trying again will not change; otherwise it could not be reached or failed (5xx, throttling, network, time).
/// </summary>
public sealed record BucketProbeFailure(string Problem, bool Refused)
{
    public static BucketProbeFailure Of(string step, Exception exception)
    {
        var refused = exception is AmazonServiceException answered && BucketOutage.IsRefusal(answered.StatusCode);
        var detail = exception switch
        {
            AmazonServiceException r when refused => $"refused, {(int)r.StatusCode} {r.ErrorCode}",
            AmazonServiceException r => $"{(int)r.StatusCode} {r.ErrorCode}",
            HttpRequestException { HttpRequestError: var error } => error.ToString(),
            OperationCanceledException => "no answer in time",
            _ => exception.GetType().Name,
        };
        return new($"Could not {step} the bucket: {detail}.", refused);
    }
}

/// <summary>
/// A bucket that cannot serve now: unreachable, no answer in time, 5xx, 408 or throttled (429, SlowDown). Its callers
/// get a 503 with Retry-After, as the same request may pass in a few seconds, not a 500; Data["cause"] names the
/// failure by type and status, never by address or secret. A refusal (3xx, 4xx: a missing object, credentials, a
/// request of ours the bucket will not take) is no outage, and stays as it is.
/// </summary>
public static class BucketOutage
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// 3xx: a redirect to another region (a misconfigured endpoint); 4xx: credentials, policy, no such bucket or
    /// object, a bad request. Not a request timeout or throttling, which pass.
    /// </summary>
    public static bool IsRefusal(HttpStatusCode status) =>
        status >= HttpStatusCode.MultipleChoices
        && status < HttpStatusCode.InternalServerError
        && status is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);

    /// <summary>Whether <paramref name="exception"/> is such an outage; the caller's cancellation is not.</summary>
    public static bool Is(Exception exception, CancellationToken cancellationToken) =>
        exception switch
        {
            AmazonServiceException answered => !IsRefusal(answered.StatusCode),
            AmazonClientException or HttpRequestException or IOException or TimeoutException => true,
            // The SDK's own timeout; the caller's cancellation stays a cancellation.
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            _ => false,
        };

    public static ServiceUnavailableException Unavailable(Exception cause)
    {
        var unavailable = new ServiceUnavailableException(
            "The file store cannot be reached right now; try again in a few seconds.",
            RetryAfter
        );
        unavailable.Data["cause"] = Describe(cause);
        return unavailable;
    }

    /// <summary>An exception's message, with the cause of an outage (for logs and the retries' table).</summary>
    public static string Reason(Exception exception) =>
        exception.Data["cause"] is string cause ? $"{exception.Message} ({cause})" : exception.Message;

    private static string Describe(Exception exception) =>
        exception switch
        {
            AmazonServiceException r => $"{r.GetType().Name} {(int)r.StatusCode} {r.ErrorCode}".TrimEnd(),
            HttpRequestException { HttpRequestError: var error } => $"{nameof(HttpRequestException)} {error}",
            OperationCanceledException => "no answer in time",
            { InnerException: { } inner } => $"{exception.GetType().Name}: {Describe(inner)}",
            _ => exception.GetType().Name,
        };
}
