using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

public sealed class WaitlistEntry
{
    public long Sequence { get; set; }
    public string Email { get; set; } = "";
    public string? Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Hash of the token that shows this entry's place (null for entries from before tokens).</summary>
    public byte[]? StatusTokenHash { get; set; }
}

internal sealed class WaitlistEntryConfiguration : IEntityTypeConfiguration<WaitlistEntry>
{
    public void Configure(EntityTypeBuilder<WaitlistEntry> builder)
    {
        builder.HasKey(w => w.Sequence);
        builder.Property(w => w.Sequence).UseIdentityAlwaysColumn();
        builder.HasIndex(w => w.Email).IsUnique();
        builder.HasIndex(w => w.StatusTokenHash).IsUnique();
    }
}
