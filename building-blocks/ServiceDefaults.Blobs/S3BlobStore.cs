using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

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

    public S3BlobStore(S3BlobOptions s3)
    {
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
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken);
    }

    public string? PublicUrl(string key) => _publicBaseUrl is null ? null : $"{_publicBaseUrl}/{key}";

    public void Dispose() => _client.Dispose();
}
