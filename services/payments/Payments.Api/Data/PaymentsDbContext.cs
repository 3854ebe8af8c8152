using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Data;

/// <summary>The payments service's database; feature folders add their tables with IEntityTypeConfiguration classes.</summary>
public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<SellableItem> SellableItems => Set<SellableItem>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<SandboxSecret> SandboxSecrets => Set<SandboxSecret>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<SellableItem>(e =>
        {
            e.ToTable("sellable_items");
            e.HasKey(x => x.ReferenceId);
        });
        model.Entity<Payment>(e =>
        {
            e.ToTable("payments");
            e.Ignore(p => p.IsSettled);
            e.Ignore(p => p.RefundableCents);
        });
        model.Entity<Refund>(e =>
        {
            e.ToTable("refunds");
            e.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId);
        });
        model.Entity<WebhookEvent>(e =>
        {
            e.ToTable("webhook_events");
            e.Property(w => w.Payload).HasColumnType("text");
        });
        model.Entity<SandboxSecret>(e =>
        {
            e.ToTable("sandbox_secrets");
            e.Property(s => s.Id).ValueGeneratedNever();
        });
        model.ApplyConfigurationsFromAssembly(typeof(PaymentsDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
