namespace Community.Messaging.Data;

/// <summary>A block (social); blocked false once lifted.</summary>
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
        e.HasIndex(b => b.BlockedId, "blocks_blocked").HasFilter("blocked");
    }
}
