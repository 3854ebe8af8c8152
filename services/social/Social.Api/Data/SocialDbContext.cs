using Community.ServiceDefaults.Data;
using Community.Social.Groups;
using Community.Social.Profiles;
using Community.Social.Reports;
using Community.Social.Users;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Data;

/// <summary>
/// The social service's database. Each feature folder configures its own tables with an
/// <see cref="IEntityTypeConfiguration{TEntity}"/>, picked up from this assembly.
/// </summary>
public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    public DbSet<Profile> Profiles => Set<Profile>();
    public DbSet<Block> Blocks => Set<Block>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupRequest> GroupRequests => Set<GroupRequest>();
    public DbSet<GroupInvitation> GroupInvitations => Set<GroupInvitation>();
    public DbSet<GroupPurchase> GroupPurchases => Set<GroupPurchase>();
    public DbSet<EventAttended> EventsAttended => Set<EventAttended>();
    public DbSet<Report> Reports => Set<Report>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(SocialDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
