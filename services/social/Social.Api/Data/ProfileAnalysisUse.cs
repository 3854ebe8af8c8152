using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>How many profile analyses a member asked for on one UTC day (the tier's daily limit).</summary>
public sealed class ProfileAnalysisUse
{
    public Guid UserId { get; set; }
    public DateOnly Day { get; set; }
    public int Count { get; set; }
}

internal sealed class ProfileAnalysisUseConfiguration : IEntityTypeConfiguration<ProfileAnalysisUse>
{
    public void Configure(EntityTypeBuilder<ProfileAnalysisUse> e) => e.HasKey(u => new { u.UserId, u.Day });
}
