using System.Security.Cryptography;
using System.Text;

namespace Community.Identity.Sessions;

/// <summary>
/// <c>GET /internal/revocations?after=</c>: the ended sessions whose tokens may still be alive, for the
/// gateway (which has no bus) and for any instance starting up. Not routed by the gateway; its readers
/// present the shared Revocations:FeedKey, and without one configured the feed does not exist.
/// </summary>
public static class RevocationFeedApi
{
    public const int PageSize = 500;

    public static RouteGroupBuilder MapRevocationFeedApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/revocations", Read).WithName("ReadRevocations");
        return group;
    }

    private static async Task<Results<Ok<RevocationPage>, NotFound>> Read(
        long? after,
        HttpRequest request,
        IOptions<RevocationFeedOptions> options,
        IdentityDbContext db,
        TimeProvider clock,
        IOptions<JwtOptions> jwt,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrEmpty(options.Value.FeedKey))
            return TypedResults.NotFound();
        if (!KeyMatches(request.Headers[RevocationFeedOptions.KeyHeader].ToString(), options.Value.FeedKey))
            throw new UnauthorizedException($"The revocation feed needs the {RevocationFeedOptions.KeyHeader} header.");
        return TypedResults.Ok(
            await ReadAsync(
                db,
                after ?? 0,
                clock.GetUtcNow() - TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds),
                cancellationToken
            )
        );
    }

    /// <summary>
    /// Up to <see cref="PageSize"/> revocations after <paramref name="after"/> whose tokens are still accepted after
    /// <paramref name="aliveAfter"/>.
    /// </summary>
    public static async Task<RevocationPage> ReadAsync(
        IdentityDbContext db,
        long after,
        DateTimeOffset aliveAfter,
        CancellationToken cancellationToken
    )
    {
        var items = await db
            .SessionRevocations.AsNoTracking()
            .Where(r => r.Sequence > after && r.TokensExpireBy > aliveAfter)
            .OrderBy(r => r.Sequence)
            .Take(PageSize)
            .Select(r => new Revocation(r.Sequence, r.UserId, r.SessionId, r.NotBefore, r.TokensExpireBy))
            .ToListAsync(cancellationToken);
        return new RevocationPage(items, items.Count > 0 ? items[^1].Sequence : after);
    }

    private static bool KeyMatches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}

/// <summary>Identity reads its own table, not its HTTP feed: it needs no key to know what it wrote.</summary>
internal sealed class DatabaseRevocationSource(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<JwtOptions> jwt
) : IRevocationSource
{
    public async Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return await RevocationFeedApi.ReadAsync(
            db,
            after,
            clock.GetUtcNow() - TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds),
            cancellationToken
        );
    }
}
