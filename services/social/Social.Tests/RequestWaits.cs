using Community.Social.Data;

namespace Community.Social.Tests;

/// <summary>What a request asked again before its wait is over answers.</summary>
internal static class RequestWaits
{
    /// <summary>
    /// 429 with a detail saying <paramref name="why"/> and until when (a UTC midnight, so the moment the request was
    /// turned down is not told), and a Retry-After of about <see cref="RequestCooldowns.Length"/>.
    /// </summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response, string why)
    {
        var wait = response.Headers.RetryAfter?.Delta;
        var detail = (await response.AssertProblem(429))["detail"]!.GetValue<string>();
        Assert.Contains(why, detail);
        Assert.Matches(@"you may ask again from \d{4}-\d{2}-\d{2}T00:00:00Z\.$", detail);
        Assert.NotNull(wait);
        Assert.InRange(
            wait.Value,
            RequestCooldowns.Length - TimeSpan.FromMinutes(5),
            RequestCooldowns.Length + TimeSpan.FromDays(1)
        );
    }
}
