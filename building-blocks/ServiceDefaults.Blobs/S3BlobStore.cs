using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, keys unchanged. Clients read them through the
/// service's content route, or straight from S3:PublicBaseUrl when one is configured (a CDN or a
/// public-read bucket); no presigned URLs, since the S3 endpoint the service uses is often internal.
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
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);
    }

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
            await PutAsync(key, content, "text/plain", cancellationToken);
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
                await DeleteAsync(key, deleting.Token);
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
        // 3xx: a redirect to another region (a misconfigured endpoint); 4xx: credentials, policy, no such bucket. Not
        // a request timeout or throttling, which pass.
        var refused =
            exception is AmazonServiceException { StatusCode: >= HttpStatusCode.MultipleChoices } answered
            && answered.StatusCode < HttpStatusCode.InternalServerError
            && answered.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
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
