using System.Net;
using System.Net.Sockets;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Community.ServiceDefaults.Tests.Data;

public sealed class SchemaMigratorTests
{
    private static readonly MigrationSource Source = new("migrator-test", typeof(SchemaMigratorTests).Assembly);

    [Fact]
    public async Task A_migration_behind_a_long_transaction_lets_the_tables_readers_through_and_applies_when_it_ends()
    {
        await WithAnOldTransactionAsync(
            async (dataSource, old, open) =>
            {
                var migrator = new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
                {
                    LockTimeout = TimeSpan.FromMilliseconds(300),
                    MaxRetryPause = TimeSpan.FromMilliseconds(500),
                };
                var migrating = migrator.StartAsync(CancellationToken.None);

                // The running pods go on reading the table meanwhile: a reader queued behind the waiting ALTER TABLE
                // waits at most its lock timeout, not until the old transaction ends.
                for (var i = 0; i < 8; i++)
                {
                    await using var reader = await dataSource.OpenConnectionAsync();
                    await using (var limit = new NpgsqlCommand("SET statement_timeout = 3000", reader))
                        await limit.ExecuteNonQueryAsync();
                    await using var count = new NpgsqlCommand("SELECT count(*) FROM busy", reader);
                    Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
                    await Task.Delay(150);
                }
                Assert.False(migrating.IsCompleted);

                await open.CommitAsync();
                await migrating.WaitAsync(TimeSpan.FromSeconds(30));
                await using var column = dataSource.CreateCommand(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'note'"
                );
                Assert.Equal(1L, (long)(await column.ExecuteScalarAsync())!);
                await using var recorded = dataSource.CreateCommand(
                    "SELECT count(*) FROM schema_migrations WHERE scope = 'migrator-test'"
                );
                Assert.Equal(1L, (long)(await recorded.ExecuteScalarAsync())!);
            }
        );
    }

    [Fact]
    public async Task A_migration_that_waits_too_long_for_its_locks_fails_the_start_naming_the_old_transaction()
    {
        await WithAnOldTransactionAsync(
            async (dataSource, old, open) =>
            {
                var migrator = new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
                {
                    LockTimeout = TimeSpan.FromMilliseconds(200),
                    MaxRetryPause = TimeSpan.FromMilliseconds(300),
                    MaxLockWait = TimeSpan.FromSeconds(2),
                };
                var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                    migrator.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))
                );
                Assert.Contains("gives up", failure.Message);
                Assert.Contains($"pid {old.ProcessID} ", failure.Message);

                // Nothing was applied, and the advisory lock is free for the next start, which applies the file.
                await open.CommitAsync();
                await using (
                    var recorded = dataSource.CreateCommand(
                        "SELECT count(*) FROM schema_migrations WHERE scope = 'migrator-test'"
                    )
                )
                    Assert.Equal(0L, (long)(await recorded.ExecuteScalarAsync())!);
                await new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
                    .StartAsync(CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(30));
            }
        );
    }

    [Fact]
    public async Task A_migration_whose_session_is_terminated_fails_the_start_with_that_fault_and_frees_the_lock()
    {
        await WithAnOldTransactionAsync(
            async (dataSource, old, open) =>
            {
                var migrator = new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
                {
                    LockTimeout = TimeSpan.FromSeconds(60),
                };
                var migrating = migrator.StartAsync(CancellationToken.None);
                // The file's ALTER TABLE waits behind the old transaction; an operator (or a failover) ends it.
                await Eventually.TrueAsync(
                    async () =>
                    {
                        await using var terminate = dataSource.CreateCommand(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                + "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                + "AND wait_event_type = 'Lock' AND query LIKE '%ALTER TABLE busy%'"
                        );
                        return (long)(await terminate.ExecuteScalarAsync())! == 1;
                    },
                    "the migration never waited for its lock"
                );

                var failure = await Assert.ThrowsAsync<PostgresException>(() =>
                    migrating.WaitAsync(TimeSpan.FromSeconds(30))
                );
                Assert.Equal(PostgresErrorCodes.AdminShutdown, failure.SqlState);
                // The lock went with the session: the next start applies the file once the old transaction ends.
                await open.CommitAsync();
                await new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
                    .StartAsync(CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(30));
            }
        );
    }

    // Another replica holds the migrations' lock (a long file, or its lock retries) for longer than this one's command
    // timeout: this one waits for it, and then finds nothing left to apply or applies the rest.
    [Fact]
    public async Task A_replica_starting_while_another_migrates_waits_beyond_its_command_timeout()
    {
        await WithADatabaseAsync(async connectionString =>
        {
            await using var other = new NpgsqlConnection(connectionString);
            await other.OpenAsync();
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", other))
            {
                take.Parameters.AddWithValue("key", MigrationsLockKey);
                await take.ExecuteNonQueryAsync();
            }
            var impatient = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 };
            await using var dataSource = NpgsqlDataSource.Create(impatient.ConnectionString);

            var migrating = new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance).StartAsync(
                CancellationToken.None
            );
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.False(migrating.IsCompleted, "the start ended while the other replica migrated");
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", other))
            {
                release.Parameters.AddWithValue("key", MigrationsLockKey);
                await release.ExecuteNonQueryAsync();
            }

            await migrating.WaitAsync(TimeSpan.FromSeconds(30));
            await AppliedOnceAsync(dataSource);
        });
    }

    // Started while the database is out of reach (a failover, pods up before it): the start waits and then migrates,
    // rather than failing into a crash loop's back-off.
    [Fact]
    public async Task A_start_while_the_database_is_out_of_reach_waits_for_it()
    {
        await WithADatabaseAsync(async connectionString =>
        {
            var postgres = await TestInfrastructure.PostgresAsync();
            var port = LoopbackPorts.Take();
            var throughClosedPort = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Host = "127.0.0.1",
                Port = port,
            };
            await using var dataSource = NpgsqlDataSource.Create(throughClosedPort.ConnectionString);
            var migrator = new SchemaMigrator(dataSource, [Source], NullLogger<SchemaMigrator>.Instance)
            {
                MaxRetryPause = TimeSpan.FromMilliseconds(500),
            };

            var migrating = migrator.StartAsync(CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(migrating.IsCompleted, "the start ended while the database was out of reach");
            // The database comes within reach: the port now forwards to it.
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            using var forwarding = new CancellationTokenSource();
            var accepting = ForwardAsync(listener, postgres.Host, postgres.Port, forwarding.Token);
            try
            {
                await migrating.WaitAsync(TimeSpan.FromSeconds(30));
                await AppliedOnceAsync(dataSource);
            }
            finally
            {
                // Its pooled connections closed first: the forwarded ones end with them.
                await dataSource.DisposeAsync();
                await forwarding.CancelAsync();
                listener.Stop();
                await accepting;
            }
        });
    }

    // The advisory lock's key SchemaMigrator takes ("Commun").
    private const long MigrationsLockKey = 0x436F6D6D756E;

    private static async Task AppliedOnceAsync(NpgsqlDataSource dataSource)
    {
        await using var recorded = dataSource.CreateCommand(
            "SELECT count(*) FROM schema_migrations WHERE scope = 'migrator-test'"
        );
        Assert.Equal(1L, (long)(await recorded.ExecuteScalarAsync())!);
    }

    private static async Task ForwardAsync(TcpListener listener, string host, int port, CancellationToken stop)
    {
        var pipes = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop);
                var server = new TcpClient();
                await server.ConnectAsync(host, port, stop);
                pipes.Add(PipeAsync(client, server));
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        await Task.WhenAll(pipes);
    }

    private static async Task PipeAsync(TcpClient client, TcpClient server)
    {
        using (client)
        using (server)
        {
            var (a, b) = (client.GetStream(), server.GetStream());
            try
            {
                await Task.WhenAny(a.CopyToAsync(b), b.CopyToAsync(a));
            }
            catch (IOException) { }
        }
    }

    private static async Task WithADatabaseAsync(Func<string, Task> test)
    {
        var postgres = await TestInfrastructure.PostgresAsync();
        var name = $"t_migrator_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var connectionString = await postgres.CreateDatabaseAsync(name);
        try
        {
            await test(connectionString);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DropDatabaseAsync(name);
        }
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a database of its own holding table <c>busy</c>, which an old pod's transaction
    /// (<c>old</c>, still open) has read.
    /// </summary>
    private static async Task WithAnOldTransactionAsync(
        Func<NpgsqlDataSource, NpgsqlConnection, NpgsqlTransaction, Task> test
    )
    {
        var postgres = await TestInfrastructure.PostgresAsync();
        var name = $"t_migrator_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var connectionString = await postgres.CreateDatabaseAsync(name);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (var create = dataSource.CreateCommand("CREATE TABLE busy (id int PRIMARY KEY)"))
                await create.ExecuteNonQueryAsync();
            await using var old = await dataSource.OpenConnectionAsync();
            await using var open = await old.BeginTransactionAsync();
            await using (var read = new NpgsqlCommand("SELECT count(*) FROM busy", old, open))
                await read.ExecuteScalarAsync();
            await test(dataSource, old, open);
        }
        finally
        {
            await postgres.DropDatabaseAsync(name);
        }
    }
}
