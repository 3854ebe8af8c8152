using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A user's TOTP secret (RFC 6238), encrypted with Data Protection; pending until the first code confirms it.
/// </summary>
public sealed class TwoFactorSecret
{
    public Guid UserId { get; set; }

    /// <summary>The secret's bytes, protected (SecretProtection, purpose "two_factor_secrets").</summary>
    public byte[] Secret { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a code confirmed the secret and two-factor sign-in went on; null while pending.</summary>
    public DateTimeOffset? EnabledAt { get; set; }

    /// <summary>The newest 30-second time step whose code was accepted: a code of it or earlier is a replay.</summary>
    public long? LastUsedStep { get; set; }
}

/// <summary>A one-time recovery code of a user with two-factor sign-in on, stored as its SHA-256.</summary>
public sealed class TwoFactorRecoveryCode
{
    public Guid UserId { get; set; }
    public byte[] CodeHash { get; set; } = [];
    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class TwoFactorSecretConfiguration : IEntityTypeConfiguration<TwoFactorSecret>
{
    public void Configure(EntityTypeBuilder<TwoFactorSecret> builder)
    {
        builder.HasKey(s => s.UserId);
        builder.HasOne<User>().WithOne().HasForeignKey<TwoFactorSecret>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TwoFactorRecoveryCodeConfiguration : IEntityTypeConfiguration<TwoFactorRecoveryCode>
{
    public void Configure(EntityTypeBuilder<TwoFactorRecoveryCode> builder)
    {
        builder.HasKey(c => new { c.UserId, c.CodeHash });
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
