using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>
/// What a clawback could not take because the grant's credits were already spent: credits that later come back to
/// the user by a spend's reversal settle it first, oldest debt first. One row per clawed-back grant that fell short.
/// </summary>
public sealed class CreditDebt
{
    public Guid GrantId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>What is still to take; 0 once settled.</summary>
    public long Owed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class CreditDebtConfiguration : IEntityTypeConfiguration<CreditDebt>
{
    public void Configure(EntityTypeBuilder<CreditDebt> e)
    {
        e.HasKey(d => d.GrantId);
        // Declared so EF inserts the grant before its debt (it always exists by then).
        e.HasOne<CreditTransaction>().WithMany().HasForeignKey(d => d.GrantId);
        e.HasIndex(d => new { d.UserId, d.CreatedAt }, "credit_debts_owing").HasFilter("owed > 0");
    }
}
