using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

/// <summary>A block as social announced it; Blocked false once lifted.</summary>
public sealed class Block
{
    public Guid BlockerId { get; set; }
    public Guid BlockedId { get; set; }
    public bool Blocked { get; set; }
    public DateTimeOffset AsOf { get; set; }
}

internal sealed class BlockConfiguration : IEntityTypeConfiguration<Block>
{
    public void Configure(EntityTypeBuilder<Block> e)
    {
        e.HasKey(b => new { b.BlockerId, b.BlockedId });
        e.HasIndex(b => b.BlockedId).HasDatabaseName("blocks_blocked").HasFilter("blocked");
    }
}
