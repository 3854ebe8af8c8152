using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Feed;
using Community.Social.Users;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Community.Social.Groups;

/// <param name="Visibility">
/// public or private: only groups of that visibility; absent: public and private ones, and secret ones I belong to.
/// </param>
/// <param name="Q">Part of a group's name or description (any case); at most 100 characters.</param>
/// <param name="Region">Groups in this region (any case); at most 100 characters.</param>
/// <param name="Interest">Groups about this interest (any case); at most 40 characters.</param>
/// <param name="Category">Groups in this category (any case); at most 40 characters.</param>
/// <param name="Tag">Groups with this tag (any case); at most 30 characters.</param>
public sealed record ExploreQuery(
    [ValuesOf(typeof(GroupsApi), nameof(GroupsApi.ExploreVisibilities))] string? Visibility,
    string? Q,
    string? Region,
    string? Interest,
    string? Category,
    string? Tag,
    int? Page,
    [PageSize(GroupsApi.DefaultPageLimit)] int? Limit,
    string? Cursor
);

/// <summary>
/// Where explore's order (the most members first, then the id) stands. A cursor carries it encrypted (Data Protection,
/// as discovery's): the stored count includes the members a block hides from the caller, whom member_count leaves out,
/// and a cursor the service did not give out is refused rather than used to probe the order.
/// </summary>
public readonly record struct MembersAndId(int Members, Guid Id)
{
    public static IDataProtector Protector(IDataProtectionProvider provider) =>
        provider.CreateProtector("Community.Social.ExploreCursor");

    public static string Protect(IDataProtector protector, MembersAndId position) =>
        protector.Protect(NumberAndId.Format(position.Members, position.Id));

    /// <summary>Null for anything the service did not give out (or a key ring that no longer holds its key).</summary>
    public static MembersAndId? Unprotect(IDataProtector protector, string position)
    {
        try
        {
            return NumberAndId.TryParse(protector.Unprotect(position), int.MaxValue, out var members, out var id)
                ? new((int)members, id)
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <param name="Status">
/// member (the default): the groups I belong to, latest joined first; pending: those I asked to join; invited: those I
/// am invited to (a paid group's approval too), latest first.
/// </param>
public sealed record MyGroupsQuery(
    [ValuesOf(typeof(GroupMembershipDto), nameof(GroupMembershipDto.Standings))] string? Status,
    string? Cursor,
    [PageSize(Keyset.DefaultLimit)] int? Limit
);

/// <summary>A request to join; the reason is shown to the moderators of a group that approves its members.</summary>
/// <param name="Reason">At most 500 characters.</param>
public sealed record JoinRequest(string? Reason) : IRequestExample<JoinRequest>
{
    public static JoinRequest Example => new("I hike every weekend and would like to join your trips.");
}

public static class GroupsApi
{
    public const int DefaultPageLimit = 20;
    public const int MaxReasonLength = 500;

    private const string WaitReason =
        "Your last request to join this group was withdrawn or turned down, your invitation to it was withdrawn, or "
        + "you were removed from it";

    /// <summary>The visibilities explore filters by (secret groups are never explored by name).</summary>
    public static readonly IReadOnlyList<string> ExploreVisibilities =
    [
        GroupVisibility.Public,
        GroupVisibility.Private,
    ];

    public static RouteGroupBuilder MapGroupsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/groups")
            .DescribesPathParameter("id", "The group's id.")
            .WithTags("Groups")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Create)
            .WithName("CreateGroup")
            .WithSummary("Create a group (GroupCreated); I am its owner and first member")
            .Accepts<GroupInput>("application/json");
        group
            .MapGet("", Explore)
            .WithName("ExploreGroups")
            .WithSummary(
                "Public and private groups (and secret ones I belong to), most members first, filtered by "
                    + "visibility (public|private), q, region, interest, category, tag"
            );
        group
            .MapGet("/mine", Mine)
            .WithName("MyGroups")
            .WithSummary(
                "The groups I belong to, latest joined first; status=pending: those I asked to join, status=invited: "
                    + "those I am invited to"
            );
        group
            .MapGet("/{id:guid}", Get)
            .WithName("GetGroup")
            .AnswersETag()
            .WithSummary(
                "A group with its recent_activity (a secret group is 404 unless I belong to it, am invited to it or my "
                    + "request to join it is pending)"
            );
        group
            .MapPatch("/{id:guid}", Update)
            .WithName("UpdateGroup")
            .HonoursIfMatch()
            .WithSummary("Change a group, owner or moderators (JSON merge: absent keeps, null clears what is optional)")
            .WithDescription(
                "null clears description, category, tags, region, interest, image_url and color; a null price_cents "
                    + "makes the group free (and clears currency). name, visibility and join_policy cannot be "
                    + "cleared: null is a 400. price_cents and currency are the owner's, who is paid for memberships: "
                    + "a moderator changing them is 403 and changes nothing."
            )
            .Accepts<GroupInput>("application/json");
        group
            .MapDelete("/{id:guid}", Delete)
            .WithName("DeleteGroup")
            .WithSummary("Delete a group (owner; GroupDeleted)");
        group
            .MapPost("/{id:guid}/join", Join)
            .WithName("JoinGroup")
            .WithSummary(
                "Join: open 201 member; request 202 pending (optional reason); invite 403 without an invitation; "
                    + "paid 402 with the checkout reference (purpose group_membership) once the policy admits me "
                    + "(request: after approval); a paid group's owner blocked either way 403"
            )
            .WithDescription(
                "After my request to join is withdrawn (by me, leaving) or turned down, after an invitation to me is "
                    + "withdrawn (a paid group's approval is one), or after I am removed from the group, I may ask to "
                    + "join it again only 21 days later (to the next UTC midnight): until then joining it without an "
                    + "invitation, whether it takes requests or is open, answers 429 with Retry-After. An invitation "
                    + "ends the wait."
            )
            .Produces<GroupMembershipDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesPaymentRequired<GroupPaymentDue>();
        group
            .MapPost("/{id:guid}/leave", Leave)
            .WithName("LeaveGroup")
            .WithSummary(
                "Leave a group, withdraw my request (asking again then waits 21 days) or decline my invitation "
                    + "(inviting me again then waits 21 days); the owner hands the group over first (409)"
            )
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Created<GroupDto>> Create(
        JsonObject body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var now = clock.GetUtcNow();
        var g = new Group
        {
            Id = NewId.Next(now),
            OwnerId = callerId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        GroupRules.Apply(JsonMergePatch.Read<GroupInput>(body, json.Value.SerializerOptions), g);
        await db.InTransactionAsync(
            async ct =>
            {
                // First, as the erasure takes it: a group created while its owner's account is being erased waits for
                // that erasure's commit and then finds the account erased (404): no group is left to an erased owner.
                await ErasureGate.EnterAsync(db, ct);
                await ProfileAccess.NotErasedAsync(db, callerId, ct);
                db.Groups.Add(g);
                await db.SaveChangesAsync(ct);
                await GroupMemberships.AddAsync(db, g.Id, callerId, GroupRoles.Owner, now, ct);
                db.AddIntegrationEvent(
                    new GroupCreated(Guid.CreateVersion7(), now, g.Id, callerId, g.Name, g.Visibility)
                    {
                        Region = g.Region,
                        Interests =
                        [
                            .. (g.Interest is { } interest ? [interest] : Array.Empty<string>()).Union(g.Tags),
                        ],
                    }
                );
                return g;
            },
            cancellationToken
        );
        g.MemberCount = 1;
        return TypedResults.Created(
            $"/api/v1/groups/{g.Id}",
            await GroupQueries.OneAsync(db, callerId, g, cancellationToken)
        );
    }

    private static async Task<Ok<PageOf<GroupDto>>> Explore(
        [AsParameters] ExploreQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        IDataProtectionProvider protection,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var q = FieldRules.Trimmed(query.Q);
        var region = FieldRules.Trimmed(query.Region);
        var interest = FieldRules.Trimmed(query.Interest)?.ToLowerInvariant();
        var category = FieldRules.Trimmed(query.Category)?.ToLowerInvariant();
        var tag = FieldRules.Trimmed(query.Tag)?.ToLowerInvariant();
        var visibility = FieldRules.Trimmed(query.Visibility)?.ToLowerInvariant();
        errors.OneOf("visibility", visibility, ExploreVisibilities);
        errors.MaxLength("q", q, 100);
        errors.MaxLength("region", region, 100);
        errors.MaxLength("interest", interest, 40);
        errors.MaxLength("category", category, 40);
        errors.MaxLength("tag", tag, GroupRules.MaxTagLength);
        var cursors = MembersAndId.Protector(protection);
        var start = NumberedCursor.Read(
            query.Page,
            query.Limit,
            query.Cursor,
            DefaultPageLimit,
            position => MembersAndId.Unprotect(cursors, position),
            errors
        );
        errors.ThrowIfAny();

        var groups = db.Groups.AsNoTracking().ListedTo(db, callerId);
        if (q is not null)
        {
            var pattern = "%" + q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            groups = groups.Where(g =>
                EF.Functions.ILike(g.Name, pattern, "\\") || EF.Functions.ILike(g.Description, pattern, "\\")
            );
        }
        if (visibility is not null)
            groups = groups.Where(g => g.Visibility == visibility);
        if (region is not null)
            // Both sides lower-cased by the database (the parameter too, not .NET, whose casing differs on a
            // few letters such as a dotted capital I), as the index on lower(region) reads it.
            groups = groups.Where(g => g.Region!.ToLower() == EF.Parameter(region).ToLower());
        if (interest is not null)
            groups = groups.Where(g => g.Interest == interest);
        if (category is not null)
            groups = groups.Where(g => g.Category == category);
        if (tag is not null)
            groups = groups.Where(g => g.Tags.Contains(tag));
        // The total, the page and what the caller is in each from one snapshot, so none disagrees with another.
        // Groups are far fewer than events: their total is counted exactly.
        var (total, rows, shown) = await db.InSnapshotAsync(
            async () =>
            {
                var total = new CountedTotal(await groups.CountAsync(cancellationToken), IsEstimate: false);
                var rows = await groups
                    .OrderByDescending(g => g.MemberCount)
                    .ThenByDescending(g => g.Id)
                    .ProbePageBy(
                        start,
                        (ordered, after) =>
                            ordered.Where(g =>
                                EF.Functions.LessThan(
                                    ValueTuple.Create(g.MemberCount, g.Id),
                                    ValueTuple.Create(after.Members, after.Id)
                                )
                            )
                    )
                    .ToListAsync(cancellationToken);
                // the look-ahead row only says whether a next page follows
                var shown = await GroupQueries.ManyAsync(
                    db,
                    callerId,
                    [.. rows.Take(start.Page.Limit)],
                    cancellationToken
                );
                return (total, rows, shown.ToDictionary(g => g.Id));
            },
            cancellationToken
        );
        return TypedResults.Ok(
            start.Page.Of(rows, total, g => MembersAndId.Protect(cursors, new(g.MemberCount, g.Id)), g => shown[g.Id])
        );
    }

    private static async Task<Ok<CursorPage<GroupDto>>> Mine(
        [AsParameters] MyGroupsQuery query,
        ClaimsPrincipal principal,
        SocialDbContext db,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var status = FieldRules.Trimmed(query.Status)?.ToLowerInvariant() ?? GroupMembershipDto.Member;
        errors.OneOf("status", status, GroupMembershipDto.Standings);
        errors.ThrowIfAny();
        return TypedResults.Ok(
            status == GroupMembershipDto.Member
                ? await GroupQueries.MemberOfAsync(db, callerId, callerId, query.Cursor, query.Limit, cancellationToken)
                : await GroupQueries.AwaitingAsync(db, callerId, status, query.Cursor, query.Limit, cancellationToken)
        );
    }

    private static async Task<Ok<GroupDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        SocialDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        // The group (its member count and version), the caller's role in it and its activity from one snapshot: a
        // join between two reads would answer a member the count leaves out.
        var (group, dto) = await db.InSnapshotAsync(
            async () =>
            {
                var (group, membership) = await GroupAccess.VisibleAsync(db, id, callerId, cancellationToken);
                var dto = await GroupQueries.OneAsync(db, callerId, group, cancellationToken);
                var activity = await FeedQueries.GroupActivityAsync(
                    db,
                    callerId,
                    group,
                    membership is not null,
                    cancellationToken
                );
                return (group, dto with { RecentActivity = activity });
            },
            cancellationToken
        );
        EntityTag.Set(response, group.Version);
        return TypedResults.Ok(dto);
    }

    /// <summary>The settings a change may not clear (null), with the values they take.</summary>
    private static readonly (string Field, string Values)[] NotClearable =
    [
        ("visibility", string.Join(", ", GroupVisibility.All)),
        ("join_policy", string.Join(", ", GroupJoinPolicy.All)),
    ];

    private static async Task<Ok<GroupDto>> Update(
        Guid id,
        JsonObject body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var group = await db.InTransactionAsync(
            async ct =>
            {
                var (g, membership) = await GroupAccess.ManagedAsync(db, id, callerId, ct);
                // Timed under the group's lock: the invitations a change of policy ends carry a time after any made
                // before it.
                var now = clock.GetUtcNow();
                // Locked by ManagedAsync until the commit, so its version is the one the change applies to.
                EntityTag.Check(http.Request, g.Version);
                // A null would read as "not given" and fall back to a new group's defaults (public, open): it is
                // refused, as a name's is, rather than quietly opening a private group.
                foreach (var (field, values) in NotClearable)
                    if (body.TryGetPropertyValue(field, out var value) && value is null)
                        throw new RequestValidationException(
                            field,
                            $"{field} cannot be cleared; give one of {values}."
                        );
                var merged = JsonMergePatch.Overlay(GroupRules.ToInput(g), body, json.Value.SerializerOptions);
                var changed = GroupRules.Apply(
                    JsonMergePatch.Read<GroupInput>(merged, json.Value.SerializerOptions),
                    g
                );
                // Memberships are paid to the owner: what they cost is the owner's to say. Refused before anything
                // is saved.
                if (
                    membership.Role != GroupRoles.Owner
                    && (changed.Contains("price_cents") || changed.Contains("currency"))
                )
                    throw new ForbiddenException("Only the group's owner sets the price of its membership.");
                // Now the owner and moderators decide who joins: an invitation a member sent while members could
                // invite would let its addressee in without a request, so it goes (the managers' own stay).
                if (changed.Contains("join_policy") && g.JoinPolicy == GroupJoinPolicy.Request)
                    await GroupMemberships.DropUnmanagedInvitationsAsync(db, id, now, ct);
                if (changed.Count > 0)
                {
                    g.UpdatedAt = now;
                    db.AddIntegrationEvent(new GroupUpdated(Guid.CreateVersion7(), now, g.Id, changed));
                }
                return g;
            },
            cancellationToken
        );
        EntityTag.Set(http.Response, group.Version);
        return TypedResults.Ok(await GroupQueries.OneAsync(db, callerId, group, cancellationToken));
    }

    private static async Task<NoContent> Delete(
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
                var g = await GroupAccess.OwnedAsync(db, id, callerId, ct);
                await GroupRules.DeleteAsync(db, g, clock.GetUtcNow(), ct);
                return g;
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private static async Task<
        Results<Created<GroupMembershipDto>, Ok<GroupMembershipDto>, Accepted<GroupMembershipDto>, ProblemHttpResult>
    > Join(
        Guid id,
        JoinRequest? body,
        ClaimsPrincipal principal,
        SocialDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var callerId = principal.UserId();
        var errors = new ValidationErrors();
        var reason = string.IsNullOrWhiteSpace(body?.Reason) ? null : body.Reason.Trim();
        errors.MaxLength("reason", reason, MaxReasonLength);
        errors.ThrowIfAny();
        var (outcome, group, purchase, role) = await db.InTransactionAsync(
            async ct =>
            {
                // Before the group's lock, as the erasure takes it: a join while the caller's account is being erased
                // waits for that erasure's commit and then finds the account erased (404), so no membership, request
                // or purchase outlives it.
                await ErasureGate.EnterAsync(db, ct);
                await ProfileAccess.NotErasedAsync(db, callerId, ct);
                var (g, membership) = await GroupAccess.VisibleAsync(db, id, callerId, ct, locked: true);
                // Under the group's lock, as a leave reads it: a join and a leave at once are told apart downstream
                // by their times, so the one that commits later must carry the later time.
                var now = clock.GetUtcNow();
                Task WaitOverAsync() =>
                    RequestCooldowns.EnsureOverAsync(db, RequestCooldowns.Group, callerId, id, WaitReason, now, ct);
                if (membership is not null)
                    // The role as of this transaction: a leave committed right after must not make the answer fail.
                    return (JoinOutcome.AlreadyMember, g, (GroupPurchase?)null, membership.Role);
                // An invitation whose sender no longer manages a group that approves who joins (demoted, removed,
                // gone) is no approval: withdrawn here, when it would be used, the join asks as anyone's does.
                if (g.JoinPolicy == GroupJoinPolicy.Request)
                    await GroupMemberships.DropUnmanagedInvitationsAsync(db, id, now, ct);
                // Locked: a block withdrawing it (which takes the pair's lock, not the group's) either waits for this
                // join or is waited for, and then it lets no one in.
                var invited = await db
                    .GroupInvitations.FromSql(
                        $"SELECT * FROM group_invitations WHERE group_id = {id} AND user_id = {callerId} FOR UPDATE"
                    )
                    .AsNoTracking()
                    .AnyAsync(ct);
                if (g.JoinPolicy == GroupJoinPolicy.Invite && !invited)
                    throw new ForbiddenException("This group is by invitation only; ask a member to invite you.");
                // A paid group too: the request comes first; its approval (an invitation) lets the next join pay. A
                // secret group admits only those invited or approved, whatever its policy: one seen by a request
                // still standing, since turned open, keeps the request waiting for its managers, as the payment's
                // settlement would refuse the join (GroupPurchases).
                if ((g.JoinPolicy == GroupJoinPolicy.Request || g.Visibility == GroupVisibility.Secret) && !invited)
                {
                    // The group is locked, so this answers whether this join is the one that asks.
                    var asked = await db.GroupRequests.AnyAsync(r => r.GroupId == id && r.UserId == callerId, ct);
                    if (!asked)
                        await WaitOverAsync();
                    await db.Database.ExecuteSqlAsync(
                        $"""
                        INSERT INTO group_requests (group_id, user_id, reason, created_at)
                            VALUES ({id}, {callerId}, {reason}, {now})
                        ON CONFLICT (group_id, user_id) DO UPDATE
                            SET reason = COALESCE(EXCLUDED.reason, group_requests.reason)
                        """,
                        ct
                    );
                    if (!asked)
                        db.AddIntegrationEvent(
                            new GroupJoinRequested(
                                Guid.CreateVersion7(),
                                now,
                                id,
                                callerId,
                                reason,
                                await db
                                    .GroupMembers.Where(m =>
                                        m.GroupId == id
                                        && (m.Role == GroupRoles.Owner || m.Role == GroupRoles.Moderator)
                                    )
                                    .Select(m => m.UserId)
                                    .ToListAsync(ct)
                            )
                        );
                    return (JoinOutcome.Requested, g, null, (string?)null);
                }
                // An open group asks no one, but someone removed from it (or whose request or invitation ended) waits
                // here too before coming back, or a removal would last until their next click.
                if (!invited)
                    await WaitOverAsync();
                if (g.PriceCents > 0)
                    return (
                        JoinOutcome.NeedsPayment,
                        g,
                        await GroupPurchases.OpenAsync(db, g, callerId, now, ct),
                        (string?)null
                    );
                // In by an invitation while their request waited: the request is moot, no longer the deciders' to act
                // on.
                if (await db.GroupRequests.AnyAsync(r => r.GroupId == id && r.UserId == callerId, ct))
                    db.AddIntegrationEvent(new GroupJoinRequestEnded(Guid.CreateVersion7(), now, id, callerId));
                await GroupMemberships.AddAsync(db, id, callerId, GroupRoles.Member, now, ct);
                return (JoinOutcome.Joined, g, null, GroupRoles.Member);
            },
            cancellationToken
        );

        var count = await GroupMemberships.CountAsync(db, id, callerId, cancellationToken);
        var location = $"/api/v1/groups/{id}";
        return outcome switch
        {
            JoinOutcome.Joined => TypedResults.Created(
                location,
                new GroupMembershipDto(id, callerId, GroupMembershipDto.Member, GroupRoles.Member, count)
            ),
            JoinOutcome.Requested => TypedResults.Accepted(
                location,
                new GroupMembershipDto(id, callerId, GroupMembershipDto.Pending, null, count)
            ),
            JoinOutcome.NeedsPayment => NeedsPayment(group, purchase!),
            _ => TypedResults.Ok(new GroupMembershipDto(id, callerId, GroupMembershipDto.Member, role, count)),
        };
    }

    /// <summary>
    /// 402 with the price and the checkout to open: payments sells the purchase under purpose group_membership;
    /// membership follows PaymentSucceeded.
    /// </summary>
    private static ProblemHttpResult NeedsPayment(Group g, GroupPurchase purchase) =>
        ProblemResponses.PaymentRequired(
            "This group is paid; you become a member once paid through POST /api/v1/payments/checkout.",
            new GroupPaymentDue(
                g.Id,
                purchase.PriceCents,
                purchase.Currency,
                new CheckoutReference(PaymentPurposes.GroupMembership, purchase.Id)
            )
        );

    private static async Task<NoContent> Leave(
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
                var (_, membership) = await GroupAccess.VisibleAsync(db, id, callerId, ct, locked: true);
                if (membership?.Role == GroupRoles.Owner)
                    throw new ConflictException(
                        "The owner cannot leave: hand the group over first (PATCH "
                            + "/api/v1/groups/{id}/members/{user_id} with role owner), or delete it."
                    );
                var now = clock.GetUtcNow();
                // Leaving again, or leaving what one only asked to join or was invited to, ends whatever there is.
                var withdrawn = await db
                    .GroupRequests.Where(r => r.GroupId == id && r.UserId == callerId)
                    .ExecuteDeleteAsync(ct);
                // A request withdrawn waits before it is asked again, so asking and withdrawing does not notify the
                // group's admins on every turn.
                if (withdrawn > 0)
                {
                    await RequestCooldowns.StartAsync(db, RequestCooldowns.Group, callerId, id, now, ct);
                    db.AddIntegrationEvent(new GroupJoinRequestEnded(Guid.CreateVersion7(), now, id, callerId));
                }
                // An invitation left is declined: the group invites them again only after a wait, so inviting and
                // being declined does not notify them on every turn.
                if (await GroupRules.EndInvitationAsync(db, id, callerId, now, ct))
                    await RequestCooldowns.StartAsync(db, RequestCooldowns.Invitation, id, callerId, now, ct);
                return await GroupMemberships.RemoveAsync(db, id, callerId, now, ct);
            },
            cancellationToken
        );
        return TypedResults.NoContent();
    }

    private enum JoinOutcome
    {
        Joined,
        Requested,
        AlreadyMember,
        NeedsPayment,
    }
}
