using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>
/// The dispatcher is woken when outbox rows are committed, and only then: a commit without any (a consumer's inbox
/// row, the dispatcher's own marks) would cost it an empty pass each time. No dispatcher runs here: the test reads the
/// signal itself.
/// </summary>
public sealed class OutboxSignalTests : IAsyncLifetime
{
    private const string Service = "outboxsignalprobe";
    private IsolatedResources _resources = null!;
    private IHost _host = null!;

    private OutboxSignal Signal => _host.Services.GetRequiredService<OutboxSignal>();

    public async Task InitializeAsync()
    {
        _resources = await TestInfrastructure.IsolateAsync(nameof(OutboxSignalTests));
        _host = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, Service),
            b => b.AddServiceDatabase<ProbeDbContext>(Service)
        );
        await SignalledAsync();
    }

    public async Task DisposeAsync()
    {
        await BusHosts.StopAsync(_host);
        await _resources.DisposeAsync();
    }

    /// <summary>Whether the signal was given since the last look (and takes it).</summary>
    private Task<bool> SignalledAsync() => Signal.WaitAsync(TimeSpan.Zero, CancellationToken.None);

    private static OutboxProbe Probe() => new(Guid.CreateVersion7(), DateTimeOffset.UtcNow, 1);

    private static InboxMessage Inbox() =>
        new()
        {
            MessageId = Guid.NewGuid(),
            Consumer = "probe",
            ProcessedAt = DateTimeOffset.UtcNow,
        };

    private AsyncServiceScope Scope(out ProbeDbContext db)
    {
        var scope = _host.Services.CreateAsyncScope();
        db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
        return scope;
    }

    [Fact]
    public async Task A_save_with_outbox_rows_wakes_the_dispatcher_and_one_without_does_not()
    {
        await using (Scope(out var db))
        {
            db.AddIntegrationEvent(Probe());
            await db.SaveChangesAsync();
        }
        Assert.True(await SignalledAsync());

        await using (Scope(out var db))
        {
            db.Set<InboxMessage>().Add(Inbox());
            await db.SaveChangesAsync();
        }
        Assert.False(await SignalledAsync());
    }

    [Fact]
    public async Task Rows_saved_in_a_transaction_wake_the_dispatcher_at_its_commit_and_not_after_a_rollback()
    {
        await using (Scope(out var db))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.AddIntegrationEvent(Probe());
            await db.SaveChangesAsync();
            Assert.False(await SignalledAsync()); // not committed: the dispatcher would not see them yet
            await transaction.CommitAsync();
        }
        Assert.True(await SignalledAsync());

        await using (Scope(out var db))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.AddIntegrationEvent(Probe());
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        Assert.False(await SignalledAsync());
        Assert.Equal(
            1L,
            await Sql.ScalarAsync<long>(_resources.DatabaseConnectionString, "SELECT count(*) FROM outbox_messages")
        );
    }

    [Fact]
    public async Task A_transaction_without_outbox_rows_does_not_wake_the_dispatcher_on_the_same_pooled_context()
    {
        // The dispatcher's marks and a consumer's inbox row commit like this; the context goes back to the pool after
        // a transaction that did write rows, and must not carry that into the next one.
        await using (Scope(out var db))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.AddIntegrationEvent(Probe());
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        Assert.True(await SignalledAsync());
        for (var i = 0; i < 3; i++)
        {
            await using var _ = Scope(out var db);
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlAsync($"UPDATE outbox_messages SET attempts = attempts + 1");
            db.Set<InboxMessage>().Add(Inbox());
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        Assert.False(await SignalledAsync());
    }

    [Fact]
    public async Task Rows_written_by_sql_of_its_own_wake_the_dispatcher_at_the_commit_or_at_once_without_one()
    {
        await using (Scope(out var db))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await InsertRawAsync(db);
            Signal.NotifyOnCommit(db);
            Assert.False(await SignalledAsync());
            await transaction.CommitAsync();
        }
        Assert.True(await SignalledAsync());

        await using (Scope(out var db))
        {
            await InsertRawAsync(db);
            Signal.NotifyOnCommit(db);
        }
        Assert.True(await SignalledAsync());
    }

    private static Task<int> InsertRawAsync(ProbeDbContext db)
    {
        var row = OutboxMessage.From(Probe());
        return db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO outbox_messages (id, type, payload, occurred_at)
            VALUES ({row.Id}, {row.Type}, {row.Payload}::jsonb, {row.OccurredAt})
            """
        );
    }
}
