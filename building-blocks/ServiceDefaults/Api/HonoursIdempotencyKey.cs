using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Community.ServiceDefaults.Api;

/// <summary>
/// Endpoint metadata: the endpoint honours the <c>Idempotency-Key</c> header. <see cref="Replayed"/> endpoints are
/// served by the shared middleware (<see cref="IdempotentRequests"/>); <see cref="ByHandler"/> ones keep their own
/// transactional handling of the key.
/// </summary>
public sealed class HonoursIdempotencyKey
{
    private HonoursIdempotencyKey(bool replays) => Replays = replays;

    /// <summary>The first answer (below 500) is stored for 24 h per user and key and replayed to a repeat.</summary>
    public static HonoursIdempotencyKey Replayed { get; } = new(true);

    /// <summary>
    /// The handler reads the key itself (<see cref="IdempotencyKey.Read"/>) and keeps its own records.
    /// </summary>
    public static HonoursIdempotencyKey ByHandler { get; } = new(false);

    /// <summary>Whether the shared middleware serves the key (else the handler does).</summary>
    public bool Replays { get; }

    /// <summary>
    /// A create: a POST for a signed-in user that declares a 201. Anonymous creates (registration) are left out:
    /// keys are kept per user, and their answers carry credentials that are not stored.
    /// </summary>
    public static bool IsCreate(IEnumerable<object> metadata) =>
        metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
        && methods.HttpMethods.Contains(HttpMethods.Post)
        && metadata.OfType<IProducesResponseTypeMetadata>().Any(p => p.StatusCode == StatusCodes.Status201Created)
        && metadata.OfType<IAllowAnonymous>().LastOrDefault() is null
        && metadata.OfType<IAuthorizeData>().Any();
}

public static class IdempotencyKeyConventions
{
    /// <summary>
    /// Marks every create of the group's endpoints (nested groups included) with
    /// <see cref="HonoursIdempotencyKey.Replayed"/>, unless the endpoint already declared how it honours the key. Runs
    /// after every other convention.
    /// </summary>
    public static TBuilder HonourIdempotencyKeys<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            if (
                endpoint.Metadata.OfType<HonoursIdempotencyKey>().Any()
                || !HonoursIdempotencyKey.IsCreate(endpoint.Metadata)
            )
                return;
            endpoint.Metadata.Add(HonoursIdempotencyKey.Replayed);
        });
        return builder;
    }

    /// <summary>
    /// The handler reads <c>Idempotency-Key</c> itself; the shared middleware leaves the endpoint alone.
    /// </summary>
    public static RouteHandlerBuilder HonoursIdempotencyKeyItself(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(HonoursIdempotencyKey.ByHandler);
}
