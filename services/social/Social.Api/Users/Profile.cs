using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Users;

/// <summary>
/// What social knows of a user, as identity and payments last announced it (social never calls
/// identity). A row without a username is not known yet (a tier or boost arrived first) or
/// deleted: neither is shown to anyone.
/// </summary>
public sealed class Profile
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
    public DateTimeOffset? ProfileAsOf { get; set; }
    public DateTimeOffset? RoleAsOf { get; set; }
    public DateTimeOffset? TierAsOf { get; set; }
    public DateTimeOffset? BoostAsOf { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed class ProfileConfiguration : IEntityTypeConfiguration<Profile>
{
    public void Configure(EntityTypeBuilder<Profile> e)
    {
        e.ToTable("profiles");
        e.HasKey(p => p.UserId);
    }
}
