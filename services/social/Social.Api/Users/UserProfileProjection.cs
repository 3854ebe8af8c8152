namespace Community.Social.Users;

/// <summary>
/// Writes the projection: one statement per message, so messages racing or arriving out of order
/// leave the newest of each group of fields (profile, role, tier, boost), and nothing changes a
/// deleted user's row but its tombstone.
/// </summary>
public static class UserProfileProjection
{
    public sealed record ProfileFields(
        string Username,
        string? FullName,
        string? Bio,
        string? Region,
        string? City,
        string? Country,
        string? Gender,
        DateOnly? DateOfBirth,
        IReadOnlyList<string> Interests,
        IReadOnlyList<string> Languages,
        string? ProfileImageUrl,
        string? IdentityBadge,
        bool IsVerified
    );

    /// <summary>
    /// UserRegistered: the username, name and role as of <paramref name="asOf"/>, and when the account was made
    /// (<paramref name="registeredAt"/>: kept from the first announcement); the rest of the profile comes with
    /// UserProfileUpdated.
    /// </summary>
    public static Task<int> RegisterAsync(
        SocialDbContext db,
        Guid userId,
        string username,
        string? fullName,
        string role,
        bool isVerified,
        DateTimeOffset asOf,
        DateTimeOffset registeredAt,
        CancellationToken cancellationToken
    )
    {
        var at = asOf.ToUniversalTime();
        var registered = registeredAt.ToUniversalTime();
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, is_verified, role, registered_at, as_of,
                role_as_of)
            VALUES ({userId}, {username}, {fullName}, {isVerified}, {role}, {registered}, {at}, {at})
            ON CONFLICT (user_id) DO UPDATE SET
                registered_at = COALESCE(user_profiles.registered_at, EXCLUDED.registered_at),
                username = CASE WHEN user_profiles.as_of IS NULL OR user_profiles.as_of < EXCLUDED.as_of
                    THEN EXCLUDED.username ELSE user_profiles.username END,
                full_name = CASE WHEN user_profiles.as_of IS NULL OR user_profiles.as_of < EXCLUDED.as_of
                    THEN EXCLUDED.full_name ELSE user_profiles.full_name END,
                is_verified = CASE WHEN user_profiles.as_of IS NULL OR user_profiles.as_of < EXCLUDED.as_of
                    THEN EXCLUDED.is_verified ELSE user_profiles.is_verified END,
                as_of = GREATEST(user_profiles.as_of, EXCLUDED.as_of),
                role = CASE WHEN user_profiles.role_as_of IS NULL OR user_profiles.role_as_of < EXCLUDED.role_as_of
                    THEN EXCLUDED.role ELSE user_profiles.role END,
                role_as_of = GREATEST(user_profiles.role_as_of, EXCLUDED.role_as_of)
            WHERE user_profiles.deleted_at IS NULL
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// UserProfileUpdated carries the whole public profile as it now is; at the same instant as the registration it
    /// still applies (it says more).
    /// </summary>
    public static Task<int> UpdateProfileAsync(
        SocialDbContext db,
        Guid userId,
        ProfileFields p,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        var at = asOf.ToUniversalTime();
        var interests = p.Interests.ToArray();
        var languages = p.Languages.ToArray();
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, username, full_name, bio, region, city, country, gender, date_of_birth,
                interests, languages,
                                  profile_image_url, identity_badge, is_verified, as_of)
            VALUES ({userId}, {p.Username}, {p.FullName}, {p.Bio}, {p.Region}, {p.City}, {p.Country}, {p.Gender},
                {p.DateOfBirth}, {interests}, {languages},
                    {p.ProfileImageUrl}, {p.IdentityBadge}, {p.IsVerified}, {at})
            ON CONFLICT (user_id) DO UPDATE SET
                username = EXCLUDED.username, full_name = EXCLUDED.full_name, bio = EXCLUDED.bio,
                    region = EXCLUDED.region,
                city = EXCLUDED.city, country = EXCLUDED.country, gender = EXCLUDED.gender,
                    date_of_birth = EXCLUDED.date_of_birth,
                interests = EXCLUDED.interests, languages = EXCLUDED.languages,
                    profile_image_url = EXCLUDED.profile_image_url,
                identity_badge = EXCLUDED.identity_badge, is_verified = EXCLUDED.is_verified, as_of = EXCLUDED.as_of
            WHERE user_profiles.deleted_at IS NULL AND (user_profiles.as_of IS NULL
                OR user_profiles.as_of <= EXCLUDED.as_of)
            """,
            cancellationToken
        );
    }

    public static Task<int> ChangeRoleAsync(
        SocialDbContext db,
        Guid userId,
        string role,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        var at = asOf.ToUniversalTime();
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, role, role_as_of) VALUES ({userId}, {role}, {at})
            ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role, role_as_of = EXCLUDED.role_as_of
            WHERE user_profiles.deleted_at IS NULL AND (user_profiles.role_as_of IS NULL
                OR user_profiles.role_as_of < EXCLUDED.role_as_of)
            """,
            cancellationToken
        );
    }

    public static Task<int> ChangeTierAsync(
        SocialDbContext db,
        Guid userId,
        string tier,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        var at = asOf.ToUniversalTime();
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, tier, tier_as_of) VALUES ({userId}, {tier}, {at})
            ON CONFLICT (user_id) DO UPDATE SET tier = EXCLUDED.tier, tier_as_of = EXCLUDED.tier_as_of
            WHERE user_profiles.deleted_at IS NULL AND (user_profiles.tier_as_of IS NULL
                OR user_profiles.tier_as_of < EXCLUDED.tier_as_of)
            """,
            cancellationToken
        );
    }

    /// <summary>A purchase or a revocation says when the boost now ends; the newest says it.</summary>
    public static Task<int> SetBoostAsync(
        SocialDbContext db,
        Guid userId,
        DateTimeOffset boostedUntil,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    )
    {
        var (until, at) = (boostedUntil.ToUniversalTime(), asOf.ToUniversalTime());
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, boosted_until, boost_as_of) VALUES ({userId}, {until}, {at})
            ON CONFLICT (user_id) DO UPDATE
                SET boosted_until = EXCLUDED.boosted_until, boost_as_of = EXCLUDED.boost_as_of
            WHERE user_profiles.deleted_at IS NULL AND (user_profiles.boost_as_of IS NULL
                OR user_profiles.boost_as_of < EXCLUDED.boost_as_of)
            """,
            cancellationToken
        );
    }

    /// <summary>Leaves a tombstone: no name, no profile, and a later message about the user changes nothing.</summary>
    public static Task<int> EraseAsync(
        SocialDbContext db,
        Guid userId,
        DateTimeOffset deletedAt,
        CancellationToken cancellationToken
    )
    {
        var at = deletedAt.ToUniversalTime();
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, deleted_at) VALUES ({userId}, {at})
            ON CONFLICT (user_id) DO UPDATE SET
                username = NULL, full_name = NULL, bio = NULL, region = NULL, city = NULL, country = NULL,
                    gender = NULL,
                date_of_birth = NULL, interests = ARRAY[]::text[], languages = ARRAY[]::text[],
                    profile_image_url = NULL, identity_badge = NULL,
                is_verified = false, boosted_until = NULL, deleted_at = COALESCE(user_profiles.deleted_at,
                    EXCLUDED.deleted_at)
            """,
            cancellationToken
        );
    }
}
