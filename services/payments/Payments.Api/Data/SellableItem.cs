using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>Something a selling service put up for sale to one user, at its price.</summary>
public sealed class SellableItem
{
    public Guid ReferenceId { get; set; }
    public string Purpose { get; set; } = "";
    public Guid UserId { get; set; }
    public long AmountCents { get; set; }
    public string? Currency { get; set; }
    public int? PriceCredits { get; set; }
    public Guid? EventId { get; set; }

    /// <summary>The group of a membership awaiting payment.</summary>
    public Guid? GroupId { get; set; }
    public Guid? SellerUserId { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SellableItemConfiguration : IEntityTypeConfiguration<SellableItem>
{
    public void Configure(EntityTypeBuilder<SellableItem> e)
    {
        e.HasKey(i => i.ReferenceId);
        e.HasIndex(i => i.EventId).HasFilter("event_id IS NOT NULL");
        e.HasIndex(i => i.GroupId).HasFilter("group_id IS NOT NULL");
    }
}
