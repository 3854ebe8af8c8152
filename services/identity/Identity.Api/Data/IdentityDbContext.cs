using Community.ServiceDefaults.Data;

namespace Community.Identity.Data;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<PasswordResetToken> PasswordResetTokens => Set<PasswordResetToken>();
    public DbSet<Referral> Referrals => Set<Referral>();
    public DbSet<ReferralRefund> ReferralRefunds => Set<ReferralRefund>();
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
    public DbSet<ExternalLoginLinkCode> ExternalLoginLinkCodes => Set<ExternalLoginLinkCode>();
    public DbSet<ExternalLoginLinkTicket> ExternalLoginLinkTickets => Set<ExternalLoginLinkTicket>();
    public DbSet<ExternalLoginOptOut> ExternalLoginOptOuts => Set<ExternalLoginOptOut>();
    public DbSet<TwoFactorSecret> TwoFactorSecrets => Set<TwoFactorSecret>();
    public DbSet<TwoFactorRecoveryCode> TwoFactorRecoveryCodes => Set<TwoFactorRecoveryCode>();
    public DbSet<TwoFactorChallenge> TwoFactorChallenges => Set<TwoFactorChallenge>();
    public DbSet<UserBlock> UserBlocks => Set<UserBlock>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(IdentityDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
