using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Tests.Messaging;

public sealed class InboxRetentionTests : IAsyncLifetime
{
    private const string Service = "retentionprobe";
    private readonly TestClock _clock = new();
    private IsolatedResources _resources = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _resources = await TestInfrastructure.IsolateAsync(nameof(InboxRetentionTests));
        _host = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, Service),
            b => BusHosts.WireService(b, Service),
            _clock
        );
    }

    public async Task DisposeAsync()
    {
        await BusHosts.StopAsync(_host);
        await _resources.DisposeAsync();
    }

    private Task<DateTime?> ProcessedAtAsync(Guid messageId) =>
        Sql.ScalarAsync<DateTime?>(
            _resources.DatabaseConnectionString,
            "SELECT processed_at FROM inbox_messages WHERE message_id = @id",
            ("id", messageId)
        );

    private async Task HandleAsync(Work work)
    {
        await BusHosts.Publish(_host, work, work.Id);
        await Eventually.TrueAsync(
            async () => await ProcessedAtAsync(work.Id) is not null,
            "the work was never handled"
        );
    }

    [Fact]
    public async Task Inbox_rows_older_than_the_window_are_deleted_by_the_hourly_cleanup_and_newer_ones_kept()
    {
        var old = new Work(Guid.NewGuid());
        await HandleAsync(old);
        // Written with the service's clock, not the database's.
        Assert.True(
            Math.Abs((await ProcessedAtAsync(old.Id) - _clock.GetUtcNow().UtcDateTime)!.Value.TotalMinutes) < 1
        );

        _clock.Advance(TimeSpan.FromDays(13));
        var recent = new Work(Guid.NewGuid());
        await HandleAsync(recent);
        Assert.True(
            Math.Abs((await ProcessedAtAsync(recent.Id) - _clock.GetUtcNow().UtcDateTime)!.Value.TotalMinutes) < 1
        );
        // A cleanup runs on this day too and must keep both (13 days < 14): a row 15 days old, gone, says it ran.
        var witness = Guid.NewGuid();
        await Sql.ExecuteAsync(
            _resources.DatabaseConnectionString,
            "INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES (@id, 'witness', @at)",
            ("id", witness),
            ("at", _clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(15))
        );
        _clock.Advance(TimeSpan.FromHours(2));
        await Eventually.TrueAsync(async () => await ProcessedAtAsync(witness) is null, "no cleanup ran on day 13");
        Assert.NotNull(await ProcessedAtAsync(old.Id));

        _clock.Advance(TimeSpan.FromDays(2));
        await Eventually.TrueAsync(
            async () => await ProcessedAtAsync(old.Id) is null,
            "the 15-day-old inbox row was never deleted"
        );
        Assert.NotNull(await ProcessedAtAsync(recent.Id));
    }

    [Fact]
    public async Task Outbox_rows_published_over_a_week_ago_are_deleted_hourly_through_their_own_index()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        Guid old = Guid.NewGuid(),
            recent = Guid.NewGuid();
        foreach (var (id, age) in new[] { (old, TimeSpan.FromDays(8)), (recent, TimeSpan.FromDays(6)) })
            await Sql.ExecuteAsync(
                _resources.DatabaseConnectionString,
                "INSERT INTO outbox_messages (id, type, payload, occurred_at, published_at) "
                    + "VALUES (@id, 'Probe', '{}', @at, @at)",
                ("id", id),
                ("at", now - age)
            );
        Task<long> RowsAsync(Guid id) =>
            Sql.ScalarAsync<long>(
                _resources.DatabaseConnectionString,
                "SELECT count(*) FROM outbox_messages WHERE id = @id",
                ("id", id)
            );
        _clock.Advance(TimeSpan.FromHours(2));
        await Eventually.TrueAsync(async () => await RowsAsync(old) == 0, "the week-old outbox row was never deleted");
        Assert.Equal(1, await RowsAsync(recent));

        // The cleanup's condition finds its rows by their own index, not by reading the whole week's table (the planner
        // told to avoid a scan of it when it can).
        var plan = await Sql.ScalarAsync<string>(
            _resources.DatabaseConnectionString,
            "SET enable_seqscan = off; EXPLAIN (FORMAT JSON) "
                + "DELETE FROM outbox_messages WHERE published_at < now() - interval '7 days'"
        );
        Assert.Contains("\"Index Name\": \"outbox_messages_published_at\"", plan);
    }

    [Fact]
    public void The_retention_window_is_configurable_and_validated()
    {
        var settings = BusHosts.Settings(_resources, Service, database: false);
        settings["Messaging:InboxRetention"] = "30.00:00:00";
        using (var configured = BusHosts.Build(settings, b => b.AddEventBus(Service)))
            Assert.Equal(
                TimeSpan.FromDays(30),
                configured.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.InboxRetention
            );

        settings["Messaging:InboxRetention"] = "00:10:00";
        using var tooShort = BusHosts.Build(settings, b => b.AddEventBus(Service));
        var error = Assert.Throws<OptionsValidationException>(() =>
            tooShort.Services.GetRequiredService<IOptions<MessagingOptions>>().Value
        );
        Assert.Contains("InboxRetention", error.Message);
    }
}
