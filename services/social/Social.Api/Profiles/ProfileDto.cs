using Community.Contracts;
using Community.ServiceDefaults.OpenApi;

namespace Community.Social.Profiles;

/// <summary>
/// A member's public profile (no contact details, no birth date, no gender) and how they relate to
/// the caller: connection_status none | pending_outgoing | pending_incoming | connected; innovator: the sections of
/// their innovator profile the owner lets the caller see.
/// </summary>
public sealed record ProfileDto(
    Guid UserId,
    string Username,
    string? FullName,
    string? Bio,
    string? Region,
    string? City,
    string? Country,
    int? Age,
    IReadOnlyList<string> Interests,
    IReadOnlyList<string> Languages,
    string? ProfileImageUrl,
    string? IdentityBadge,
    bool IsVerified,
    [property: ValuesOf(typeof(Roles))] string Role,
    bool IsBoosted,
    DateTimeOffset? JoinedAt,
    int? CompatibilityScore,
    IReadOnlyList<string> CommonInterests,
    [property: ValuesOf(typeof(RelationStatus))] string ConnectionStatus,
    Guid? ConnectionId,
    bool IsFollowing,
    bool FollowsYou,
    InnovatorSectionsDto Innovator
)
{
    /// <summary>Whole years on <paramref name="today"/>; born 29 February, a year older on 28 February.</summary>
    public static int? AgeOn(DateOnly? born, DateOnly today)
    {
        if (born is not { } b)
            return null;
        var age = today.Year - b.Year;
        return b.AddYears(age) > today ? age - 1 : age;
    }

    /// <summary>
    /// The last birth date of someone at least <paramref name="age"/> on <paramref name="today"/> by
    /// <see cref="AgeOn"/>: today that many years back, or the day after (29 February, on a common year's 28th).
    /// </summary>
    public static DateOnly LastBornAged(int age, DateOnly today)
    {
        var born = today.AddYears(-age);
        return AgeOn(born.AddDays(1), today) >= age ? born.AddDays(1) : born;
    }

    public static ProfileDto From(
        UserProfile p,
        DateTimeOffset now,
        ProfileRelation relation,
        InnovatorSectionsDto innovator
    ) =>
        new(
            p.UserId,
            p.Username!,
            p.FullName,
            p.Bio,
            p.Region,
            p.City,
            p.Country,
            AgeOn(p.DateOfBirth, DateOnly.FromDateTime(now.UtcDateTime)),
            p.Interests,
            p.Languages,
            p.ProfileImageUrl,
            p.IdentityBadge,
            p.IsVerified,
            p.Role,
            p.BoostedUntil > now,
            p.RegisteredAt,
            relation.CompatibilityScore,
            relation.CommonInterests,
            relation.ConnectionStatus,
            relation.ConnectionId,
            relation.IsFollowing,
            relation.FollowsYou,
            innovator
        );
}

/// <summary>How the profile's owner relates to the caller (all empty when it is the caller's own).</summary>
public sealed record ProfileRelation(
    int? CompatibilityScore,
    IReadOnlyList<string> CommonInterests,
    string ConnectionStatus,
    Guid? ConnectionId,
    bool IsFollowing,
    bool FollowsYou
)
{
    public static readonly ProfileRelation Self = new(null, [], RelationStatus.None, null, false, false);
}

/// <summary>Where the caller stands with a profile's owner: a profile's connection_status.</summary>
public static class RelationStatus
{
    public const string None = "none";
    public const string PendingOutgoing = "pending_outgoing";
    public const string PendingIncoming = "pending_incoming";
    public const string Connected = "connected";

    public static readonly IReadOnlyList<string> All = [None, PendingOutgoing, PendingIncoming, Connected];
}
