using Community.ServiceDefaults.Data;

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
    public DbSet<LoginAddress> LoginAddresses => Set<LoginAddress>();
    public DbSet<EmailVerificationToken> EmailVerificationTokens => Set<EmailVerificationToken>();
    public DbSet<SessionRevocation> SessionRevocations => Set<SessionRevocation>();
    public DbSet<PhoneVerificationCode> PhoneVerificationCodes => Set<PhoneVerificationCode>();
    public DbSet<ExternalLoginState> ExternalLoginStates => Set<ExternalLoginState>();
    public DbSet<ExternalLogin> ExternalLogins => Set<ExternalLogin>();
    public DbSet<ExternalLoginCode> ExternalLoginCodes => Set<ExternalLoginCode>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Ignore(u => u.IsVerified);
            e.Property(u => u.Version).MapToXmin();
        });
        // Relationships declared so EF orders inserts (user before its tokens); the database cascades deletes.
        model.Entity<RefreshToken>(e =>
        {
            e.ToTable("refresh_tokens");
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<PasswordResetToken>(e =>
        {
            e.ToTable("password_reset_tokens");
            e.HasKey(t => t.TokenHash);
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<Referral>(e =>
        {
            e.ToTable("referrals");
            e.HasKey(r => r.ReferredUserId);
            e.HasOne<User>().WithOne().HasForeignKey<Referral>(r => r.ReferredUserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<User>().WithMany().HasForeignKey(r => r.ReferrerUserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<WaitlistEntry>(e =>
        {
            e.ToTable("waitlist_entries");
            e.HasKey(w => w.Sequence);
            e.Property(w => w.Sequence).UseIdentityAlwaysColumn();
        });
        model.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => k.Kid);
        });
        model.Entity<LoginFailure>(e =>
        {
            e.ToTable("login_failures");
            e.HasKey(f => f.Key);
        });
        model.Entity<LoginAddress>(e =>
        {
            e.ToTable("login_addresses");
            e.HasKey(a => new { a.UserId, a.Address });
        });
        model.Entity<EmailVerificationToken>(e =>
        {
            e.ToTable("email_verification_tokens");
            e.HasKey(t => t.TokenHash);
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<SessionRevocation>(e =>
        {
            e.ToTable("session_revocations");
            e.HasKey(r => r.Sequence);
            e.Property(r => r.Sequence).UseIdentityAlwaysColumn();
        });
        model.Entity<PhoneVerificationCode>(e =>
        {
            e.ToTable("phone_verification_codes");
            e.HasKey(c => c.UserId);
            e.HasOne<User>()
                .WithOne()
                .HasForeignKey<PhoneVerificationCode>(c => c.UserId)
                .OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ExternalLoginState>(e =>
        {
            e.ToTable("external_login_states");
            e.HasKey(s => s.StateHash);
        });
        model.Entity<ExternalLogin>(e =>
        {
            e.ToTable("external_logins");
            e.HasKey(l => new { l.Provider, l.Subject });
            e.HasOne<User>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ExternalLoginCode>(e =>
        {
            e.ToTable("external_login_codes");
            e.HasKey(c => c.CodeHash);
            e.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.UsePlatformConventions();
    }
}
