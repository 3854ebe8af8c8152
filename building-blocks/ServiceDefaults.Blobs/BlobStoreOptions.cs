namespace Community.ServiceDefaults.Blobs;

/// <summary>
/// A service's blob-store configuration section (events: "Events:Photos", identity: "Identity:Blobs"): where uploaded
/// bytes are kept.
/// </summary>
public sealed class BlobStoreOptions
{
    public const string LocalProvider = "local";
    public const string S3Provider = "s3";

    /// <summary>
    /// <c>local</c> (a folder; the default) or <c>s3</c> (any S3-compatible store: AWS, MinIO, Ceph).
    /// </summary>
    public string Provider { get; set; } = LocalProvider;

    /// <summary>
    /// The local store's folder; relative paths are under the content root. Default: .local/blobs/{service}.
    /// </summary>
    public string? LocalPath { get; set; }

    public S3BlobOptions S3 { get; set; } = new();

    /// <summary>
    /// How many uploaded images the process decodes at once (<see cref="ImageDecodeGate"/>); each may hold 200-400 MB.
    /// </summary>
    public int ConcurrentImageDecodes { get; set; } = 2;

    /// <summary>How long an upload waits for a decode slot before it answers 503 with Retry-After.</summary>
    public TimeSpan ImageDecodeWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest <see cref="ImageDecodeWait"/>: a client has given up long before, and a semaphore cannot wait
    /// beyond about 24.8 days at all (every upload would fail).
    /// </summary>
    public static readonly TimeSpan MaxImageDecodeWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The bytes of uploads this process may be receiving at once (<see cref="Api.UploadSpool"/>), a quarter of it for
    /// one person's: they are spooled to /tmp, so keep it well below the pod's /tmp size limit (64Mi; events and
    /// messaging 256Mi). Default 40 MiB.
    /// </summary>
    public long UploadSpoolBytes { get; set; } = 40L * 1024 * 1024;

    /// <summary>
    /// How long an upload's body may take to arrive in full: it must arrive at least as fast as its length in this
    /// time would (10 MB in 2 minutes is 0.7 Mbit/s), else 408 (<see cref="Api.UploadSpool"/>).
    /// </summary>
    public TimeSpan UploadReadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest <see cref="UploadReadTimeout"/>: a slot held longer is a slot taken from others.</summary>
    public static readonly TimeSpan MaxUploadReadTimeout = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often blobs whose delete failed are deleted again (each less often the longer it fails, up to hourly).
    /// </summary>
    public TimeSpan DeleteRetryEvery { get; set; } = TimeSpan.FromMinutes(1);

    public bool UsesS3 => string.Equals(Provider, S3Provider, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What is wrong with the settings, so a misconfigured service stops at start-up instead of at the first upload.
    /// </summary>
    public IEnumerable<string> Problems(string section, bool publicUrls = true)
    {
        if (!UsesS3 && !string.Equals(Provider, LocalProvider, StringComparison.OrdinalIgnoreCase))
            yield return $"{section}:Provider must be {LocalProvider} or {S3Provider}.";
        if (ConcurrentImageDecodes < 1)
            yield return $"{section}:ConcurrentImageDecodes must be at least 1.";
        if (ImageDecodeWait < TimeSpan.Zero || ImageDecodeWait > MaxImageDecodeWait)
            yield return $"{section}:ImageDecodeWait must be between 0 and {MaxImageDecodeWait:c}.";
        if (UploadSpoolBytes < 1024 * 1024)
            yield return $"{section}:UploadSpoolBytes must be at least 1 MiB (1048576).";
        if (UploadReadTimeout <= TimeSpan.Zero || UploadReadTimeout > MaxUploadReadTimeout)
            yield return $"{section}:UploadReadTimeout must be more than 0 and at most {MaxUploadReadTimeout:c}.";
        if (DeleteRetryEvery <= TimeSpan.Zero || DeleteRetryEvery > TimeSpan.FromHours(1))
            yield return $"{section}:DeleteRetryEvery must be more than 0 and at most 01:00:00.";
        if (!UsesS3)
            yield break;
        if (string.IsNullOrWhiteSpace(S3.Bucket))
            yield return $"{section}:S3:Bucket is required for the s3 provider.";
        if (string.IsNullOrWhiteSpace(S3.Region))
            yield return $"{section}:S3:Region is required for the s3 provider.";
        if (S3.ServiceUrl is not null && !IsHttpUrl(S3.ServiceUrl))
            yield return $"{section}:S3:ServiceUrl must be an absolute http(s) URL.";
        if (S3.PublicBaseUrl is not null && !publicUrls)
            yield return $"{section}:S3:PublicBaseUrl must not be set: these files are given out only by their "
                + "service, which checks who may read each one.";
        else if (S3.PublicBaseUrl is not null && !IsHttpUrl(S3.PublicBaseUrl))
            yield return $"{section}:S3:PublicBaseUrl must be an absolute http(s) URL.";
        if (string.IsNullOrEmpty(S3.AccessKey) != string.IsNullOrEmpty(S3.SecretKey))
            yield return $"{section}:S3:AccessKey and SecretKey go together (leave both empty to "
                + "use the AWS default credentials).";
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

public sealed class S3BlobOptions
{
    /// <summary>
    /// The endpoint of an S3-compatible server (e.g. http://minio:9000); empty means AWS S3 in <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }
    public string Bucket { get; set; } = "";
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Static credentials; when both are empty the AWS default chain (environment, instance role) is used.
    /// </summary>
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>
    /// bucket in the path (http://host/bucket/key), which S3-compatible servers expect; false for virtual-host style.
    /// </summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// Where clients can read the bucket's objects directly (a CDN or a public-read bucket): blob urls become
    /// PublicBaseUrl + "/" + key. Without it clients read blobs through the service's content route.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}
