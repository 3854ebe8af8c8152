using System.Net;

namespace Community.Fleet.Bench;

/// <summary>
/// What a well-behaved client does with a 503 or 429 that carries Retry-After: waits that long and sends the same
/// request again (the platform refused it before doing anything). Counts the answers it retried, by status.
/// </summary>
public sealed class RetryAfterHandler(HttpMessageHandler inner, int attempts = 20) : DelegatingHandler(inner)
{
    public long Retried503;
    public long Retried429;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken
    )
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(Copy(request, body), cancellationToken);
            if (
                attempt == attempts
                || response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                || response.Headers.RetryAfter?.Delta is not { } wait
            )
                return response;
            Interlocked.Increment(
                ref response.StatusCode == HttpStatusCode.ServiceUnavailable ? ref Retried503 : ref Retried429
            );
            response.Dispose();
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }
}
