using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

/// <summary>Messages a user sent on one UTC day; written only by the daily limits' reservations.</summary>
public sealed class DailyUsage
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
    public long Messages { get; set; }
}

internal sealed class DailyUsageConfiguration : IEntityTypeConfiguration<DailyUsage>
{
    public void Configure(EntityTypeBuilder<DailyUsage> e) => e.HasKey(u => new { u.UserId, u.Day });
}
