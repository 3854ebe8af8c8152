using System.Net;
using Amazon.S3;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Community.ServiceDefaults.Tests.Blobs;

/// <summary>
/// A bucket that cannot serve now (unreachable, 5xx, throttled) is a 503 with Retry-After for the request that needed
/// it, not a 500; a refusal stays what it was (a missing object is still no blob, a bad request still an error).
/// </summary>
public sealed class BucketOutageTests
{
    private const string Secret = "s3cret-key";
    private const string ClosedPortUrl = "http://127.0.0.1:1";

    private static S3BlobStore Store(string serviceUrl) =>
        new(
            new S3BlobOptions
            {
                ServiceUrl = serviceUrl,
                Bucket = "files",
                AccessKey = "access",
                SecretKey = Secret,
            },
            NullLogger<S3BlobStore>.Instance
        );

    private static void AssertOutage(ServiceUnavailableException outage)
    {
        Assert.Equal(BucketOutage.RetryAfter, outage.RetryAfter);
        var cause = Assert.IsType<string>(outage.Data["cause"]);
        Assert.DoesNotContain("127.0.0.1", cause);
        Assert.DoesNotContain(Secret, cause);
        Assert.DoesNotContain("127.0.0.1", outage.Message);
    }

    [Fact]
    public async Task Put_get_and_delete_on_an_unreachable_bucket_are_503s()
    {
        using var store = Store(ClosedPortUrl);

        using var content = new MemoryStream([1, 2, 3]);
        AssertOutage(
            await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
                store.PutAsync("a/b.txt", content, "text/plain", CancellationToken.None)
            )
        );
        AssertOutage(
            await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
                store.OpenReadAsync("a/b.txt", CancellationToken.None)
            )
        );
        AssertOutage(
            await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
                store.DeleteAsync("a/b.txt", CancellationToken.None)
            )
        );
    }

    [Theory]
    [InlineData(503, "SlowDown")]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    [InlineData(408, "RequestTimeout")]
    public async Task A_bucket_answering_an_outage_is_a_503_naming_its_status(int status, string code)
    {
        await using var s3 = await BucketAsync(status, code);
        using var store = Store(s3.Urls.First());

        using var content = new MemoryStream([1, 2, 3]);
        var outage = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            store.PutAsync("a/b.txt", content, "text/plain", CancellationToken.None)
        );
        AssertOutage(outage);
        Assert.Contains($"{status} {code}", (string)outage.Data["cause"]!);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            store.OpenReadAsync("a/b.txt", CancellationToken.None)
        );
    }

    [Fact]
    public async Task Refusals_stay_as_they_were()
    {
        await using (var missing = await BucketAsync(404, "NoSuchKey"))
        {
            using var store = Store(missing.Urls.First());
            Assert.Null(await store.OpenReadAsync("a/b.txt", CancellationToken.None));
        }
        await using (var denied = await BucketAsync(403, "AccessDenied"))
        {
            using var store = Store(denied.Urls.First());
            Assert.Null(await store.OpenReadAsync("a/b.txt", CancellationToken.None));
        }
        await using var bad = await BucketAsync(400, "InvalidArgument");
        using var refusing = Store(bad.Urls.First());
        using var content = new MemoryStream([1, 2, 3]);
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            refusing.PutAsync("a/b.txt", content, "text/plain", CancellationToken.None)
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task An_upload_and_a_download_while_the_bucket_is_unreachable_are_503_problems_with_retry_after()
    {
        await using var host = await PipelineHost.StartAsync(
            app =>
            {
                app.MapPut(
                        "/files/{name}",
                        async (string name, HttpRequest request, IBlobStore blobs, CancellationToken cancellation) =>
                        {
                            using var copy = new MemoryStream();
                            await request.Body.CopyToAsync(copy, cancellation);
                            copy.Position = 0;
                            await blobs.PutAsync(name, copy, "text/plain", cancellation);
                            return TypedResults.NoContent();
                        }
                    )
                    .AllowAnonymous();
                app.MapGet(
                        "/files/{name}",
                        async (string name, IBlobStore blobs, CancellationToken cancellation) =>
                            await blobs.OpenReadAsync(name, cancellation) is { } blob
                                ? Results.Stream(blob.Content, blob.ContentType)
                                : Results.NotFound()
                    )
                    .AllowAnonymous();
            },
            settings: new Dictionary<string, string?>
            {
                ["Files:Provider"] = BlobStoreOptions.S3Provider,
                ["Files:S3:ServiceUrl"] = ClosedPortUrl,
                ["Files:S3:Bucket"] = "files",
                ["Files:S3:AccessKey"] = "access",
                ["Files:S3:SecretKey"] = Secret,
            },
            configure: builder => builder.AddBlobStore("Files", ".local/blobs/tests")
        );

        using var upload = await host.Client.PutAsync("/files/a.txt", new ByteArrayContent([1, 2, 3]));
        await AssertUnavailableAsync(upload);
        using var download = await host.Client.GetAsync("/files/a.txt");
        await AssertUnavailableAsync(download);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BucketOutage.RetryAfter, response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(Secret, body);
    }

    /// <summary>An S3 stand-in answering every request with <paramref name="status"/> and its error document.</summary>
    private static async Task<WebApplication> BucketAsync(int status, string code)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>no</Message></Error>"
            );
        });
        await app.StartAsync();
        return app;
    }
}
