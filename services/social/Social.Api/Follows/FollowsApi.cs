using System.ComponentModel;
using System.Security.Claims;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Feed;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.Social.Follows;

public sealed record FollowDto(UserSummary User, DateTimeOffset FollowedAt);

// Query keys are snake_case like the JSON; binding matches parameter names only, so two-word ones are named here.
public sealed record FollowsQuery(
    [property: Description(
        "Whose followers (or whom they follow); without it, mine. Someone unknown, deleted, or blocked either way is a "
            + "404."
    )]
    [FromQuery(Name = "user_id")]
        Guid? UserId,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

public static class FollowsApi
{
    public static RouteGroupBuilder MapFollowsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/follows")
            .DescribesPathParameter("user_id", "The id of the user to follow or stop following.")
            .WithTags("Follows")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPut("/{userId:guid}", Follow)
            .WithName("Follow")
            .WithSummary("Follow a user (UserFollowed); again changes nothing")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{userId:guid}", Unfollow).WithName("Unfollow").WithSummary("Stop following a user");
        group
            .MapGet("/followers", Followers)
            .WithName("ListFollowers")
            .WithSummary("Who follows user_id (default: me), newest first");
        group
            .MapGet("/following", Following)
            .WithName("ListFollowing")
            .WithSummary("Whom user_id (default: me) follows, newest first");
        return group;
    }

    private static async Task<NoContent> Follow(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await ProfileAccess.ReachableAsync(db, callerId, userId, "follow", cancellationToken);
        await db.InTransactionAsync(
            async ct =>
            {
                // First, as the erasure takes it: a follow made while either account is being erased waits for that
                // erasure's commit and then finds the account deleted (404), so no follow outlives it.
                await ErasureGate.EnterAsync(db, ct);
                // The follower's own account too: a token the revocation has not reached yet follows nobody.
                await ProfileAccess.NotErasedAsync(db, callerId, ct);
                // Under the pair's lock, so a block cannot slip between the check above and this insert.
                await ProfileAccess.LockPairAsync(db, callerId, userId, ct);
                // And the time read under it, as a block reads it (the later commit carries the later time).
                var now = clock.GetUtcNow();
                await ProfileAccess.ReachableAsync(db, callerId, userId, "follow", ct);
                var added = await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO follows (follower_id, followed_id, created_at) VALUES ({callerId}, {userId}, {now})
                        ON CONFLICT DO NOTHING
                    """,
                    ct
                );
                if (added > 0)
                    db.AddIntegrationEvent(new UserFollowed(Guid.CreateVersion7(), now, callerId, userId));
                return added;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unfollow(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await db.InTransactionAsync(
            async ct =>
            {
                var removed = await db
                    .Follows.Where(f => f.FollowerId == callerId && f.FollowedId == userId)
                    .ExecuteDeleteAsync(ct);
                await FeedRules.FollowEndedAsync(db, callerId, userId, ct);
                return removed;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static Task<Ok<CursorPage<FollowDto>>> Followers(
        [AsParameters] FollowsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    ) => ListAsync(query, principal, db, followers: true, cancellationToken);

    private static Task<Ok<CursorPage<FollowDto>>> Following(
        [AsParameters] FollowsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    ) => ListAsync(query, principal, db, followers: false, cancellationToken);

    private static async Task<Ok<CursorPage<FollowDto>>> ListAsync(
        FollowsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        bool followers,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        var userId = query.UserId ?? callerId;
        if (userId != callerId)
            await ProfileAccess.VisibleAsync(db, callerId, userId, cancellationToken);

        var page = await PageAsync(db, callerId, userId, followers, after, Keyset.Probe(limit), cancellationToken);
        return TypedResults.Ok(
            Keyset.Page(
                page,
                limit,
                r => TimeAndId.Format(r.CreatedAt, r.OtherId),
                r => new FollowDto(UserSummary.From(r.Profile, r.OtherId), r.CreatedAt)
            )
        );
    }

    /// <summary>
    /// One page (<paramref name="probe"/> rows) of who follows <paramref name="userId"/> or whom they follow, newest
    /// first, as <paramref name="callerId"/> may see it.
    /// </summary>
    public static async Task<List<FollowRow>> PageAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        bool followers,
        TimeAndId? after,
        int probe,
        CancellationToken cancellationToken
    )
    {
        // (other person, when): followers are the ones following userId, following the ones it follows.
        var rows = followers
            ? db
                .Follows.AsNoTracking()
                .Where(f => f.FollowedId == userId)
                .Select(f => new { OtherId = f.FollowerId, f.CreatedAt })
            : db
                .Follows.AsNoTracking()
                .Where(f => f.FollowerId == userId)
                .Select(f => new { OtherId = f.FollowedId, f.CreatedAt });
        // Nobody the caller blocked or who blocked the caller, and no deleted account.
        rows = rows.Where(r =>
            !db.Blocks.Any(b =>
                (b.BlockerId == callerId && b.BlockedId == r.OtherId)
                || (b.BlockerId == r.OtherId && b.BlockedId == callerId)
            )
        );
        if (after is { } a)
            rows = rows.Where(r => r.CreatedAt < a.At || (r.CreatedAt == a.At && r.OtherId.CompareTo(a.Id) < 0));
        var page = await rows.OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.OtherId)
            .Take(probe)
            .ToListAsync(cancellationToken);
        // The page's profiles by key in a second query: a profile looked up inside the projection became a window over
        // the whole profiles table.
        var ids = page.Select(r => r.OtherId).ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => ids.Contains(p.UserId) && p.DeletedAt == null)
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        return page.Select(r => new FollowRow(r.OtherId, r.CreatedAt, profiles.GetValueOrDefault(r.OtherId))).ToList();
    }

    public sealed record FollowRow(Guid OtherId, DateTimeOffset CreatedAt, UserProfile? Profile);
}
