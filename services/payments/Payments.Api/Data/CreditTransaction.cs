using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>One movement of credits, written once with its two entries and never changed.</summary>
public sealed class CreditTransaction
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Kind { get; set; } = "";

    /// <summary>Always positive; the entries carry the direction.</summary>
    public long Amount { get; set; }
    public string Reason { get; set; } = "";
    public string? Purpose { get; set; }
    public Guid? ReferenceId { get; set; }
    public string IdempotencyKey { get; set; } = "";
    public Guid? ReversesTransactionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One side of a transaction: credits into (positive) or out of (negative) one account.</summary>
public sealed class CreditEntry
{
    public long Sequence { get; set; }
    public Guid TransactionId { get; set; }
    public string Account { get; set; } = "";

    /// <summary>The user of a user account; null on platform accounts.</summary>
    public Guid? UserId { get; set; }
    public long Amount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class CreditKinds
{
    public const string Grant = "grant";
    public const string Spend = "spend";

    /// <summary>Pays a spend back (the thing bought was not delivered).</summary>
    public const string Reversal = "reversal";

    /// <summary>Takes a grant back (what earned it was refunded), as far as the balance still holds it.</summary>
    public const string Clawback = "clawback";

    public static readonly string[] All = [Grant, Spend, Reversal, Clawback];
}

public static class CreditAccounts
{
    /// <summary>
    /// Where granted credits come from (bought packs, referral rewards), and where a clawback returns them.
    /// </summary>
    public const string Grants = "platform:grants";

    /// <summary>Where spent credits go, and where a reversal takes them back from.</summary>
    public const string Spending = "platform:spending";

    public static string Of(Guid userId) => "user:" + userId;
}

internal sealed class CreditTransactionConfiguration : IEntityTypeConfiguration<CreditTransaction>
{
    public void Configure(EntityTypeBuilder<CreditTransaction> e)
    {
        // The same key again answers this transaction instead of applying a second one.
        e.HasIndex(t => t.IdempotencyKey).IsUnique();
        // A reversal or clawback names what it compensates, at most once.
        e.HasOne<CreditTransaction>().WithMany().HasForeignKey(t => t.ReversesTransactionId);
        e.HasIndex(t => t.ReversesTransactionId).IsUnique();
        e.HasIndex(t => new
            {
                t.UserId,
                t.Purpose,
                t.ReferenceId,
            })
            .HasFilter("kind = 'spend'");
    }
}

internal sealed class CreditEntryConfiguration : IEntityTypeConfiguration<CreditEntry>
{
    public void Configure(EntityTypeBuilder<CreditEntry> e)
    {
        e.HasKey(x => x.Sequence);
        e.Property(x => x.Sequence).UseIdentityAlwaysColumn();
        // Declared so EF inserts the transaction before its entries.
        e.HasOne<CreditTransaction>().WithMany().HasForeignKey(x => x.TransactionId);
        // A user's balance and ledger page are read from this index alone.
        e.HasIndex(x => new { x.UserId, x.Sequence })
            .IsDescending(false, true)
            .IncludeProperties(x => x.Amount)
            .HasFilter("user_id IS NOT NULL");
    }
}
