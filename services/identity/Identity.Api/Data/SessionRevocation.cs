using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A session (or every session of a user before NotBefore) that ended while its access tokens still live.
/// </summary>
public sealed class SessionRevocation
{
    public long Sequence { get; set; }
    public Guid UserId { get; set; }
    public Guid? SessionId { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset TokensExpireBy { get; set; }
}

internal sealed class SessionRevocationConfiguration : IEntityTypeConfiguration<SessionRevocation>
{
    public void Configure(EntityTypeBuilder<SessionRevocation> builder)
    {
        builder.HasKey(r => r.Sequence);
        builder.Property(r => r.Sequence).UseIdentityAlwaysColumn();
        builder.HasIndex(r => r.UserId, "session_revocations_user").HasFilter("not_before IS NOT NULL");
        builder.HasIndex(r => r.TokensExpireBy, "session_revocations_expiry");
    }
}
