using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Social.Groups;

/// <param name="Role">Only members of this role; pending: the requests to join instead, invited: the invitations not
/// taken up yet (both for the owner and moderators only, 403 for others).</param>
public sealed record MembersQuery(
    [ValuesOf(typeof(GroupMemberDto), nameof(GroupMemberDto.ListedRoles))] string? Role,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

/// <summary>An invitation to join the group.</summary>
/// <param name="UserId">The member invited.</param>
public sealed record InvitationRequest([Required] Guid? UserId) : IRequestExample<InvitationRequest>
{
    public static InvitationRequest Example => new(Guid.Parse("0193f1d2-6c1e-7a4b-9d3e-5f8a2b7c4e10"));
}

/// <summary>A member's new role in the group.</summary>
/// <param name="Role">owner, moderator or member.</param>
public sealed record RoleChange([Required, ValuesOf(typeof(GroupRoles))] string? Role);

public static class GroupMembersApi
{
    private const string AskedToJoin = "The id of the user who asked to join.";

    public static RouteGroupBuilder MapGroupMembersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/groups/{id:guid}")
            .DescribesPathParameter("id", "The group's id.")
            .DescribesPathParameter("user_id", "The member's user id.")
            .WithTags("Groups")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("/members", Members)
            .WithName("ListGroupMembers")
            .WithSummary(
                "Members, latest joined first, role=owner|moderator|member (pending: the requests, invited: the "
                    + "invitations, for owner and moderators); blocked people either way are left out"
            );
        group
            .MapPost("/invitations", Invite)
            .WithName("InviteToGroup")
            .WithSummary(
                "Invite someone (members only): 201, or 200 when already invited; yourself or someone you blocked is "
                    + "422, someone who blocked you 404, as an unknown user"
            )
            .WithDescription(
                "In a group that approves who joins (join_policy request), only its owner and moderators invite: an "
                    + "invitation lets its addressee in without a request, so a member's is 403. A block withdraws "
                    + "an invitation either of the two sent the other. After someone declines an invitation to the "
                    + "group, anyone invites them again only 21 days later (to the next UTC midnight): until then the "
                    + "answer is 429 with Retry-After; their joining the group ends the wait."
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/requests/{userId:guid}/approve", Approve)
            .DescribesPathParameter("user_id", AskedToJoin)
            .WithName("ApproveGroupRequest")
            .WithSummary(
                "Admit someone who asked to join (owner and moderators); in a paid group: status invited, and their "
                    + "next join answers 402 with the checkout (422 when the approver blocked them)"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapPost("/requests/{userId:guid}/reject", Reject)
            .DescribesPathParameter("user_id", AskedToJoin)
            .WithName("RejectGroupRequest")
            .WithSummary("Turn down a request to join (owner and moderators); they may ask again 21 days later");
        group
            .MapPatch("/members/{userId:guid}", ChangeRole)
            .WithName("ChangeGroupRole")
            .WithSummary(
                "Make a member moderator or member (owner only); role owner hands the group over and makes me a "
                    + "moderator"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapDelete("/members/{userId:guid}", Remove)
            .WithName("RemoveGroupMember")
            .WithSummary(
                "Remove a member (owner: anyone; moderators: members) or withdraw someone's invitation (owner and "
                    + "moderators); asking to join again then waits 21 days; never the owner (422)"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Ok<CursorPage<GroupMemberDto>>> Members(
        Guid id,
        [AsParameters] MembersQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var role = query.Role?.Trim().ToLowerInvariant();
        errors.OneOf("role", role, GroupMemberDto.ListedRoles);
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        var (group, membership) = await GroupAccess.VisibleAsync(db, id, callerId, cancellationToken);
        GroupAccess.EnsureMembersVisible(group, membership);

        // (user, role, since, reason): members, or for role=pending the requests, for role=invited the invitations.
        IQueryable<MemberRow> rows;
        if ((role is GroupMemberDto.Pending or GroupMemberDto.Invited) && !GroupRoles.Manages(membership?.Role))
            throw new ForbiddenException("Only the group's owner and moderators see its requests and invitations.");
        if (role == GroupMemberDto.Pending)
        {
            rows = db
                .GroupRequests.AsNoTracking()
                .Where(r => r.GroupId == id)
                .Select(r => new MemberRow
                {
                    UserId = r.UserId,
                    Role = GroupMemberDto.Pending,
                    Since = r.CreatedAt,
                    Reason = r.Reason,
                });
        }
        else if (role == GroupMemberDto.Invited)
        {
            rows = db
                .GroupInvitations.AsNoTracking()
                .Where(i => i.GroupId == id)
                .Select(i => new MemberRow
                {
                    UserId = i.UserId,
                    Role = GroupMemberDto.Invited,
                    Since = i.CreatedAt,
                });
        }
        else
        {
            var members = db.GroupMembers.AsNoTracking().Where(m => m.GroupId == id);
            if (role is not null)
                members = members.Where(m => m.Role == role);
            rows = members.Select(m => new MemberRow
            {
                UserId = m.UserId,
                Role = m.Role,
                Since = m.JoinedAt,
            });
        }
        // A block hides each from the other here too.
        rows = rows.Where(r =>
            !db.Blocks.Any(b =>
                (b.BlockerId == callerId && b.BlockedId == r.UserId)
                || (b.BlockerId == r.UserId && b.BlockedId == callerId)
            )
        );
        if (after is { } a)
            rows = rows.Where(r => r.Since < a.At || (r.Since == a.At && r.UserId.CompareTo(a.Id) < 0));
        var page = await rows.OrderByDescending(r => r.Since)
            .ThenByDescending(r => r.UserId)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        var ids = page.Select(r => r.UserId).ToList();
        var profiles = await db
            .UserProfiles.AsNoTracking()
            .Where(p => ids.Contains(p.UserId) && p.DeletedAt == null)
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        return TypedResults.Ok(
            Keyset.Page(
                page,
                limit,
                r => TimeAndId.Format(r.Since, r.UserId),
                r => new GroupMemberDto(
                    UserSummary.From(profiles.GetValueOrDefault(r.UserId), r.UserId),
                    r.Role,
                    r.Since,
                    r.Reason
                )
            )
        );
    }

    private static async Task<Results<Created<GroupInvitationDto>, Ok<GroupInvitationDto>>> Invite(
        Guid id,
        InvitationRequest body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        errors.Required("user_id", body.UserId);
        errors.ThrowIfAny();
        var userId = body.UserId!.Value;
        var (invitation, created, profile, inviterShown) = await db.InTransactionAsync(
            async ct =>
            {
                // Before the group's lock, as the erasure takes it: an invitation sent while its addressee's account is
                // being erased waits for that erasure's commit and then finds the account deleted (404).
                await ErasureGate.EnterAsync(db, ct);
                var (group, membership) = await GroupAccess.VisibleAsync(db, id, callerId, ct, locked: true);
                if (membership is null)
                    throw new ForbiddenException("Only members may invite people to a group.");
                // An invitation lets its addressee in without a request (a paid group's approval is one): where the
                // owner and moderators decide who joins, a member's invitation would overrule them.
                if (group.JoinPolicy == GroupJoinPolicy.Request && !GroupRoles.Manages(membership.Role))
                    throw new ForbiddenException(
                        "In a group that approves who joins, only its owner and moderators invite people."
                    );
                if (userId == callerId)
                    throw new BusinessRuleException("You cannot invite yourself.");
                var profile =
                    await db.UserProfiles.AsNoTracking().Listed().FirstOrDefaultAsync(p => p.UserId == userId, ct)
                    ?? throw new NotFoundException(ProfileAccess.NoSuchUser);
                await LockPairWithoutBlockAsync(
                    db,
                    callerId,
                    userId,
                    ProfileAccess.NoSuchUser,
                    "You blocked this user; unblock them to invite them.",
                    ct
                );
                // Someone the owner or moderators removed, or whose request they turned down, waits to ask again; a
                // member's invitation would end that wait and let them straight back in (an invitation is the way in
                // of a group where members invite). Only those who decided may ask them back.
                if (
                    !GroupRoles.Manages(membership.Role)
                    && await RequestCooldowns.WaitingAsync(
                        db,
                        RequestCooldowns.Group,
                        userId,
                        id,
                        clock.GetUtcNow(),
                        ct
                    )
                )
                    throw new ForbiddenException(
                        "Only the group's owner and moderators may invite this person for now."
                    );
                if (await db.GroupMembers.AnyAsync(m => m.GroupId == id && m.UserId == userId, ct))
                    throw new ConflictException("This person is already a member.");
                var existing = await db
                    .GroupInvitations.AsNoTracking()
                    .FirstOrDefaultAsync(i => i.GroupId == id && i.UserId == userId, ct);
                // Sent by someone else before: who, unless the two are in a block, which the answer must not tell.
                if (existing is not null)
                    return (
                        existing,
                        false,
                        profile,
                        existing.InvitedBy == callerId
                            || !await ProfileAccess.BlockedEitherWayAsync(db, callerId, existing.InvitedBy, ct)
                    );
                // Timed once no invitation stands, under the group's lock and the pair's: an invitation made right
                // after one ended (under the group's lock, or a block's under its pair's) carries the later time, as
                // messaging tells of it by that order.
                var now = clock.GetUtcNow();
                // Declined not long ago: asked again only after the wait, as a request turned down is.
                await RequestCooldowns.EnsureOverAsync(
                    db,
                    RequestCooldowns.Invitation,
                    id,
                    userId,
                    "This person declined an invitation to this group",
                    now,
                    ct
                );
                var invitation = new GroupInvitation
                {
                    GroupId = id,
                    UserId = userId,
                    InvitedBy = callerId,
                    CreatedAt = now,
                };
                db.GroupInvitations.Add(invitation);
                db.AddIntegrationEvent(new GroupInvitationSent(Guid.CreateVersion7(), now, id, userId, callerId));
                // The group asks them now: a wait from an earlier request turned down is over.
                await RequestCooldowns.EndAsync(db, RequestCooldowns.Group, userId, id, ct);
                return (invitation, true, profile, true);
            },
            cancellationToken
        );
        var dto = new GroupInvitationDto(
            id,
            UserSummary.From(profile, userId),
            inviterShown ? invitation.InvitedBy : null,
            invitation.CreatedAt
        );
        return created ? TypedResults.Created($"/api/v1/groups/{id}/members?role=invited", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Ok<GroupMembershipDto>> Approve(
        Guid id,
        Guid userId,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var (status, role) = await db.InTransactionAsync<(string Status, string? Role)>(
            async ct =>
            {
                var (g, _) = await GroupAccess.ManagedAsync(db, id, callerId, ct);
                // Approved twice at once: the group's lock lets one in; the other finds a member and answers the same.
                var member = await db
                    .GroupMembers.AsNoTracking()
                    .FirstOrDefaultAsync(m => m.GroupId == id && m.UserId == userId, ct);
                if (member is not null)
                    return (GroupMembershipDto.Member, member.Role);
                var requested = await db.GroupRequests.AnyAsync(r => r.GroupId == id && r.UserId == userId, ct);
                // A paid group's approval is an invitation: approving again answers the same.
                if (
                    !requested
                    && g.PriceCents > 0
                    && await db.GroupInvitations.AnyAsync(i => i.GroupId == id && i.UserId == userId, ct)
                )
                    return (GroupMembershipDto.Invited, null);
                if (!requested)
                    throw new NotFoundException("This person has not asked to join this group.");
                // A paid group's approval is an invitation from the approver, so one as Invite makes it: timed under
                // the pair's lock too.
                if (g.PriceCents > 0)
                    await LockPairWithoutBlockAsync(
                        db,
                        callerId,
                        userId,
                        "This person has not asked to join this group.",
                        "You blocked this person; unblock them to approve them, or leave it to another manager.",
                        ct
                    );
                var now = clock.GetUtcNow();
                db.AddIntegrationEvent(
                    new GroupJoinRequestDecided(Guid.CreateVersion7(), now, id, userId, Approved: true)
                );
                if (g.PriceCents > 0)
                {
                    // A paid group's membership is bought: the approval becomes an invitation, so the requester's
                    // next join answers 402 and their payment is honoured. One already there becomes the owner's
                    // when the owner approves, and this approver's when its sender no longer manages the group (a
                    // demoted moderator); else it stays a manager's.
                    await db.GroupRequests.Where(r => r.GroupId == id && r.UserId == userId).ExecuteDeleteAsync(ct);
                    await db.Database.ExecuteSqlAsync(
                        $"""
                        INSERT INTO group_invitations (group_id, user_id, invited_by, created_at)
                            VALUES ({id}, {userId}, {callerId}, {now})
                        ON CONFLICT (group_id, user_id) DO UPDATE
                            SET invited_by = EXCLUDED.invited_by, created_at = EXCLUDED.created_at
                            WHERE EXCLUDED.invited_by = (SELECT g.owner_id FROM groups g WHERE g.id = {id})
                              OR NOT EXISTS (
                                SELECT 1 FROM group_members m
                                WHERE m.group_id = group_invitations.group_id
                                  AND m.user_id = group_invitations.invited_by
                                  AND m.role IN ('owner', 'moderator'))
                        """,
                        ct
                    );
                    return (GroupMembershipDto.Invited, null);
                }
                await GroupMemberships.AddAsync(db, id, userId, GroupRoles.Member, now, ct);
                return (GroupMembershipDto.Member, GroupRoles.Member);
            },
            cancellationToken
        );
        return TypedResults.Ok(
            new GroupMembershipDto(
                id,
                userId,
                status,
                role,
                await GroupMemberships.CountAsync(db, id, callerId, cancellationToken)
            )
        );
    }

    private static async Task<NoContent> Reject(
        Guid id,
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
                await GroupAccess.ManagedAsync(db, id, callerId, ct);
                var removed = await db
                    .GroupRequests.Where(r => r.GroupId == id && r.UserId == userId)
                    .ExecuteDeleteAsync(ct);
                if (removed == 0)
                    throw new NotFoundException("This person has not asked to join this group.");
                var now = clock.GetUtcNow();
                await RequestCooldowns.StartAsync(db, RequestCooldowns.Group, userId, id, now, ct);
                // Turned down, and told so with a wait: an invitation a manager sent meanwhile goes too, or it would
                // let them in at once.
                await GroupRules.EndInvitationAsync(db, id, userId, now, ct);
                db.AddIntegrationEvent(
                    new GroupJoinRequestDecided(Guid.CreateVersion7(), now, id, userId, Approved: false)
                );
                return removed;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Before an invitation from <paramref name="callerId"/> to <paramref name="userId"/>: the pair's lock, after the
    /// group's (a block takes only the pair's), so a block committing meanwhile is seen here and one coming after finds
    /// the invitation to withdraw; and none goes across a block. Who blocked the caller is no one to them (404 with
    /// <paramref name="unknown"/>), so that block is not told; who the caller blocked, they are told of (422).
    /// </summary>
    private static async Task LockPairWithoutBlockAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        string unknown,
        string blockedByCaller,
        CancellationToken cancellationToken
    )
    {
        await ProfileAccess.LockPairAsync(db, callerId, userId, cancellationToken);
        if (await db.Blocks.AnyAsync(x => x.BlockerId == userId && x.BlockedId == callerId, cancellationToken))
            throw new NotFoundException(unknown);
        if (await db.Blocks.AnyAsync(x => x.BlockerId == callerId && x.BlockedId == userId, cancellationToken))
            throw new BusinessRuleException(blockedByCaller);
    }

    private static async Task<Ok<GroupMemberDto>> ChangeRole(
        Guid id,
        Guid userId,
        RoleChange body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var role = body.Role?.Trim().ToLowerInvariant();
        if (errors.Required("role", role))
            errors.OneOf("role", role, GroupRoles.All);
        errors.ThrowIfAny();
        var member = await db.InTransactionAsync(
            async ct =>
            {
                var g = await GroupAccess.OwnedAsync(db, id, callerId, ct);
                // Read under the group's lock: of two changes, the later commit carries the later time, which is how
                // the services that copy roles (messaging's moderators) tell which came last.
                var now = clock.GetUtcNow();
                var target =
                    await db.GroupMembers.FirstOrDefaultAsync(m => m.GroupId == id && m.UserId == userId, ct)
                    ?? throw new NotFoundException("This person is not a member of this group.");
                if (target.Role == GroupRoles.Owner)
                {
                    if (role == GroupRoles.Owner)
                        return target;
                    throw new BusinessRuleException(
                        "The owner's role changes only by handing the group to another member (role owner)."
                    );
                }
                if (role == GroupRoles.Owner)
                {
                    // Handing over: the old owner stays on as a moderator.
                    var self = await db.GroupMembers.FirstAsync(m => m.GroupId == id && m.UserId == callerId, ct);
                    self.Role = GroupRoles.Moderator;
                    g.OwnerId = userId;
                    g.UpdatedAt = now;
                    db.AddIntegrationEvent(new GroupUpdated(Guid.CreateVersion7(), now, id, ["owner_id"]));
                    db.AddIntegrationEvent(
                        new GroupMemberRoleChanged(Guid.CreateVersion7(), now, id, callerId, GroupRoles.Moderator)
                    );
                }
                // Setting the role a member already has changes nothing and announces nothing.
                if (target.Role != role)
                {
                    target.Role = role!;
                    db.AddIntegrationEvent(
                        new GroupMemberRoleChanged(Guid.CreateVersion7(), now, id, userId, target.Role)
                    );
                    // Where only its managers decide who joins, a demoted moderator's invitations end now (not at
                    // the invitee's next join, showing them a secret group meanwhile), as a change of policy's do.
                    if (g.JoinPolicy == GroupJoinPolicy.Request)
                    {
                        await db.SaveChangesAsync(ct);
                        await GroupMemberships.DropUnmanagedInvitationsAsync(db, id, now, ct);
                    }
                }
                return target;
            },
            cancellationToken
        );
        // Unnamed across a block, as the members list leaves them out: a manager may still change their role.
        var profile = await ProfileAccess.BlockedEitherWayAsync(db, callerId, userId, cancellationToken)
            ? null
            : await db
                .UserProfiles.AsNoTracking()
                .FirstOrDefaultAsync(p => p.UserId == userId && p.DeletedAt == null, cancellationToken);
        return TypedResults.Ok(new GroupMemberDto(UserSummary.From(profile, userId), member.Role, member.JoinedAt));
    }

    private static async Task<NoContent> Remove(
        Guid id,
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
                var (g, me) = await GroupAccess.ManagedAsync(db, id, callerId, ct);
                var target = await db
                    .GroupMembers.AsNoTracking()
                    .FirstOrDefaultAsync(m => m.GroupId == id && m.UserId == userId, ct);
                // Not a member: an invitation not taken up yet is withdrawn (a payment after it is refused then).
                if (target is null)
                {
                    if (!await GroupRules.EndInvitationAsync(db, id, userId, clock.GetUtcNow(), ct))
                        throw new NotFoundException("This person is neither a member of this group nor invited to it.");
                    // Withdrawn, the group's yes is taken back (a paid group's approval is an invitation): asking
                    // again waits, as after a request turned down, where a group takes requests.
                    if (g.JoinPolicy == GroupJoinPolicy.Request)
                        await RequestCooldowns.StartAsync(
                            db,
                            RequestCooldowns.Group,
                            userId,
                            id,
                            clock.GetUtcNow(),
                            ct
                        );
                    return false;
                }
                if (target.Role == GroupRoles.Owner)
                    throw new BusinessRuleException("The owner cannot be removed from their group.");
                if (target.Role == GroupRoles.Moderator && me.Role != GroupRoles.Owner && userId != callerId)
                    throw new ForbiddenException("Only the owner may remove a moderator.");
                var now = clock.GetUtcNow();
                // Someone removed asks to join again only after a wait, as after a request turned down.
                if (userId != callerId)
                    await RequestCooldowns.StartAsync(db, RequestCooldowns.Group, userId, id, now, ct);
                return await GroupMemberships.RemoveAsync(db, id, userId, now, ct);
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    // Member-initialised (not a positional record) so EF can filter and order on its members.
    private sealed class MemberRow
    {
        public Guid UserId { get; init; }
        public string Role { get; init; } = "";
        public DateTimeOffset Since { get; init; }
        public string? Reason { get; init; }
    }
}
