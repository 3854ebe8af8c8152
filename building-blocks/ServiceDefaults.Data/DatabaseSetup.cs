using Community.Contracts;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Data;

public static class DatabaseSetup
{
    /// <summary>
    /// The service's own PostgreSQL database: the EF Core context, the Npgsql data source, the
    /// schema migrations of ServiceDefaults (outbox, inbox) and of the service, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(
        this IHostApplicationBuilder builder,
        string service
    )
        where TContext : DbContext
    {
        var name = ResourceNames.DatabaseOf(service);
        var connectionString =
            builder.Configuration.GetConnectionString(name)
            ?? throw new InvalidOperationException($"ConnectionStrings:{name} is not configured.");

        var dataSource = new NpgsqlDataSourceBuilder(WithConnectionDefaults(connectionString)) { Name = service }
            .EnableDynamicJson()
            .Build();
        builder.Services.AddSingleton(dataSource);
        // Also registered by the bus's UseOutbox, so the two calls may come in either order.
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.TryAddSingleton<OutboxSaveChangesInterceptor>();
        // Pooled contexts: the options, the model lookup and the context's internal services are built once, not per
        // request (they were a third of a simple read's CPU in the ticket-drop profile). Every context has only an
        // options constructor and EF Core resets a context's state before it is rented again.
        builder.Services.AddDbContextPool<TContext>(
            (sp, options) =>
                options
                    .UseNpgsql(dataSource)
                    .UseSnakeCaseNamingConvention()
                    .AddInterceptors(sp.GetRequiredService<OutboxSaveChangesInterceptor>())
        );

        builder.Services.AddSingleton(new MigrationSource("platform", typeof(DatabaseSetup).Assembly));
        builder.Services.AddSingleton(new MigrationSource(service, typeof(TContext).Assembly));
        // Ahead of every hosted service (the bus and its dispatcher too, whichever was added first), so the schema
        // exists before they run.
        var firstHosted = builder.Services.TakeWhile(d => d.ServiceType != typeof(IHostedService)).Count();
        builder.Services.Insert(firstHosted, ServiceDescriptor.Singleton<IHostedService, SchemaMigrator>());

        builder.Services.AddSingleton<IdempotentRequestStore>();
        builder.Services.AddSingleton<IIdempotentRequestStore>(sp => sp.GetRequiredService<IdempotentRequestStore>());
        builder.Services.AddHostedService<IdempotentRequestSweeper>();

        // The secrets a service keeps in this database are encrypted with keys kept outside it.
        builder.AddSecretProtection(service);
        builder
            .Services.AddHealthChecks()
            .Add(
                new HealthCheckRegistration(
                    "database",
                    sp => new DatabaseHealthCheck(sp.GetRequiredService<NpgsqlDataSource>()),
                    HealthStatus.Unhealthy,
                    ["ready"],
                    TimeSpan.FromSeconds(5)
                )
            );
        return builder;
    }

    /// <summary>
    /// Connections per instance unless the connection string sets <c>Maximum Pool Size</c> (Npgsql's own default is
    /// 100).
    /// </summary>
    public const int DefaultPoolSize = 20;

    /// <summary>
    /// What every service's connection string gets unless it sets the same itself: statements prepared on the server,
    /// no reset of a connection going back to the pool, and a pool sized for a database host rather than Npgsql's 100.
    /// </summary>
    public static string WithConnectionDefaults(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        var named = Named(connectionString);
        // Statements a connection runs again and again are prepared on the server after a few runs (Npgsql's automatic
        // preparation), so PostgreSQL parses and plans them once per connection instead of on every request. 0 turns it
        // off, e.g. behind a transaction-mode pooler.
        if (!named.Contains("Max Auto Prepare"))
            settings.MaxAutoPrepare = 64;
        // EF Core returns the connection after every query, and each return made the next use send Npgsql's reset; no
        // service leaves session state on a connection (SET LOCAL, transaction-level advisory locks), so nothing needs
        // resetting. A connection string may still ask.
        if (!named.Contains("No Reset On Close"))
            settings.NoResetOnClose = true;
        // Backends beyond the database host's cores only take turns (bench/README.md, "A pool sized for the database
        // host"); no code path holds a connection while waiting for a second, so a small pool queues and never
        // deadlocks. Production sets each service's size (deploy/k8s).
        if (!named.Contains("Maximum Pool Size"))
            settings.MaxPoolSize = Math.Max(DefaultPoolSize, settings.MinPoolSize);
        return settings.ConnectionString;
    }

    // The settings the string itself names (not Npgsql's defaults), under Npgsql's canonical keywords whichever synonym
    // the string used, and never a match inside a value such as a password.
    private static HashSet<string> Named(string connectionString)
    {
        var canonical = new System.Data.Common.DbConnectionStringBuilder
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(connectionString).ConnectionString,
        };
        return canonical.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Maps the outbox and inbox tables and the indexes their migrations build (every column is named in snake_case by
    /// UseSnakeCaseNamingConvention).
    /// </summary>
    public static ModelBuilder UsePlatformConventions(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Sequence);
            e.Property(m => m.Sequence).UseIdentityAlwaysColumn();
            e.Property(m => m.Payload).HasColumnType("jsonb");
            e.HasIndex(m => m.Id).IsUnique();
            e.HasIndex(m => m.Sequence)
                .HasDatabaseName("outbox_messages_unpublished")
                .HasFilter("published_at IS NULL AND failed_at IS NULL");
            e.HasIndex(m => m.PublishedAt)
                .HasDatabaseName("outbox_messages_published_at")
                .HasFilter("published_at IS NOT NULL");
        });
        model.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.HasIndex(m => m.ProcessedAt).HasDatabaseName("inbox_messages_processed_at");
        });
        return model;
    }

    private sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(
            HealthCheckContext context,
            CancellationToken cancellationToken = default
        )
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.", e);
            }
        }
    }
}
