using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>A badge a member earned; kept once earned.</summary>
public sealed class EarnedBadge
{
    public Guid UserId { get; set; }
    public string Badge { get; set; } = "";
    public DateTimeOffset EarnedAt { get; set; }
}

internal sealed class EarnedBadgeConfiguration : IEntityTypeConfiguration<EarnedBadge>
{
    public void Configure(EntityTypeBuilder<EarnedBadge> e) => e.HasKey(b => new { b.UserId, b.Badge });
}
