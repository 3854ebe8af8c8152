using Community.ServiceDefaults.Data;

namespace Community.Social.Data;

/// <summary>
/// The social service's database: each entity's mapping is in its own file, picked up from this assembly.
/// </summary>
public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    public DbSet<UserProfile> UserProfiles => Set<UserProfile>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<RequestCooldown> RequestCooldowns => Set<RequestCooldown>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupRequest> GroupRequests => Set<GroupRequest>();
    public DbSet<GroupInvitation> GroupInvitations => Set<GroupInvitation>();
    public DbSet<GroupPurchase> GroupPurchases => Set<GroupPurchase>();
    public DbSet<EventAttended> EventsAttended => Set<EventAttended>();
    public DbSet<ActivityDay> ActivityDays => Set<ActivityDay>();
    public DbSet<CompanionCheckInDay> CompanionCheckInDays => Set<CompanionCheckInDay>();
    public DbSet<EarnedBadge> Badges => Set<EarnedBadge>();
    public DbSet<CourseEnrollment> CourseEnrollments => Set<CourseEnrollment>();
    public DbSet<EndedSignup> EndedSignups => Set<EndedSignup>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<InnovatorProfile> InnovatorProfiles => Set<InnovatorProfile>();
    public DbSet<ProfileAnalysisUse> ProfileAnalysisUses => Set<ProfileAnalysisUse>();
    public DbSet<SearchDocument> SearchDocuments => Set<SearchDocument>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(SocialDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
