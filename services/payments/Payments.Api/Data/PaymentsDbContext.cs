using Community.ServiceDefaults.Data;

namespace Community.Payments.Data;

/// <summary>
/// The payments service's database: a set per table (the set's name is the table's), each mapped beside its entity.
/// </summary>
public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<SellableItem> SellableItems => Set<SellableItem>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<SandboxSecret> SandboxSecrets => Set<SandboxSecret>();
    public DbSet<CreditTransaction> CreditTransactions => Set<CreditTransaction>();
    public DbSet<CreditEntry> CreditEntries => Set<CreditEntry>();
    public DbSet<CreditDebt> CreditDebts => Set<CreditDebt>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<SubscriptionCancellation> SubscriptionCancellations => Set<SubscriptionCancellation>();
    public DbSet<CustomerDeletion> CustomerDeletions => Set<CustomerDeletion>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Boost> Boosts => Set<Boost>();
    public DbSet<CancelledEvent> CancelledEvents => Set<CancelledEvent>();
    public DbSet<WithdrawnCourse> WithdrawnCourses => Set<WithdrawnCourse>();
    public DbSet<DeletedGroup> DeletedGroups => Set<DeletedGroup>();
    public DbSet<ReferralConversion> ReferralConversions => Set<ReferralConversion>();
    public DbSet<ReferralReward> ReferralRewards => Set<ReferralReward>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(PaymentsDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
