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

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<CompanionUser>(e => e.ToTable("users").HasKey(u => u.UserId));
        model.Entity<Block>(e => e.ToTable("blocks").HasKey(b => new { b.BlockerId, b.BlockedId }));
        model.UsePlatformConventions();
    }
}
