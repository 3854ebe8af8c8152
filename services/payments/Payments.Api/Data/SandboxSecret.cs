using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>The sandbox's webhook signing secret (one row, written by GeneratedSecrets), encrypted at rest.</summary>
public sealed class SandboxSecret
{
    public int Id { get; set; }
    public byte[] Secret { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>False on a row written before secrets were encrypted; it is encrypted on first read.</summary>
    public bool Encrypted { get; set; }
}

internal sealed class SandboxSecretConfiguration : IEntityTypeConfiguration<SandboxSecret>
{
    public void Configure(EntityTypeBuilder<SandboxSecret> e) => e.Property(s => s.Id).ValueGeneratedNever();
}
