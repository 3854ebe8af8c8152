using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A one-time code handed to the client after an outside sign-in; the client posts it to get the token pair.
/// </summary>
public sealed class ExternalLoginCode
{
    public byte[] CodeHash { get; set; } = [];
    public Guid UserId { get; set; }

    /// <summary>Whether the sign-in created the account (201 rather than 200 on exchange).</summary>
    public bool Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class ExternalLoginCodeConfiguration : IEntityTypeConfiguration<ExternalLoginCode>
{
    public void Configure(EntityTypeBuilder<ExternalLoginCode> builder)
    {
        builder.HasKey(c => c.CodeHash);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.ExpiresAt);
    }
}
