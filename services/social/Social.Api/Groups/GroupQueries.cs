using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.Social.Groups;

/// <summary>Builds <see cref="GroupDto"/>s with the caller's standing in each, in a few queries per page.</summary>
public static class GroupQueries
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
            .UserProfiles.AsNoTracking()
            .Where(p => owners.Contains(p.UserId) && p.DeletedAt == null)
            .ToDictionaryAsync(p => p.UserId, cancellationToken);
        var hiddenMembers = await GroupMemberships.HiddenAsync(db, callerId, ids, cancellationToken);

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
                    g.MemberCount - hiddenMembers.GetValueOrDefault(g.Id),
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
    /// The groups <paramref name="userId"/> belongs to that are public or that <paramref name="callerId"/> belongs to
    /// too (see <see cref="GroupAccess.MembersShownTo"/>), latest joined first. Shared by /groups/mine and
    /// /profiles/{user_id}/groups.
    /// </summary>
    public static Task<CursorPage<GroupDto>> MemberOfAsync(
        SocialDbContext db,
        Guid callerId,
        Guid userId,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken
    ) =>
        PageByStandingAsync(
            db,
            callerId,
            db.GroupMembers.AsNoTracking()
                .Where(m => m.UserId == userId)
                .Select(m => new Standing { GroupId = m.GroupId, Since = m.JoinedAt }),
            db.Groups.AsNoTracking().MembersShownTo(db, callerId),
            cursor,
            limit,
            cancellationToken
        );

    /// <summary>
    /// The groups <paramref name="callerId"/> asked to join (<paramref name="status"/> pending) or is invited to
    /// (invited), latest asked or invited first: /groups/mine?status=. A secret group shows while the invitation
    /// stands (<see cref="GroupAccess.SeenBy"/>).
    /// </summary>
    public static Task<CursorPage<GroupDto>> AwaitingAsync(
        SocialDbContext db,
        Guid callerId,
        string status,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken
    ) =>
        PageByStandingAsync(
            db,
            callerId,
            status == GroupMembershipDto.Invited
                ? db
                    .GroupInvitations.AsNoTracking()
                    .Where(i => i.UserId == callerId)
                    .Select(i => new Standing { GroupId = i.GroupId, Since = i.CreatedAt })
                : db
                    .GroupRequests.AsNoTracking()
                    .Where(r => r.UserId == callerId)
                    .Select(r => new Standing { GroupId = r.GroupId, Since = r.CreatedAt }),
            db.Groups.AsNoTracking().SeenBy(db, callerId),
            cursor,
            limit,
            cancellationToken
        );

    /// <summary>
    /// One page of the <paramref name="shown"/> groups that have a <paramref name="standings"/> row (a membership, a
    /// request or an invitation), latest since first, keyed by (since, group).
    /// </summary>
    private static async Task<CursorPage<GroupDto>> PageByStandingAsync(
        SocialDbContext db,
        Guid callerId,
        IQueryable<Standing> standings,
        IQueryable<Group> shown,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var size = Keyset.Limit(limit, errors);
        var after = Keyset.After(cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        if (after is { } a)
            standings = standings.Where(s => s.Since < a.At || (s.Since == a.At && s.GroupId.CompareTo(a.Id) < 0));
        var rows = await standings
            .Join(shown, s => s.GroupId, g => g.Id, (s, g) => new { s.Since, Group = g })
            .OrderByDescending(r => r.Since)
            .ThenByDescending(r => r.Group.Id)
            .Take(Keyset.Probe(size))
            .ToListAsync(cancellationToken);
        var dtos = (await ManyAsync(db, callerId, rows.Select(r => r.Group).ToList(), cancellationToken)).ToDictionary(
            d => d.Id
        );
        return Keyset.Page(rows, size, r => TimeAndId.Format(r.Since, r.Group.Id), r => dtos[r.Group.Id]);
    }

    /// <summary>Where someone stands with a group, and since when (what the pages are keyed by).</summary>
    private sealed class Standing
    {
        public Guid GroupId { get; init; }
        public DateTimeOffset Since { get; init; }
    }
}
