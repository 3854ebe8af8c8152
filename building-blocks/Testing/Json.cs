using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Community.Testing;

/// <summary>Requests and assertions in the platform's wire format (snake_case JSON, problem details).</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static Task<HttpResponseMessage> PostJson(
        this HttpClient client,
        string url,
        object body,
        string? token = null,
        CancellationToken cancellationToken = default
    ) => client.SendJson(HttpMethod.Post, url, body, token, cancellationToken);

    public static async Task<HttpResponseMessage> SendJson(
        this HttpClient client,
        HttpMethod method,
        string url,
        object? body,
        string? token = null,
        CancellationToken cancellationToken = default
    )
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is string raw)
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: Options);
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Deletes the signed-in member's account as a member does: DELETE /api/v1/users/me with its password (the one the
    /// fixtures register with unless another is given).
    /// </summary>
    public static Task<HttpResponseMessage> DeleteAccount(
        this HttpClient client,
        string token,
        string password = "correct-horse-9"
    ) => client.SendJson(HttpMethod.Delete, "/api/v1/users/me", new { password }, token);

    public static async Task<HttpResponseMessage> Get(this HttpClient client, string url, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
            request.Headers.Authorization = new("Bearer", token);
        return await client.SendAsync(request);
    }

    public static async Task<JsonNode> Body(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())
        ?? throw new InvalidOperationException("Empty body.");

    /// <summary>Asserts the status and that the body is problem details; returns it.</summary>
    public static async Task<JsonNode> AssertProblem(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        return problem;
    }

    public static async Task<JsonNode> AssertStatus(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }
}
