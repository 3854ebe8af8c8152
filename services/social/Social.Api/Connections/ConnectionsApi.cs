using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Compatibility;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Connections;

/// <summary>A request to connect with another member, who accepts or declines it.</summary>
/// <param name="UserId">The member asked.</param>
/// <param name="Message">A note shown with the request, at most 500 characters.</param>
public sealed record ConnectionRequest([Required] Guid? UserId, string? Message) : IRequestExample<ConnectionRequest>
{
    public static ConnectionRequest Example =>
        new(Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"), "We met at the hiking meetup.");
}

/// <summary>A request or a connection as one side sees it: direction outgoing when the caller asked.</summary>
public sealed record ConnectionDto(
    Guid Id,
    [property: ValuesOf(typeof(ConnectionStatus))] string Status,
    [property: ValuesOf(typeof(ConnectionsApi), nameof(ConnectionsApi.Directions))] string Direction,
    UserSummary User,
    string? Message,
    int CompatibilityScore,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt
);

/// <param name="Status">accepted (the default): my connections; pending: requests not answered yet.</param>
/// <param name="Direction">incoming: asked of me; outgoing: asked by me; absent: both.</param>
public sealed record ConnectionsQuery(
    [ValuesOf(typeof(ConnectionStatus))] string? Status,
    [ValuesOf(typeof(ConnectionsApi), nameof(ConnectionsApi.Directions))] string? Direction,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public static class ConnectionsApi
{
    public const int MaxMessageLength = 500;
    public static readonly IReadOnlyList<string> Directions = ["incoming", "outgoing"];

    public static RouteGroupBuilder MapConnectionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/connections")
            .DescribesPathParameter("id", "The connection's id.")
            .WithTags("Connections")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Request)
            .WithName("RequestConnection")
            .WithSummary("Ask to connect (201 pending); asking someone who already asked me accepts theirs (200)")
            .WithDescription(
                "After my request to someone is withdrawn (by me) or declined (by them), I may ask them again only 21 "
                    + "days later (to the next UTC midnight): until then the answer is 429 with Retry-After. They may "
                    + "still ask me."
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/{id:guid}/accept", Accept)
            .WithName("AcceptConnection")
            .WithSummary("Accept a request made to me");
        group
            .MapPost("/{id:guid}/decline", Decline)
            .WithName("DeclineConnection")
            .WithSummary("Decline a request made to me")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapDelete("/{id:guid}", Remove)
            .WithName("RemoveConnection")
            .WithSummary("End a connection, or withdraw my request (either side)");
        group
            .MapGet("", List)
            .WithName("ListConnections")
            .WithSummary(
                "My connections (status=accepted, the default) or requests (status=pending), "
                    + "direction=incoming|outgoing, newest first"
            );
        // Seed 004's name for the same list.
        routes
            .MapGet("/api/v1/network/connections", List)
            .WithTags("Network")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems()
            .WithName("ListNetworkConnections")
            .WithSummary("My connections, as GET /api/v1/connections answers them (same parameters, same pages)");
        return group;
    }

    private static async Task<Results<Created<ConnectionDto>, Ok<ConnectionDto>>> Request(
        ConnectionRequest body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        errors.Required("user_id", body.UserId);
        var message = errors.OptionalText("message", body.Message, MaxMessageLength);
        errors.ThrowIfAny();
        var userId = body.UserId!.Value;
        var other = await ProfileAccess.ReachableAsync(db, callerId, userId, "connect with", cancellationToken);

        var (connection, created) = await db.InTransactionAsync(
            async ct =>
            {
                // First, as the erasure takes it: a request made while either account is being erased waits for that
                // erasure's commit and then finds the account deleted (404), so no request outlives it.
                await ErasureGate.EnterAsync(db, ct);
                // The asker's own account too: a token the revocation has not reached yet asks nobody.
                await ProfileAccess.NotErasedAsync(db, callerId, ct);
                // Under the pair's lock: of two people asking each other at once, the second accepts the first's.
                await ProfileAccess.LockPairAsync(db, callerId, userId, ct);
                // Again under the lock: a block that committed since the first check wins.
                await ProfileAccess.ReachableAsync(db, callerId, userId, "connect with", ct);
                // Locked as an accept locks it: of this and an accept of the same request at once, the later one
                // reads it accepted and accepts nothing again.
                var existing = await db
                    .Connections.FromSql(
                        $"""
                        SELECT * FROM connections WHERE (requester_id = {callerId} AND addressee_id = {userId})
                            OR (requester_id = {userId} AND addressee_id = {callerId})
                        FOR UPDATE
                        """
                    )
                    .SingleOrDefaultAsync(ct);
                // The time read under both locks, as a block reads it: a request that waited for the row's removal
                // commits after it, so it must carry the later time (messaging drops a request older than that).
                var now = clock.GetUtcNow();
                if (existing is null)
                {
                    await RequestCooldowns.EnsureOverAsync(
                        db,
                        RequestCooldowns.Connection,
                        callerId,
                        userId,
                        "Your last request to this person was withdrawn or declined",
                        now,
                        ct
                    );
                    var c = new Connection
                    {
                        Id = NewId.Next(now),
                        RequesterId = callerId,
                        AddresseeId = userId,
                        Status = ConnectionStatus.Pending,
                        Message = message,
                        CreatedAt = now,
                    };
                    db.Connections.Add(c);
                    db.AddIntegrationEvent(new ConnectionRequested(Guid.CreateVersion7(), now, c.Id, callerId, userId));
                    return (c, true);
                }
                if (existing.Status == ConnectionStatus.Accepted)
                    throw new ConflictException("You are already connected.");
                // Asked again before an answer: the same request, unchanged.
                if (existing.RequesterId == callerId)
                    return (existing, false);
                await AcceptNowAsync(db, existing, now, ct);
                return (existing, false);
            },
            cancellationToken
        );

        var dto = await ToDtoAsync(db, connection, callerId, other, cancellationToken);
        return created ? TypedResults.Created($"/api/v1/connections/{connection.Id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Ok<ConnectionDto>> Accept(
        Guid id,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var connection = await db.InTransactionAsync(
            async ct =>
            {
                await ConnectionAccess.LockPairOfAsync(db, id, ct);
                var c = await ConnectionAccess.AddressedToAsync(db, id, callerId, ct);
                if (c.Status == ConnectionStatus.Accepted)
                    return c;
                await AcceptNowAsync(db, c, clock.GetUtcNow(), ct);
                return c;
            },
            cancellationToken
        );
        return TypedResults.Ok(await ToDtoAsync(db, connection, callerId, null, cancellationToken));
    }

    private static async Task<NoContent> Decline(
        Guid id,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await db.InTransactionAsync(
            async ct =>
            {
                await ConnectionAccess.LockPairOfAsync(db, id, ct);
                var c = await ConnectionAccess.AddressedToAsync(db, id, callerId, ct);
                if (c.Status == ConnectionStatus.Accepted)
                    throw new ConflictException("This request was accepted; remove the connection instead.");
                var now = clock.GetUtcNow();
                db.Connections.Remove(c);
                await RequestCooldowns.StartAsync(db, c, now, ct);
                db.AddIntegrationEvent(
                    new ConnectionRemoved(Guid.CreateVersion7(), now, c.Id, callerId, c.RequesterId)
                );
                return c;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Remove(
        Guid id,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await db.InTransactionAsync(
            async ct =>
            {
                await ConnectionAccess.LockPairOfAsync(db, id, ct);
                var c = await ConnectionAccess.OfAsync(db, id, callerId, ct);
                var now = clock.GetUtcNow();
                db.Connections.Remove(c);
                // A request withdrawn by its asker, or turned down this way by the one asked, as a decline.
                if (c.Status == ConnectionStatus.Pending)
                    await RequestCooldowns.StartAsync(db, c, now, ct);
                db.AddIntegrationEvent(
                    new ConnectionRemoved(Guid.CreateVersion7(), now, c.Id, callerId, c.OtherThan(callerId))
                );
                return c;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CursorPage<ConnectionDto>>> List(
        [AsParameters] ConnectionsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var status = query.Status?.Trim().ToLowerInvariant() ?? ConnectionStatus.Accepted;
        errors.OneOf("status", status, ConnectionStatus.All);
        var direction = query.Direction?.Trim().ToLowerInvariant();
        errors.OneOf("direction", direction, Directions);
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, s => Guid.TryParseExact(s, "N", out var g) ? g : (Guid?)null, errors);
        errors.ThrowIfAny();

        var connections = db.Connections.AsNoTracking().Where(c => c.Status == status);
        connections = direction switch
        {
            "incoming" => connections.Where(c => c.AddresseeId == callerId),
            "outgoing" => connections.Where(c => c.RequesterId == callerId),
            _ => connections.Where(c => c.RequesterId == callerId || c.AddresseeId == callerId),
        };
        // Ids are time-ordered (UUID v7): newest first is id order.
        if (after is { } a)
            connections = connections.Where(c => c.Id.CompareTo(a) < 0);
        var rows = await connections
            .OrderByDescending(c => c.Id)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        var others = rows.Select(c => c.OtherThan(callerId)).ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => others.Contains(p.UserId))
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        var scores = await CompatibilityQueries.ScoresAsync(db, callerId, others, cancellationToken);
        return TypedResults.Ok(
            Keyset.Page(
                rows,
                limit,
                c => c.Id.ToString("N"),
                c =>
                {
                    var otherId = c.OtherThan(callerId);
                    return Dto(c, callerId, profiles.GetValueOrDefault(otherId), scores.GetValueOrDefault(otherId));
                }
            )
        );
    }

    private static async Task AcceptNowAsync(
        SocialDbContext db,
        Connection c,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        c.Status = ConnectionStatus.Accepted;
        c.AcceptedAt = now;
        // An earlier decline's wait is over: they are connected now.
        await RequestCooldowns.EndAsync(
            db,
            RequestCooldowns.Connection,
            c.RequesterId,
            c.AddresseeId,
            cancellationToken
        );
        await RequestCooldowns.EndAsync(
            db,
            RequestCooldowns.Connection,
            c.AddresseeId,
            c.RequesterId,
            cancellationToken
        );
        db.AddIntegrationEvent(new ConnectionAccepted(Guid.CreateVersion7(), now, c.Id, c.RequesterId, c.AddresseeId));
    }

    private static async Task<ConnectionDto> ToDtoAsync(
        SocialDbContext db,
        Connection c,
        Guid callerId,
        UserProfile? other,
        CancellationToken cancellationToken
    )
    {
        var otherId = c.OtherThan(callerId);
        other ??= await db.UserProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == otherId, cancellationToken);
        return Dto(c, callerId, other, await CompatibilityQueries.ScoreAsync(db, callerId, otherId, cancellationToken));
    }

    private static ConnectionDto Dto(Connection c, Guid callerId, UserProfile? other, int score) =>
        new(
            c.Id,
            c.Status,
            c.RequesterId == callerId ? "outgoing" : "incoming",
            UserSummary.From(other?.DeletedAt is null ? other : null, c.OtherThan(callerId)),
            c.Message,
            score,
            c.CreatedAt,
            c.AcceptedAt
        );
}
