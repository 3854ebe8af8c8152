using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using NpgsqlTypes;

namespace Community.Events.Data;

/// <summary>
/// The events service's database. Each feature folder configures its own tables with an
/// <see cref="IEntityTypeConfiguration{TEntity}"/>, picked up from this assembly.
/// </summary>
public sealed class EventsDbContext(DbContextOptions<EventsDbContext> options) : DbContext(options)
{
    public const string SearchColumn = "Search";

    public DbSet<CommunityEvent> Events => Set<CommunityEvent>();
    public DbSet<Registration> Registrations => Set<Registration>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<CommunityEvent>(e =>
        {
            e.ToTable("community_events");
            e.Ignore(x => x.IsPaid);
            e.Ignore(x => x.SpotsRemaining);
            e.Property(x => x.Version).MapToXmin();
            // Generated in the database; read in queries only (text search), never written.
            e.Property<NpgsqlTsVector>(SearchColumn)
                .HasComputedColumnSql("to_tsvector('simple', title || ' ' || description)", stored: true);
        });
        model.Entity<Registration>(e =>
        {
            e.ToTable("registrations");
            e.Property(r => r.Sequence).UseIdentityAlwaysColumn();
            e.Ignore(r => r.HoldsSeat);
            e.HasOne<CommunityEvent>().WithMany().HasForeignKey(r => r.EventId).OnDelete(DeleteBehavior.Cascade);
        });
        model.ApplyConfigurationsFromAssembly(typeof(EventsDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
