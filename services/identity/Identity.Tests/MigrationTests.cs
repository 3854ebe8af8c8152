using Community.Identity.Data;
using Community.ServiceDefaults.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Community.Identity.Tests;

public sealed class MigrationTests
{
    private static readonly MigrationSource[] Sources =
    [
        new("platform", typeof(SchemaMigrator).Assembly),
        new("identity", typeof(IdentityDbContext).Assembly),
    ];

    /// <summary>Runs <paramref name="test"/> against a new empty database, dropped afterwards.</summary>
    private static async Task WithEmptyDatabaseAsync(Func<NpgsqlDataSource, Task> test)
    {
        var postgres = await TestInfrastructure.PostgresAsync();
        var name = $"t_migrations_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var connectionString = await postgres.CreateDatabaseAsync(name);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await test(dataSource);
        }
        finally
        {
            await postgres.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public Task Replicas_starting_together_apply_each_migration_once() =>
        WithEmptyDatabaseAsync(async dataSource =>
        {
            var replicas = Enumerable
                .Range(0, 4)
                .Select(_ => new SchemaMigrator(dataSource, Sources, NullLogger<SchemaMigrator>.Instance));
            await Task.WhenAll(replicas.Select(r => r.StartAsync(CancellationToken.None)));

            var expected = Sources.Sum(s => s.Load().Count());
            await using var count = dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
            Assert.Equal((long)expected, (long)(await count.ExecuteScalarAsync())!);
            await using var tables = dataSource.CreateCommand(
                "SELECT count(*) FROM information_schema.tables "
                    + "WHERE table_name IN ('users', 'outbox_messages', 'inbox_messages')"
            );
            Assert.Equal(3L, (long)(await tables.ExecuteScalarAsync())!);

            // A restart finds nothing to do.
            await new SchemaMigrator(dataSource, Sources, NullLogger<SchemaMigrator>.Instance).StartAsync(
                CancellationToken.None
            );
        });

    [Fact]
    public Task A_migration_edited_after_it_was_applied_stops_the_start() =>
        WithEmptyDatabaseAsync(async dataSource =>
        {
            await new SchemaMigrator(dataSource, Sources, NullLogger<SchemaMigrator>.Instance).StartAsync(
                CancellationToken.None
            );
            await using (
                var tamper = dataSource.CreateCommand(
                    "UPDATE schema_migrations SET checksum = 'edited' WHERE scope = 'identity'"
                )
            )
                await tamper.ExecuteNonQueryAsync();

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                new SchemaMigrator(dataSource, Sources, NullLogger<SchemaMigrator>.Instance).StartAsync(
                    CancellationToken.None
                )
            );
            Assert.Contains("changed after it was applied", error.Message);
        });
}
