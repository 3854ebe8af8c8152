using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

/// <summary>A user as identity and payments announced them; what the companion may know of its user.</summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }

    /// <summary>Null until identity's first event about the user arrives.</summary>
    public string? Username { get; set; }

    /// <summary>When identity published what this row says; an older event changes nothing.</summary>
    public DateTimeOffset AsOf { get; set; }

    /// <summary>Set by UserDeleted; the row stays as a tombstone so a late event cannot bring the user back.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public string? Region { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public List<string> Interests { get; set; } = [];
    public string? IdentityBadge { get; set; }
    public DateOnly? DateOfBirth { get; set; }

    /// <summary>free, premium or elite (<see cref="Community.Contracts.Tiers"/>).</summary>
    public string Tier { get; set; } = "free";
    public DateTimeOffset TierAsOf { get; set; }

    /// <summary>Whole years of age on <paramref name="today"/>; null when the profile has no date of birth.</summary>
    public int? AgeOn(DateOnly today)
    {
        if (DateOfBirth is not { } born)
            return null;
        var age = today.Year - born.Year;
        return born > today.AddYears(-age) ? age - 1 : age;
    }
}

internal sealed class UserProfileConfiguration : IEntityTypeConfiguration<UserProfile>
{
    public void Configure(EntityTypeBuilder<UserProfile> e) => e.HasKey(u => u.UserId);
}
