using System.Collections.Concurrent;
using Community.ServiceDefaults.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.Events.Tests;

/// <summary>
/// Just enough of S3's REST API (path-style PUT, GET, DELETE) on real Kestrel to see what the
/// SDK sends: every request is recorded, objects are kept in memory and served back unsigned.
/// </summary>
public sealed class FakeS3 : FakeHttpServer<FakeS3.Recorded>
{
    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _objects = new();

    private FakeS3() { }

    public sealed record Recorded(
        string Method,
        string Path,
        string Authorization,
        string? ContentType,
        string? PayloadHash,
        byte[] Body
    );

    public bool FailDeletes { get; set; }

    /// <summary>
    /// As S3 answers credentials without s3:ListBucket: a missing object is 403 AccessDenied, not 404 NoSuchKey.
    /// </summary>
    public bool WithoutListBucket { get; set; }

    private readonly ConcurrentQueue<(string Method, string Path)> _probes = new();

    /// <summary>
    /// The readiness probe's requests (objects under <see cref="S3BlobStore.ProbePrefix"/>), kept apart from
    /// <see cref="FakeHttpServer{TRequest}.Received"/>: the host's health publisher makes them in the background, at
    /// times no test controls.
    /// </summary>
    public IReadOnlyList<(string Method, string Path)> Probes => [.. _probes];

    private static bool IsProbe(string path) =>
        path.IndexOf('/', 1) is var slash and > 0
        && path.AsSpan(slash + 1).StartsWith(S3BlobStore.ProbePrefix, StringComparison.Ordinal);

    /// <summary>As an S3 that is down: every request is 503 ServiceUnavailable.</summary>
    public bool Unavailable { get; set; }

    /// <summary>As S3 answers credentials without s3:GetObject: every read is 403 AccessDenied.</summary>
    public bool DenyReads { get; set; }

    public bool Holds(string path) => _objects.ContainsKey(path);

    /// <summary>The paths of the objects held now.</summary>
    public IReadOnlyCollection<string> Paths => [.. _objects.Keys];

    /// <summary>Loses an object, as a bucket's lifecycle rule or an operator would.</summary>
    public void Lose(string path) => _objects.TryRemove(path, out _);

    public static async Task<FakeS3> StartAsync()
    {
        var s3 = new FakeS3();
        await s3.StartServerAsync();
        return s3;
    }

    protected override void Map(WebApplication app) => app.Run(HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var path = request.Path.Value ?? "/";
        if (IsProbe(path))
            _probes.Enqueue((request.Method, path));
        else
            Record(
                new Recorded(
                    request.Method,
                    path,
                    request.Headers.Authorization.ToString(),
                    request.ContentType,
                    request.Headers["x-amz-content-sha256"].FirstOrDefault(),
                    body.ToArray()
                )
            );
        if (Unavailable)
        {
            await Error(context, 503, "ServiceUnavailable", "Please reduce your request rate.");
            return;
        }
        switch (request.Method)
        {
            case "PUT":
                _objects[path] = (body.ToArray(), request.ContentType ?? "application/octet-stream");
                context.Response.Headers.ETag = "\"fake\"";
                return;
            case "GET" when DenyReads:
                await Error(context, 403, "AccessDenied", "Access Denied");
                return;
            case "GET" when _objects.TryGetValue(path, out var stored):
                context.Response.ContentType = stored.ContentType;
                context.Response.ContentLength = stored.Body.Length;
                await context.Response.Body.WriteAsync(stored.Body);
                return;
            case "DELETE" when FailDeletes:
                await Error(context, 403, "AccessDenied", "Access Denied");
                return;
            case "DELETE":
                _objects.TryRemove(path, out _);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case "GET" when WithoutListBucket:
                await Error(context, 403, "AccessDenied", "Access Denied");
                return;
            default:
                await Error(context, 404, "NoSuchKey", "The specified key does not exist.");
                return;
        }
    }

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        );
    }
}
