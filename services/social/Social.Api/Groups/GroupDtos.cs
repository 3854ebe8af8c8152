using System.ComponentModel.DataAnnotations;
using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Data;
using Community.Social.Users;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Groups;

/// <summary>
/// A group as the caller sees it: its settings, its owner (null when a block stands between them),
/// the caller's role (owner | moderator | member, null when not one) and membership_status
/// member | pending | invited | none.
/// </summary>
public sealed record GroupDto(
    Guid Id,
    string Name,
    string Description,
    string? Category,
    IReadOnlyList<string> Tags,
    string? Region,
    string? Interest,
    string? ImageUrl,
    string? Color,
    [property: ValuesOf(typeof(GroupVisibility))] string Visibility,
    [property: ValuesOf(typeof(GroupJoinPolicy))] string JoinPolicy,
    long PriceCents,
    string? Currency,
    int MemberCount,
    UserSummary? Owner,
    [property: ValuesOf(typeof(GroupRoles))] string? MyRole,
    [property: AllowedValues("member", "pending", "invited", "none")] string MembershipStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
);

/// <summary>A member in a group's list; role pending (with the reason given) for a request, shown to owner and moderators only.</summary>
public sealed record GroupMemberDto(
    UserSummary User,
    [property: ValuesOf(typeof(GroupRoles))] string Role,
    DateTimeOffset Since,
    string? Reason = null
);

/// <summary>The caller's standing after a join, an approval or a leave: status member or pending.</summary>
public sealed record GroupMembershipDto(Guid GroupId, Guid UserId, string Status, string? Role, int MemberCount);

/// <summary>An invitation to a group.</summary>
public sealed record GroupInvitationDto(Guid GroupId, UserSummary User, Guid InvitedBy, DateTimeOffset CreatedAt);

/// <summary>Builds <see cref="GroupDto"/>s with the caller's standing in each, in a few queries per page.</summary>
public static class GroupViews
{
    public static async Task<GroupDto> OneAsync(
        SocialDbContext db,
        Guid callerId,
        Group group,
        CancellationToken cancellationToken
    ) => (await ManyAsync(db, callerId, [group], cancellationToken))[0];

    public static async Task<IReadOnlyList<GroupDto>> ManyAsync(
        SocialDbContext db,
        Guid callerId,
        IReadOnlyList<Group> groups,
        CancellationToken cancellationToken
    )
    {
        if (groups.Count == 0)
            return [];
        var ids = groups.Select(g => g.Id).ToList();
        var owners = groups.Select(g => g.OwnerId).Distinct().ToList();
        var roles = await db
            .GroupMembers.AsNoTracking()
            .Where(m => m.UserId == callerId && ids.Contains(m.GroupId))
            .ToDictionaryAsync(m => m.GroupId, m => m.Role, cancellationToken);
        var pending = (
            await db
                .GroupRequests.AsNoTracking()
                .Where(r => r.UserId == callerId && ids.Contains(r.GroupId))
                .Select(r => r.GroupId)
                .ToListAsync(cancellationToken)
        ).ToHashSet();
        var invited = (
            await db
                .GroupInvitations.AsNoTracking()
                .Where(i => i.UserId == callerId && ids.Contains(i.GroupId))
                .Select(i => i.GroupId)
                .ToListAsync(cancellationToken)
        ).ToHashSet();
        // An owner on either side of a block with the caller is not shown; the group still is.
        var hidden = (
            await db
                .Blocks.AsNoTracking()
                .Where(b =>
                    (b.BlockerId == callerId && owners.Contains(b.BlockedId))
                    || (b.BlockedId == callerId && owners.Contains(b.BlockerId))
                )
                .Select(b => b.BlockerId == callerId ? b.BlockedId : b.BlockerId)
                .ToListAsync(cancellationToken)
        ).ToHashSet();
        var profiles = await db
            .Profiles.AsNoTracking()
            .Where(p => owners.Contains(p.UserId) && p.DeletedAt == null)
            .ToDictionaryAsync(p => p.UserId, cancellationToken);

        return groups
            .Select(g =>
            {
                var role = roles.GetValueOrDefault(g.Id);
                var status =
                    role is not null ? "member"
                    : pending.Contains(g.Id) ? "pending"
                    : invited.Contains(g.Id) ? "invited"
                    : "none";
                var owner = hidden.Contains(g.OwnerId)
                    ? null
                    : UserSummary.From(profiles.GetValueOrDefault(g.OwnerId), g.OwnerId);
                return new GroupDto(
                    g.Id,
                    g.Name,
                    g.Description,
                    g.Category,
                    g.Tags,
                    g.Region,
                    g.Interest,
                    g.ImageUrl,
                    g.Color,
                    g.Visibility,
                    g.JoinPolicy,
                    g.PriceCents,
                    g.Currency,
                    g.MemberCount,
                    owner,
                    role,
                    status,
                    g.CreatedAt,
                    g.UpdatedAt
                );
            })
            .ToList();
    }

    /// <summary>
    /// The groups <paramref name="userId"/> belongs to that <paramref name="callerId"/> may see (secret ones only when the caller
    /// belongs too), latest joined first. Shared by /groups/mine and /profiles/{user_id}/groups.
    /// </summary>
    public static async Task<CursorPage<GroupDto>> MemberOfAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var size = Keyset.Limit(limit, errors);
        var after = Keyset.After(cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        var memberships = db.GroupMembers.AsNoTracking().Where(m => m.UserId == userId);
        if (after is { } a)
            memberships = memberships.Where(m =>
                m.JoinedAt < a.At || (m.JoinedAt == a.At && m.GroupId.CompareTo(a.Id) < 0)
            );
        var rows = await memberships
            .Join(
                db.Groups.AsNoTracking().ListedTo(db, callerId),
                m => m.GroupId,
                g => g.Id,
                (m, g) => new { m.JoinedAt, Group = g }
            )
            .OrderByDescending(r => r.JoinedAt)
            .ThenByDescending(r => r.Group.Id)
            .Take(Keyset.Probe(size))
            .ToListAsync(cancellationToken);
        var dtos = (await ManyAsync(db, callerId, rows.Select(r => r.Group).ToList(), cancellationToken)).ToDictionary(
            d => d.Id
        );
        return Keyset.Page(rows, size, r => TimeAndId.Format(r.JoinedAt, r.Group.Id), r => dtos[r.Group.Id]);
    }
}
