using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Data;

/// <summary>
/// The social service's database. Each feature folder configures its own tables with an
/// <see cref="IEntityTypeConfiguration{TEntity}"/>, picked up from this assembly.
/// </summary>
public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(SocialDbContext).Assembly);
        model.UsePlatformConventions();
    }
}
