using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Community.ServiceDefaults.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Community.Testing;

/// <summary>
/// The creates a service maps (POSTs declaring a 201), for checks that every one honours Idempotency-Key.
/// </summary>
public static class CreateEndpoints
{
    public sealed record Create(string Route, string? Name, HonoursIdempotencyKey? Honours, bool Anonymous);

    public static IReadOnlyList<Create> Of(IServiceProvider services) =>
        services
            .GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .Where(e =>
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true
                && e.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
                    .Any(p => p.StatusCode == StatusCodes.Status201Created)
            )
            .Select(e => new Create(
                e.RoutePattern.RawText ?? "",
                e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                e.Metadata.GetMetadata<HonoursIdempotencyKey>(),
                e.Metadata.GetMetadata<IAllowAnonymous>() is not null
            ))
            .ToList();

    /// <summary>The signed-in creates that do not honour the key (should be none).</summary>
    public static IReadOnlyList<string> NotHonouringIdempotencyKey(IServiceProvider services) =>
        Of(services).Where(c => !c.Anonymous && c.Honours is null).Select(c => c.Name ?? c.Route).ToList();

    /// <summary>
    /// The answers to a key that the service's OpenAPI document leaves out (should be none): on every operation whose
    /// key the shared middleware serves, 409 (the first request with the key still runs) and 422 (the key was used
    /// for another request). Each names the operation and the status it lacks.
    /// </summary>
    public static IReadOnlyList<string> KeyAnswersNotDocumented(IServiceProvider services, JsonNode document)
    {
        var responses = new Dictionary<string, JsonObject?>();
        foreach (var (_, item) in document["paths"]!.AsObject())
        foreach (var (_, operation) in item!.AsObject())
            if ((string?)operation?["operationId"] is { } id)
                responses[id] = operation!["responses"]?.AsObject();
        var replayed = services
            .GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .Where(e =>
                e.Metadata.GetMetadata<HonoursIdempotencyKey>() is { Replays: true }
                && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }
            );
        var missing = new List<string>();
        foreach (var endpoint in replayed)
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            if (name is null || !responses.TryGetValue(name, out var documented))
            {
                missing.Add($"{name ?? endpoint.RoutePattern.RawText}: not in the document");
                continue;
            }
            foreach (var status in new[] { "409", "422" })
                if (documented?.ContainsKey(status) != true)
                    missing.Add($"{name}: {status}");
        }
        return missing;
    }

    /// <summary>The operations whose Idempotency-Key the shared middleware serves (it replays their answers).</summary>
    public static IReadOnlyList<string> Replayed(IServiceProvider services) =>
        Of(services).Where(c => c.Honours is { Replays: true }).Select(c => c.Name ?? c.Route).ToList();

    /// <summary>
    /// The route of every POST that honours <c>Idempotency-Key</c>, replayed or kept by its handler, in order: what
    /// <c>KeyedPosts</c> must list for the service, since the gateway retries a keyed POST on those paths only.
    /// </summary>
    public static IReadOnlyList<string> HonouringKey(IServiceProvider services) =>
        services
            .GetRequiredService<EndpointDataSource>()
            .Endpoints.OfType<RouteEndpoint>()
            .Where(e =>
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true
                && e.Metadata.GetMetadata<HonoursIdempotencyKey>() is not null
            )
            // a group's own "" route reads "/api/v1/groups/"; the services route it with or without the slash
            .Select(e => (e.RoutePattern.RawText ?? "").TrimEnd('/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A JSON POST with an <c>Idempotency-Key</c>.</summary>
    public static async Task<HttpResponseMessage> PostJsonWithKey(
        this HttpClient client,
        string url,
        object body,
        string token,
        string key
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = body is string raw
            ? new StringContent(raw, Encoding.UTF8, "application/json")
            : JsonContent.Create(body, body.GetType(), options: Json.Options);
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add(IdempotencyKey.Header, key);
        return await client.SendAsync(request);
    }
}
