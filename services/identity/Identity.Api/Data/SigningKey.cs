using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

public sealed class SigningKey
{
    public string Kid { get; set; } = "";

    /// <summary>
    /// PKCS#8, encrypted with Data Protection when <see cref="Encrypted"/> (rows from before encryption are plain until
    /// first read).
    /// </summary>
    public byte[] PrivateKey { get; set; } = [];
    public bool Encrypted { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.HasKey(k => k.Kid);
    }
}
