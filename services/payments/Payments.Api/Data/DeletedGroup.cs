using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>
/// A group deleted: none of its memberships awaiting payment is sold any more, whenever its price is told (a deleted
/// group takes no new member, so each told later is one the deletion ended).
/// </summary>
public sealed class DeletedGroup
{
    public Guid GroupId { get; set; }
    public DateTimeOffset DeletedAt { get; set; }
}

internal sealed class DeletedGroupConfiguration : IEntityTypeConfiguration<DeletedGroup>
{
    public void Configure(EntityTypeBuilder<DeletedGroup> e) => e.HasKey(g => g.GroupId);
}
