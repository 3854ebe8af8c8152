using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>Who blocked whom. A block ends connections and follows both ways and hides each from the other.</summary>
public sealed class Block
{
    public Guid BlockerId { get; set; }
    public Guid BlockedId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class BlockConfiguration : IEntityTypeConfiguration<Block>
{
    public void Configure(EntityTypeBuilder<Block> e)
    {
        e.HasKey(b => new { b.BlockerId, b.BlockedId });
        e.HasIndex(b => b.BlockedId).HasDatabaseName("blocks_blocked");
    }
}
