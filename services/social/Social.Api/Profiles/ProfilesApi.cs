using System.Security.Claims;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Compatibility;
using Community.Social.Groups;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Profiles;

public sealed record ProfileGroupsQuery(string? Cursor, [PageSize(Keyset.DefaultLimit)] int? Limit);

/// <summary>
/// What a member has been doing, in counts: groups (public ones, and private or secret ones the caller belongs to
/// too), accepted connections, followers, events checked in at.
/// </summary>
public sealed record ProfileActivityDto(Guid UserId, int Groups, int Connections, int Followers, int EventsAttended);

public static class ProfilesApi
{
    private const string NoSuchUsername = "No user has this username.";

    public static RouteGroupBuilder MapProfilesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/profiles")
            .DescribesPathParameter("user_id", "The profile's user id.")
            .DescribesPathParameter("username", "The username, in any case.")
            .WithTags("Profiles")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/{userId:guid}", ById)
            .WithName("GetProfile")
            .WithSummary("A member's public profile and how they relate to me (404 across a block)");
        group
            .MapGet("/by-username/{username}", ByUsername)
            .WithName("GetProfileByUsername")
            .WithSummary("The same, found by username");
        group
            .MapGet("/{userId:guid}/groups", Groups)
            .WithName("GetProfileGroups")
            .WithSummary(
                "The groups a member belongs to that are public or that I belong to too (a private or secret "
                    + "group's members are its members' to know), latest joined first"
            );
        group
            .MapGet("/{userId:guid}/activity", Activity)
            .WithName("GetProfileActivity")
            .WithSummary("Counts: groups (public, or mine too), connections, followers, events attended (checked in)");
        return group;
    }

    private static async Task<Ok<ProfileDto>> ById(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var profile = await ProfileAccess.VisibleAsync(db, callerId, userId, cancellationToken);
        return TypedResults.Ok(await DtoAsync(db, callerId, profile, clock.GetUtcNow(), cancellationToken));
    }

    private static async Task<Ok<ProfileDto>> ByUsername(
        string username,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var name = username.Trim().ToLowerInvariant();
        // The newest claim of a name wins while a rename and a new claim are still arriving.
        var userId =
            await db
                .UserProfiles.Listed()
                .Where(p => p.Username!.ToLower() == name)
                .OrderByDescending(p => p.AsOf)
                .Select(p => (Guid?)p.UserId)
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(NoSuchUsername);
        var profile = await ProfileAccess.VisibleAsync(db, callerId, userId, NoSuchUsername, cancellationToken);
        return TypedResults.Ok(await DtoAsync(db, callerId, profile, clock.GetUtcNow(), cancellationToken));
    }

    private static async Task<Ok<CursorPage<GroupDto>>> Groups(
        Guid userId,
        [AsParameters] ProfileGroupsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await ProfileAccess.VisibleAsync(db, callerId, userId, cancellationToken);
        return TypedResults.Ok(
            await GroupQueries.MemberOfAsync(db, callerId, userId, query.Cursor, query.Limit, cancellationToken)
        );
    }

    private static async Task<Ok<ProfileActivityDto>> Activity(
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        await ProfileAccess.VisibleAsync(db, callerId, userId, cancellationToken);
        var groups = await db
            .GroupMembers.Where(m => m.UserId == userId)
            .Join(db.Groups.MembersShownTo(db, callerId), m => m.GroupId, g => g.Id, (m, g) => g.Id)
            .CountAsync(cancellationToken);
        // Counted as the lists show them to the caller: nobody in a block with the caller, either way (a count above
        // the list would tell them someone there blocked them).
        var connections = await db
            .Connections.Where(c =>
                c.Status == ConnectionStatus.Accepted && (c.RequesterId == userId || c.AddresseeId == userId)
            )
            .Select(c => c.RequesterId == userId ? c.AddresseeId : c.RequesterId)
            .CountAsync(
                other =>
                    !db.Blocks.Any(b =>
                        (b.BlockerId == callerId && b.BlockedId == other)
                        || (b.BlockerId == other && b.BlockedId == callerId)
                    ),
                cancellationToken
            );
        var followers = await db
            .Follows.Where(f => f.FollowedId == userId)
            .CountAsync(
                f =>
                    !db.Blocks.Any(b =>
                        (b.BlockerId == callerId && b.BlockedId == f.FollowerId)
                        || (b.BlockerId == f.FollowerId && b.BlockedId == callerId)
                    ),
                cancellationToken
            );
        var attended = await db.EventsAttended.CountAsync(a => a.UserId == userId, cancellationToken);
        return TypedResults.Ok(new ProfileActivityDto(userId, groups, connections, followers, attended));
    }

    private static async Task<ProfileDto> DtoAsync(
        SocialDbContext db,
        Guid callerId,
        UserProfile profile,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        ProfileDto.From(
            profile,
            now,
            await RelationAsync(db, callerId, profile, cancellationToken),
            await InnovatorProfileRules.VisibleToAsync(db, callerId, profile.UserId, cancellationToken)
        );

    private static async Task<ProfileRelation> RelationAsync(
        SocialDbContext db,
        Guid callerId,
        UserProfile profile,
        CancellationToken cancellationToken
    )
    {
        var userId = profile.UserId;
        if (userId == callerId)
            return ProfileRelation.Self;
        var connection = await db
            .Connections.AsNoTracking()
            .FirstOrDefaultAsync(
                c =>
                    (c.RequesterId == callerId && c.AddresseeId == userId)
                    || (c.RequesterId == userId && c.AddresseeId == callerId),
                cancellationToken
            );
        var status = connection switch
        {
            null => RelationStatus.None,
            { Status: ConnectionStatus.Accepted } => RelationStatus.Connected,
            _ when connection.RequesterId == callerId => RelationStatus.PendingOutgoing,
            _ => RelationStatus.PendingIncoming,
        };
        var following = await db.Follows.AnyAsync(
            f => f.FollowerId == callerId && f.FollowedId == userId,
            cancellationToken
        );
        var followsYou = await db.Follows.AnyAsync(
            f => f.FollowerId == userId && f.FollowedId == callerId,
            cancellationToken
        );
        var score = await CompatibilityQueries.ScoreAsync(db, callerId, userId, cancellationToken);
        var common = await CompatibilityQueries.CommonInterestsAsync(db, callerId, userId, cancellationToken);
        return new(score, common, status, connection?.Id, following, followsYou);
    }
}
