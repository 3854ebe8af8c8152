using System.Security.Claims;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Feed;
using Community.Social.Groups;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Blocks;

/// <summary>A blocked person, in the blocker's own list.</summary>
public sealed record BlockDto(UserSummary User, DateTimeOffset BlockedAt);

public sealed record BlocksQuery(string? Cursor, [PageSize(Keyset.DefaultLimit)] int? Limit);

public static class BlocksApi
{
    private sealed record EndedInvitation(Guid GroupId, Guid UserId);

    public static RouteGroupBuilder MapBlocksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/blocks")
            .DescribesPathParameter("user_id", "The id of the user to block or unblock.")
            .WithTags("Blocks")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPut("/{userId:guid}", Block)
            .WithName("BlockUser")
            .WithSummary(
                "Block a user: ends connections, requests and follows both ways (UserBlocked); again changes nothing"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapDelete("/{userId:guid}", Unblock)
            .WithName("UnblockUser")
            .WithSummary("Lift a block (UserUnblocked); nothing it ended comes back");
        group.MapGet("", List).WithName("ListBlocks").WithSummary("The people I blocked, newest first");
        return group;
    }

    private static async Task<NoContent> Block(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        if (userId == callerId)
            throw new BusinessRuleException("You cannot block yourself.");
        await db.InTransactionAsync(
            async ct =>
            {
                // First, as the erasure takes it: a block while either account is being erased waits for that
                // erasure's commit and then finds the account erased (404), so no block outlives it.
                await ErasureGate.EnterAsync(db, ct);
                // Someone who blocked the caller can be blocked back; only an unknown or deleted user is 404.
                if (!await db.UserProfiles.Listed().AnyAsync(p => p.UserId == userId, ct))
                    throw new NotFoundException(ProfileAccess.NoSuchUser);
                await ProfileAccess.NotErasedAsync(db, callerId, ct);
                // The pair's lock orders a block with an unblock, a connection request and its acceptance; each reads
                // the time under it, so of two the later commit carries the later time, which is how the services
                // that copy blocks and connections tell which came last.
                await ProfileAccess.LockPairAsync(db, callerId, userId, ct);
                var now = clock.GetUtcNow();
                var added = await db.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ({callerId}, {userId}, {now})
                        ON CONFLICT DO NOTHING
                    """,
                    ct
                );
                if (added == 0)
                    return false;
                var connections = await db
                    .Connections.FromSql(
                        $"""
                        SELECT * FROM connections
                        WHERE (requester_id = {callerId} AND addressee_id = {userId})
                            OR (requester_id = {userId} AND addressee_id = {callerId})
                        FOR UPDATE
                        """
                    )
                    .ToListAsync(ct);
                foreach (var c in connections)
                {
                    db.Connections.Remove(c);
                    // A request a block ended is one declined: blocking and unblocking does not let it be asked again
                    // at once.
                    if (c.Status == ConnectionStatus.Pending)
                        await RequestCooldowns.StartAsync(db, c, now, ct);
                    db.AddIntegrationEvent(new ConnectionRemoved(Guid.CreateVersion7(), now, c.Id, callerId, userId));
                }
                await db
                    .Follows.Where(f =>
                        (f.FollowerId == callerId && f.FollowedId == userId)
                        || (f.FollowerId == userId && f.FollowedId == callerId)
                    )
                    .ExecuteDeleteAsync(ct);
                await FeedRules.FollowEndedAsync(db, callerId, userId, ct);
                await FeedRules.FollowEndedAsync(db, userId, callerId, ct);
                // As one cannot be sent across a block: an invitation one of them sent the other is withdrawn, so the
                // blocked person no longer sees the blocker's secret group nor joins on the blocker's word.
                var withdrawn = await db
                    .Database.SqlQuery<EndedInvitation>(
                        $"""
                        DELETE FROM group_invitations
                        WHERE (invited_by = {callerId} AND user_id = {userId})
                           OR (invited_by = {userId} AND user_id = {callerId})
                        RETURNING group_id, user_id
                        """
                    )
                    .ToListAsync(ct);
                // (Hidden by the block meanwhile, the invitation's notification would show again, unread, at an
                // unblock.)
                foreach (var invitation in withdrawn)
                    GroupRules.AnnounceEndedInvitations(db, invitation.GroupId, [invitation.UserId], now);
                db.AddIntegrationEvent(new UserBlocked(Guid.CreateVersion7(), now, callerId, userId));
                return true;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> Unblock(
        Guid userId,
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
                await ProfileAccess.LockPairAsync(db, callerId, userId, ct);
                var removed = await db
                    .Blocks.Where(b => b.BlockerId == callerId && b.BlockedId == userId)
                    .ExecuteDeleteAsync(ct);
                if (removed > 0)
                    db.AddIntegrationEvent(
                        new UserUnblocked(Guid.CreateVersion7(), clock.GetUtcNow(), callerId, userId)
                    );
                return removed;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CursorPage<BlockDto>>> List(
        [AsParameters] BlocksQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();

        var blocks = db.Blocks.AsNoTracking().Where(b => b.BlockerId == callerId);
        if (after is { } a)
            blocks = blocks.Where(b => b.CreatedAt < a.At || (b.CreatedAt == a.At && b.BlockedId.CompareTo(a.Id) < 0));
        var rows = await blocks
            .OrderByDescending(b => b.CreatedAt)
            .ThenByDescending(b => b.BlockedId)
            .Take(Keyset.Probe(limit))
            .Select(b => new
            {
                Block = b,
                Profile = db.UserProfiles.FirstOrDefault(p => p.UserId == b.BlockedId && p.DeletedAt == null),
            })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(
            Keyset.Page(
                rows,
                limit,
                r => TimeAndId.Format(r.Block.CreatedAt, r.Block.BlockedId),
                r => new BlockDto(UserSummary.From(r.Profile, r.Block.BlockedId), r.Block.CreatedAt)
            )
        );
    }
}
