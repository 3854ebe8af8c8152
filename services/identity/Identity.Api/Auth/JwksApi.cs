namespace Community.Identity.Auth;

public static class JwksApi
{
    public static IEndpointConventionBuilder MapJwksApi(this IEndpointRouteBuilder routes) =>
        routes
            .MapGet(
                "/.well-known/jwks.json",
                async (SigningKeyStore keys, HttpContext http, CancellationToken cancellationToken) =>
                {
                    var published = await keys.GetPublishedAsync(cancellationToken);
                    http.Response.Headers.CacheControl = "public, max-age=60";
                    return TypedResults.Json(
                        new JsonWebKeySetDocument(published.Select(k => EcPublicJwk.From(k.Kid, k.Key)).ToList()),
                        EcPublicJwk.SerializerOptions
                    );
                }
            )
            .Produces<JsonWebKeySetDocument>(StatusCodes.Status200OK)
            .AllowAnonymous()
            .WithTags("Keys")
            .WithName("Jwks")
            .WithSummary("Public keys that verify access tokens");
}
