using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// Social's projection of a user, as identity and payments last announced it; a row without a username is not shown.
/// Each group of fields has its own as-of time (<see cref="AsOf"/> the profile's): an older message changes nothing.
/// </summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }
    public string? Username { get; set; }
    public string? FullName { get; set; }
    public string? Bio { get; set; }
    public string? Region { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public string? Gender { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public List<string> Interests { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    public string? ProfileImageUrl { get; set; }
    public string? IdentityBadge { get; set; }
    public bool IsVerified { get; set; }
    public string Role { get; set; } = "member";
    public string Tier { get; set; } = "free";
    public DateTimeOffset? BoostedUntil { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public DateTimeOffset? AsOf { get; set; }
    public DateTimeOffset? RoleAsOf { get; set; }
    public DateTimeOffset? TierAsOf { get; set; }
    public DateTimeOffset? BoostAsOf { get; set; }

    /// <summary>Set by UserDeleted: the row stays, nameless, so a late message cannot bring the user back.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>A person in a list (connections, followers, blocks): who they are, not their whole profile.</summary>
public sealed record UserSummary(Guid UserId, string? Username, string? FullName, string? ProfileImageUrl)
{
    public static UserSummary From(UserProfile? p, Guid userId) =>
        new(userId, p?.Username, p?.FullName, p?.ProfileImageUrl);
}

internal sealed class UserProfileConfiguration : IEntityTypeConfiguration<UserProfile>
{
    public void Configure(EntityTypeBuilder<UserProfile> e)
    {
        e.HasKey(p => p.UserId);
        // Usernames are not unique here: a rename and a new claim of the name may arrive out of order.
        e.HasIndex(p => p.Interests)
            .HasMethod("gin")
            .HasFilter("deleted_at IS NULL AND username IS NOT NULL")
            .HasDatabaseName("user_profiles_interests");
        e.HasIndex(p => p.BoostedUntil).HasFilter("boosted_until IS NOT NULL").HasDatabaseName("user_profiles_boosted");
    }
}
