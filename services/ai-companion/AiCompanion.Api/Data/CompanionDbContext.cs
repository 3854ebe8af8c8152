using Community.AiCompanion.Conversation;
using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.AiCompanion.Data;

/// <summary>The companion's database: conversations with the companion, usage, bought sessions, the activity feed, and the projections they need.</summary>
public sealed class CompanionDbContext(DbContextOptions<CompanionDbContext> options) : DbContext(options)
{
    public DbSet<CompanionUser> Users => Set<CompanionUser>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Limits.DailyUsage> DailyUsage => Set<Limits.DailyUsage>();
    public DbSet<Sessions.CompanionSession> CompanionSessions => Set<Sessions.CompanionSession>();
    public DbSet<CompanionMessage> Messages => Set<CompanionMessage>();
    public DbSet<CompanionSettingsRow> Settings => Set<CompanionSettingsRow>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<CompanionUser>(e => e.ToTable("users").HasKey(u => u.UserId));
        model.Entity<Block>(e => e.ToTable("blocks").HasKey(b => new { b.BlockerId, b.BlockedId }));
        model.Entity<CompanionMessage>(e =>
        {
            e.ToTable("companion_messages").HasKey(m => m.Id);
            e.Property(m => m.Seq).UseIdentityAlwaysColumn();
        });
        model.Entity<CompanionSettingsRow>(e =>
        {
            e.ToTable("companion_settings").HasKey(s => s.UserId);
            e.Property(s => s.Version).MapToXmin();
        });
        model.UsePlatformConventions();
    }
}
