using Community.Contracts;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity.Users;

/// <summary>
/// The account as its owner sees it; is_verified when its e-mail or its phone is proven to be the owner's.
/// </summary>
public sealed record UserDto(
    Guid Id,
    string Username,
    string? Email,
    string? Phone,
    [property: ValuesOf(typeof(Roles))] string Role,
    [property: ValuesOf(typeof(Tiers))] string Tier,
    string? FullName,
    string? Bio,
    string? Region,
    string? City,
    string? Country,
    [property: ValuesOf(typeof(Genders))] string? Gender,
    DateOnly? DateOfBirth,
    int? Age,
    IReadOnlyList<string> Interests,
    IReadOnlyList<string> Languages,
    string? ProfileImageUrl,
    string? LinkedinUrl,
    string? GithubUrl,
    string? IdentityBadge,
    string ReferralCode,
    bool IsVerified,
    bool EmailVerified,
    bool PhoneVerified,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt
)
{
    public static UserDto From(User u, DateOnly today) =>
        new(
            u.Id,
            u.Username,
            u.Email,
            u.Phone,
            u.Role,
            u.Tier,
            u.FullName,
            u.Bio,
            u.Region,
            u.City,
            u.Country,
            u.Gender,
            u.DateOfBirth,
            Rules.Age(u.DateOfBirth, today),
            u.Interests,
            u.Languages,
            u.ProfileImageUrl,
            u.LinkedinUrl,
            u.GithubUrl,
            u.IdentityBadge,
            u.ReferralCode,
            u.IsVerified,
            u.EmailVerifiedAt is not null,
            u.PhoneVerifiedAt is not null,
            u.CreatedAt,
            u.UpdatedAt
        );
}

/// <summary>
/// What anyone signed in may see of another member: no contact details, no birth date; is_verified but not which
/// contact is.
/// </summary>
public sealed record PublicProfileDto(
    Guid Id,
    string Username,
    [property: ValuesOf(typeof(Roles))] string Role,
    string? FullName,
    string? Bio,
    string? Region,
    string? City,
    string? Country,
    int? Age,
    IReadOnlyList<string> Interests,
    IReadOnlyList<string> Languages,
    string? ProfileImageUrl,
    string? LinkedinUrl,
    string? GithubUrl,
    string? IdentityBadge,
    bool IsVerified,
    DateTimeOffset CreatedAt
)
{
    public static PublicProfileDto From(User u, DateOnly today) =>
        new(
            u.Id,
            u.Username,
            u.Role,
            u.FullName,
            u.Bio,
            u.Region,
            u.City,
            u.Country,
            Rules.Age(u.DateOfBirth, today),
            u.Interests,
            u.Languages,
            u.ProfileImageUrl,
            u.LinkedinUrl,
            u.GithubUrl,
            u.IdentityBadge,
            u.IsVerified,
            u.CreatedAt
        );
}
