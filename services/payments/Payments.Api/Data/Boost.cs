using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>Until when a user's profile ranks first in discovery.</summary>
public sealed class Boost
{
    public Guid UserId { get; set; }
    public DateTimeOffset BoostedUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class BoostConfiguration : IEntityTypeConfiguration<Boost>
{
    public void Configure(EntityTypeBuilder<Boost> e) => e.HasKey(b => b.UserId);
}
