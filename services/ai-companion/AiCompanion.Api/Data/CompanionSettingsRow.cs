using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

/// <summary>What a user lets the companion know; no row means the defaults.</summary>
public sealed class CompanionSettingsRow
{
    public Guid UserId { get; set; }
    public bool ShareProfile { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The row's version (xmin): the settings' ETag; "0" while no row holds them (the defaults).</summary>
    public uint Version { get; set; }
}

internal sealed class CompanionSettingsRowConfiguration : IEntityTypeConfiguration<CompanionSettingsRow>
{
    public void Configure(EntityTypeBuilder<CompanionSettingsRow> e)
    {
        e.HasKey(s => s.UserId);
        e.Property(s => s.Version).MapToXmin();
    }
}
