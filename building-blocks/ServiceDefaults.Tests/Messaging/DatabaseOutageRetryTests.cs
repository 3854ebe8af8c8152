using Community.ServiceDefaults.Errors;
using Npgsql;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>
/// A consumer's database away for longer than the other transient faults are retried (about 13 s), as during a
/// PostgreSQL switchover: the connections in use are terminated as a stopping server terminates them (57P01), and new
/// ones are refused until it is back. The message waits in its queue's retries, not in _error, and is handled once.
/// </summary>
public sealed class DatabaseOutageRetryTests(OneInstanceFixture fx) : IClassFixture<OneInstanceFixture>
{
    private static readonly string ErrorQueue = BusHosts.SharedQueue<WorkProbe>(OneInstanceFixture.Service) + "_error";

    [Fact]
    public async Task A_message_delivered_while_the_database_is_away_is_handled_once_it_is_back()
    {
        var warm = new Work(Guid.NewGuid());
        await BusHosts.Publish(fx.Host, warm, warm.Id);
        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.HandledAnywhere(warm.Id) == 1),
            "the consumer never handled a message before the outage"
        );

        var work = new Work(Guid.NewGuid());
        await SetConnectionsAllowedAsync(false);
        try
        {
            await BusHosts.Publish(fx.Host, work, work.Id);
            await Task.Delay(TimeSpan.FromSeconds(20));
            Assert.Equal(0, WorkProbe.HandledAnywhere(work.Id));
            Assert.Equal(0u, await DeadLetteredAsync());
        }
        finally
        {
            await SetConnectionsAllowedAsync(true);
        }

        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.HandledAnywhere(work.Id) == 1),
            "the message was not handled after the database came back",
            TimeSpan.FromSeconds(60)
        );
        Assert.Equal(1, WorkProbe.Attempts[work.Id]);
        Assert.Equal(0u, await DeadLetteredAsync());
        Assert.Equal(
            1L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", work.Id)
            )
        );
    }

    [Fact]
    public void A_server_ending_or_refusing_the_session_and_a_broken_connection_are_unreachable_and_a_busy_one_is_not()
    {
        Assert.True(DatabaseFaults.IsUnreachable(Server(PostgresErrorCodes.AdminShutdown)));
        Assert.True(DatabaseFaults.IsUnreachable(Server(PostgresErrorCodes.CrashShutdown)));
        Assert.True(DatabaseFaults.IsUnreachable(Server(PostgresErrorCodes.CannotConnectNow)));
        Assert.True(DatabaseFaults.IsUnreachable(Server(PostgresErrorCodes.TooManyConnections)));
        // ALTER DATABASE ... ALLOW_CONNECTIONS false, as the outage above
        Assert.True(DatabaseFaults.IsUnreachable(Server(PostgresErrorCodes.ObjectNotInPrerequisiteState)));
        Assert.True(
            DatabaseFaults.IsUnreachable(
                new InvalidOperationException(
                    "wrapped as EF Core wraps it",
                    new NpgsqlException("refused", new System.Net.Sockets.SocketException(111))
                )
            )
        );
        Assert.True(
            DatabaseFaults.IsUnreachable(new NpgsqlException("read failed", new EndOfStreamException("closed")))
        );

        // Busy, not away: the ordinary retries (and a 503 to a request).
        Exception[] busy =
        [
            new NpgsqlException("command timed out", new TimeoutException()),
            new NpgsqlException("The connection pool has been exhausted", new TimeoutException()),
            Server(PostgresErrorCodes.SerializationFailure, "ERROR"),
            Server(PostgresErrorCodes.LockNotAvailable, "ERROR"),
        ];
        Assert.All(busy, e => Assert.False(DatabaseFaults.IsUnreachable(e)));
        Assert.All(busy, e => Assert.True(DatabaseFaults.IsTransient(e)));

        // Neither: a refused password, a broken rule, a timeout elsewhere.
        Exception[] neither =
        [
            Server(PostgresErrorCodes.InvalidPassword),
            Server(PostgresErrorCodes.UniqueViolation, "ERROR"),
            new TimeoutException("the model was slow"),
        ];
        Assert.All(neither, e => Assert.False(DatabaseFaults.IsUnreachable(e)));
        Assert.All(neither, e => Assert.False(DatabaseFaults.IsTransient(e)));
    }

    private static PostgresException Server(string sqlState, string severity = "FATAL") =>
        new("a server error", severity, severity, sqlState);

    /// <summary>The messages in the _error queue, which MassTransit creates with the first one.</summary>
    private async Task<uint> DeadLetteredAsync() =>
        await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, ErrorQueue) == BusHosts.Queue.Missing
            ? 0
            : await BusHosts.QueueMessagesAsync(fx.Resources.BrokerUri, ErrorQueue);

    /// <summary>
    /// Refuses new connections to this class's database and terminates those open, as a primary stopping for a
    /// switchover does; or lets them in again.
    /// </summary>
    private async Task SetConnectionsAllowedAsync(bool allowed)
    {
        var database = new NpgsqlConnectionStringBuilder(fx.Resources.DatabaseConnectionString).Database!;
        await using var admin = new NpgsqlConnection(fx.Resources.Postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using (
            var alter = new NpgsqlCommand(
                $"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(allowed ? "true" : "false")}",
                admin
            )
        )
            await alter.ExecuteNonQueryAsync();
        if (allowed)
            return;
        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database",
            admin
        );
        terminate.Parameters.AddWithValue("database", database);
        await terminate.ExecuteScalarAsync();
    }
}
