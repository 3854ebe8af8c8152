using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// A paid membership someone was asked to pay for (the checkout's reference), at the price asked then. No foreign key
/// to its group: a payment arriving for a group deleted since must still find its purchase, to be refunded.
/// </summary>
public sealed class GroupPurchase
{
    public Guid Id { get; set; }
    public Guid GroupId { get; set; }
    public Guid UserId { get; set; }
    public long PriceCents { get; set; }
    public string Currency { get; set; } = "";

    /// <summary>
    /// The group's owner when it was opened: payments' seller (null only for groups deleted before migration 0027).
    /// </summary>
    public Guid? SellerId { get; set; }

    /// <summary>The payment that made the buyer a member; null while unpaid.</summary>
    public Guid? PaymentId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
}

internal sealed class GroupPurchaseConfiguration : IEntityTypeConfiguration<GroupPurchase>
{
    public void Configure(EntityTypeBuilder<GroupPurchase> e)
    {
        e.HasKey(p => p.Id);
        // One open purchase per buyer, group, price and owner: joining again answers the same reference.
        e.HasIndex(p => new
            {
                p.GroupId,
                p.UserId,
                p.PriceCents,
                p.Currency,
                p.SellerId,
            })
            .IsUnique()
            .HasFilter("payment_id IS NULL")
            .HasDatabaseName("group_purchases_open");
        e.HasIndex(p => p.UserId).HasDatabaseName("group_purchases_user");
    }
}
