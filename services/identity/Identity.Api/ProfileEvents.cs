using Community.Contracts.Identity;

namespace Community.Identity;

/// <summary>
/// The one way identity announces a profile: every publisher sends the whole public profile as it now is.
/// </summary>
public static class ProfileEvents
{
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
            Bio = user.Bio,
            Gender = user.Gender,
            DateOfBirth = user.DateOfBirth,
            IdentityBadge = user.IdentityBadge,
        };
}
