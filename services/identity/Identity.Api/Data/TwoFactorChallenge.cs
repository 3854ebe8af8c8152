using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A login whose password was right, waiting for its second factor: single use, short-lived, few attempts.
/// </summary>
public sealed class TwoFactorChallenge
{
    public byte[] ChallengeHash { get; set; } = [];
    public Guid UserId { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class TwoFactorChallengeConfiguration : IEntityTypeConfiguration<TwoFactorChallenge>
{
    public void Configure(EntityTypeBuilder<TwoFactorChallenge> builder)
    {
        builder.HasKey(c => c.ChallengeHash);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.UserId, "two_factor_challenges_user_id");
        builder.HasIndex(c => c.ExpiresAt, "two_factor_challenges_expires_at");
    }
}
