using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>A one-way follow.</summary>
public sealed class Follow
{
    public Guid FollowerId { get; set; }
    public Guid FollowedId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class FollowConfiguration : IEntityTypeConfiguration<Follow>
{
    public void Configure(EntityTypeBuilder<Follow> e)
    {
        e.HasKey(f => new { f.FollowerId, f.FollowedId });
        e.HasIndex(f => new
            {
                f.FollowedId,
                f.CreatedAt,
                f.FollowerId,
            })
            .IsDescending(false, true, true)
            .HasDatabaseName("follows_followed");
        e.HasIndex(f => new
            {
                f.FollowerId,
                f.CreatedAt,
                f.FollowedId,
            })
            .IsDescending(false, true, true)
            .HasDatabaseName("follows_follower");
    }
}
