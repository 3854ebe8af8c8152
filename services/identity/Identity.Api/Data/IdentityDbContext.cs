using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Identity.Data;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<PasswordResetToken> PasswordResetTokens => Set<PasswordResetToken>();
    public DbSet<Referral> Referrals => Set<Referral>();
    public DbSet<WaitlistEntry> WaitlistEntries => Set<WaitlistEntry>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>().ToTable("users");
        model.Entity<RefreshToken>().ToTable("refresh_tokens");
        model.Entity<PasswordResetToken>(e => { e.ToTable("password_reset_tokens"); e.HasKey(t => t.TokenHash); });
        model.Entity<Referral>(e => { e.ToTable("referrals"); e.HasKey(r => r.ReferredUserId); });
        model.Entity<WaitlistEntry>(e =>
        {
            e.ToTable("waitlist_entries");
            e.HasKey(w => w.Sequence);
            e.Property(w => w.Sequence).UseIdentityAlwaysColumn();
        });
        model.Entity<SigningKey>(e => { e.ToTable("signing_keys"); e.HasKey(k => k.Kid); });
        model.Entity<LoginFailure>(e => { e.ToTable("login_failures"); e.HasKey(f => f.Key); });
        model.UsePlatformConventions();
    }
}
