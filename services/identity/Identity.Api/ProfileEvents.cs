using Community.Contracts.Identity;

namespace Community.Identity;

/// <summary>
/// The one way identity announces an account and its profile: every publisher sends the whole public profile as it
/// now is.
/// </summary>
public static class ProfileEvents
{
    /// <summary>The account as it is at <paramref name="at"/>: at its creation, or when announced again.</summary>
    public static UserRegistered Registered(User user, DateTimeOffset at, Guid? referredByUserId) =>
        new(
            Guid.CreateVersion7(),
            at,
            user.Id,
            user.Username,
            user.Email,
            user.Phone,
            user.FullName,
            user.Role,
            user.ReferralCode,
            referredByUserId
        )
        {
            IsVerified = user.IsVerified,
            EmailVerified = user.EmailVerifiedAt is not null,
            RegisteredAt = user.CreatedAt,
        };

    public static UserProfileUpdated Updated(User user, DateTimeOffset now, IReadOnlyList<string> changed) =>
        new(
            Guid.CreateVersion7(),
            now,
            user.Id,
            user.Username,
            user.FullName,
            user.Region,
            user.City,
            user.Country,
            user.Interests,
            user.Languages,
            user.ProfileImageUrl,
            changed
        )
        {
            IsVerified = user.IsVerified,
            EmailVerified = user.EmailVerifiedAt is not null,
            Bio = user.Bio,
            Gender = user.Gender,
            DateOfBirth = user.DateOfBirth,
            IdentityBadge = user.IdentityBadge,
        };
}
