using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

/// <summary>
/// A user's display names and picture as identity last announced them (events never calls identity). A deleted
/// user keeps a nameless row so a late profile message cannot bring the name back.
/// </summary>
public sealed class UserProfile
{
    public Guid UserId { get; set; }
    public string? Username { get; set; }
    public string? FullName { get; set; }

    /// <summary>The profile picture's address (identity's, or a linked one); set by profile updates alone.</summary>
    public string? ProfileImageUrl { get; set; }

    /// <summary>When identity published what this row says; older messages change nothing.</summary>
    public DateTimeOffset AsOf { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

internal sealed class UserProfileConfiguration : IEntityTypeConfiguration<UserProfile>
{
    public void Configure(EntityTypeBuilder<UserProfile> e)
    {
        e.HasKey(p => p.UserId);
    }
}
