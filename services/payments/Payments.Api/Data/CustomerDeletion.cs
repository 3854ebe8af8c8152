using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>
/// A deleted account's customer at the provider (what the buyer gave its checkout: e-mail, name, saved card), whose
/// deletion there was asked, kept until the provider has done it. Its id is the CustomerDeletionRequested message's.
/// </summary>
public sealed class CustomerDeletion : IProviderRequest
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string ProviderCustomerId { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>How many times the recovery asked the provider without an answer that did it.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
}

internal sealed class CustomerDeletionConfiguration : IEntityTypeConfiguration<CustomerDeletion>
{
    public void Configure(EntityTypeBuilder<CustomerDeletion> e)
    {
        e.HasKey(c => c.Id);
        // One deletion a customer: the erasure and a late checkout's webhook never both ask it.
        e.HasIndex(c => c.ProviderCustomerId, "customer_deletions_customer").IsUnique();
        // The recovery looks for the ones not done whose next attempt is due.
        e.HasIndex(c => c.NextAttemptAt, "customer_deletions_due").HasFilter("done_at IS NULL");
    }
}
