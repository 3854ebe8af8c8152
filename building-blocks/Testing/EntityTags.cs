using System.Net.Http.Headers;
using Xunit;

namespace Community.Testing;

/// <summary>ETag and If-Match checks every updatable resource passes.</summary>
public static class EntityTags
{
    public static async Task<HttpResponseMessage> SendIfMatch(
        this HttpClient client,
        HttpMethod method,
        string url,
        string body,
        string token,
        string? ifMatch
    )
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// GET <paramref name="resource"/> gives an ETag; an update (<paramref name="body"/> must change something) with a
    /// stale If-Match is a 412 and changes nothing; with the current one it succeeds and answers the new ETag, which
    /// GET then gives;
    /// <c>*</c> and no If-Match update as before. Answers the last ETag.
    /// </summary>
    public static async Task<EntityTagHeaderValue> AssertIfMatchHonouredAsync(
        HttpClient client,
        string resource,
        HttpMethod method,
        string update,
        string body,
        string token,
        string? otherBody = null
    )
    {
        var before = await client.Get(resource, token);
        await before.AssertStatus(200);
        var tag = before.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"GET {resource} answered no ETag.");
        Assert.False(tag.IsWeak);
        var beforeBody = await before.Content.ReadAsStringAsync();

        await (await client.SendIfMatch(method, update, body, token, "\"1\", W/" + tag.Tag)).AssertProblem(412);
        var unchanged = await client.Get(resource, token);
        Assert.Equal(tag, unchanged.Headers.ETag);
        Assert.Equal(beforeBody, await unchanged.Content.ReadAsStringAsync());

        var updated = await client.SendIfMatch(method, update, body, token, tag.Tag);
        await updated.AssertStatus(200);
        var newTag = updated.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{method} {update} answered no ETag.");
        Assert.NotEqual(tag, newTag);
        Assert.Equal(newTag, (await client.Get(resource, token)).Headers.ETag);

        await (await client.SendIfMatch(method, update, otherBody ?? body, token, tag.Tag)).AssertProblem(412);
        await (await client.SendIfMatch(method, update, otherBody ?? body, token, "*")).AssertStatus(200);
        var last = await client.SendIfMatch(method, update, body, token, null);
        await last.AssertStatus(200);
        return last.Headers.ETag ?? throw new Xunit.Sdk.XunitException($"{method} {update} answered no ETag.");
    }
}
