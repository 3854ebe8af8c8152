using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>A UTC day on which a member did something social sees (the dashboard's streak counts these).</summary>
public sealed class ActivityDay
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
}

internal sealed class ActivityDayConfiguration : IEntityTypeConfiguration<ActivityDay>
{
    public void Configure(EntityTypeBuilder<ActivityDay> e) => e.HasKey(d => new { d.UserId, d.Day });
}

/// <summary>A UTC day on which a member talked with the AI companion (counted on the emotional path).</summary>
public sealed class CompanionCheckInDay
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
}

internal sealed class CompanionCheckInDayConfiguration : IEntityTypeConfiguration<CompanionCheckInDay>
{
    public void Configure(EntityTypeBuilder<CompanionCheckInDay> e) => e.HasKey(d => new { d.UserId, d.Day });
}
