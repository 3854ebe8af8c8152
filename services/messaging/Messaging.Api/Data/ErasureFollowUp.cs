namespace Community.Messaging.Data;

/// <summary>
/// A deleted account's erasure, gone over again from <see cref="DueAt"/> on: a send racing it may have written the
/// account a notification the erasure could not see (not yet committed).
/// </summary>
public sealed class ErasureFollowUp
{
    public Guid UserId { get; set; }
    public DateTimeOffset DueAt { get; set; }
}

internal sealed class ErasureFollowUpConfiguration : IEntityTypeConfiguration<ErasureFollowUp>
{
    public void Configure(EntityTypeBuilder<ErasureFollowUp> e)
    {
        e.HasKey(f => f.UserId);
        e.HasIndex(f => f.DueAt, "erasure_follow_ups_due");
    }
}
