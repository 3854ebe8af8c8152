namespace Community.Events.Data;

/// <summary>The events service's database; each entity's mapping is in its own file, beside it.</summary>
public sealed class EventsDbContext(DbContextOptions<EventsDbContext> options) : DbContext(options)
{
    public DbSet<CommunityEvent> CommunityEvents => Set<CommunityEvent>();
    public DbSet<Registration> Registrations => Set<Registration>();
    public DbSet<EventPhoto> EventPhotos => Set<EventPhoto>();
    public DbSet<Course> Courses => Set<Course>();
    public DbSet<CourseModule> CourseModules => Set<CourseModule>();
    public DbSet<CourseEnrollment> CourseEnrollments => Set<CourseEnrollment>();
    public DbSet<ModuleProgress> ModuleProgress => Set<ModuleProgress>();
    public DbSet<UserProfile> UserProfiles => Set<UserProfile>();
    public DbSet<UserBlock> UserBlocks => Set<UserBlock>();
    public DbSet<RefusedCoursePayment> RefusedCoursePayments => Set<RefusedCoursePayment>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(EventsDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
