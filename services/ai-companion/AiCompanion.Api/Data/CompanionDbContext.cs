using Community.ServiceDefaults.Data;

namespace Community.AiCompanion.Data;

/// <summary>The companion's database: conversations, usage, bought sessions, and the projections they need.</summary>
public sealed class CompanionDbContext(DbContextOptions<CompanionDbContext> options) : DbContext(options)
{
    public DbSet<UserProfile> UserProfiles => Set<UserProfile>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<DailyUsage> CompanionUsage => Set<DailyUsage>();
    public DbSet<CompanionSession> CompanionSessions => Set<CompanionSession>();
    public DbSet<CompanionMessage> CompanionMessages => Set<CompanionMessage>();
    public DbSet<ConversationSequence> ConversationSequences => Set<ConversationSequence>();
    public DbSet<CompanionSettingsRow> CompanionSettings => Set<CompanionSettingsRow>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(CompanionDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
