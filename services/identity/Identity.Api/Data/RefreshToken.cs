using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// When the family's sign-in happened, carried by every rotation. Null on rows written by instances older than
    /// migration 0019: their family's first row's <see cref="CreatedAt"/> is that moment.
    /// </summary>
    public DateTimeOffset? SessionStartedAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>
    /// The client address that rotated it by refreshing with it. Null when a retry replaced it unused (or on rows older
    /// than the column): only a token its holder refreshed with may be sent again as a lost answer's retry.
    /// </summary>
    public string? RotatedFrom { get; set; }

    /// <summary>
    /// The client address of the retry that replaced it unused: sent later from there, it is that client's own older
    /// answer, refused without ending the sign-in. Null unless a retry replaced it.
    /// </summary>
    public string? ReplacedFrom { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        // Declared so EF inserts the user before its tokens; the database cascades deletes.
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.FamilyId, "refresh_tokens_family");
        builder.HasIndex(t => t.UserId, "refresh_tokens_user");
        builder.HasIndex(t => t.ExpiresAt, "refresh_tokens_newest_expires_at").HasFilter("rotated_at IS NULL");
    }
}
