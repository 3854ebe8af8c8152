using System.ComponentModel.DataAnnotations;
using Community.Contracts;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Community.Social.Feed;

namespace Community.Social.Groups;

/// <summary>
/// A group as the caller sees it: its settings, its owner (null when a block stands between them),
/// the caller's role (owner | moderator | member, null when not one) and membership_status
/// member | pending | invited | none. recent_activity: on GET /api/v1/groups/{id} only (null elsewhere), the latest 10
/// joins and threads started, newest first (for members only in a private or secret group; nobody blocked either way).
/// member_count leaves out the members a block on either side hides from the caller, as the members list does.
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
    DateTimeOffset UpdatedAt,
    IReadOnlyList<GroupActivityDto>? RecentActivity = null
);

/// <summary>
/// A member in a group's list; role pending (with the reason given) for a request and invited for an invitation, shown
/// to owner and moderators only.
/// </summary>
public sealed record GroupMemberDto(
    UserSummary User,
    [property: ValuesOf(typeof(GroupMemberDto), nameof(GroupMemberDto.ListedRoles))] string Role,
    DateTimeOffset Since,
    string? Reason = null
)
{
    /// <summary>A request's role in the list.</summary>
    public const string Pending = "pending";

    /// <summary>An invitation's role in the list (since: when it was sent).</summary>
    public const string Invited = "invited";

    /// <summary>
    /// The roles a member list shows and filters by; pending lists the requests and invited the invitations (owner and
    /// moderators only).
    /// </summary>
    public static readonly IReadOnlyList<string> ListedRoles =
    [
        GroupRoles.Owner,
        GroupRoles.Moderator,
        GroupRoles.Member,
        Pending,
        Invited,
    ];
}

/// <summary>
/// The caller's standing after a join, an approval or a leave: status member or pending; invited when a paid group
/// approved the request (the next join answers 402 with the checkout).
/// </summary>
public sealed record GroupMembershipDto(
    Guid GroupId,
    Guid UserId,
    [property: ValuesOf(typeof(GroupMembershipDto), nameof(GroupMembershipDto.Standings))] string Status,
    [property: ValuesOf(typeof(GroupRoles))] string? Role,
    int MemberCount
)
{
    public const string Member = "member";
    public const string Pending = "pending";
    public const string Invited = "invited";
    public static readonly IReadOnlyList<string> Standings = [Member, Pending, Invited];
}

/// <summary>An invitation to a group.</summary>
/// <param name="InvitedBy">Who sent it; null when that is someone on either side of a block with the caller (an
/// invitation another member sent first).</param>
public sealed record GroupInvitationDto(Guid GroupId, UserSummary User, Guid? InvitedBy, DateTimeOffset CreatedAt);

/// <summary>A paid group's membership waiting for payment: what joining answers with its 402.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="PriceCents">The price in minor units.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Checkout">What to send to POST /api/v1/payments/checkout.</param>
public sealed record GroupPaymentDue(Guid GroupId, long PriceCents, string Currency, CheckoutReference Checkout);
