using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using Community.Contracts;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>
/// Events the probe service writes to its outbox, numbered; nothing consumes them but the test's own queue.
/// </summary>
public interface INumberedProbe : IIntegrationEvent
{
    int Number { get; }
}

public sealed record OutboxProbe(Guid MessageId, DateTimeOffset OccurredAt, int Number) : INumberedProbe;

/// <summary>A second type, on an exchange of its own, so a batch mixes publish endpoints.</summary>
public sealed record OtherOutboxProbe(Guid MessageId, DateTimeOffset OccurredAt, int Number) : INumberedProbe;

/// <summary>Runs before each publish of a probe event: a test makes one fail, or stops the broker, there.</summary>
public sealed class PublishHook
{
    public Func<INumberedProbe, Task> Before { get; set; } = _ => Task.CompletedTask;

    /// <summary>Runs once the broker confirmed the publish, before the dispatcher learns it: a late confirm.</summary>
    public Func<INumberedProbe, Task> After { get; set; } = _ => Task.CompletedTask;
    public System.Collections.Concurrent.ConcurrentDictionary<int, int> Calls { get; } = new();
}

/// <summary>
/// The dispatcher's publisher: the bus, after the test's hook (which may throw, as a nack or a lost connection does).
/// </summary>
public class HookedPublisher : DispatchProxy
{
    private IPublishEndpoint _bus = null!;
    private PublishHook _hook = null!;

    public static IPublishEndpoint Create(IPublishEndpoint bus, PublishHook hook)
    {
        var proxy = Create<IPublishEndpoint, HookedPublisher>();
        var hooked = (HookedPublisher)(object)proxy;
        hooked._bus = bus;
        hooked._hook = hook;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method!.Name == nameof(IPublishEndpoint.Publish) && args is [INumberedProbe probe, ..])
            return PublishAfterHookAsync(probe, method, args);
        return Forward(method, args);
    }

    private async Task PublishAfterHookAsync(INumberedProbe probe, MethodInfo method, object?[] args)
    {
        _hook.Calls.AddOrUpdate(probe.Number, 1, (_, n) => n + 1);
        await _hook.Before(probe);
        await (Task)Forward(method, args)!;
        await _hook.After(probe);
    }

    private object? Forward(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_bus, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}

/// <summary>
/// A batch is published with its confirms in flight together; what failed in it is sent again, nothing is lost.
/// </summary>
public sealed class OutboxDispatchTests : IAsyncLifetime
{
    private const int BatchSize = 20;
    private static readonly string[] Exchanges =
    [
        .. new[] { typeof(OutboxProbe), typeof(OtherOutboxProbe) }.Select(t => $"{t.Namespace}:{t.Name}"),
    ];
    private readonly PublishHook _hook = new();
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(OutboxDispatchTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    private async Task<IHost> StartServiceAsync(string service, string brokerUri, string database)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = brokerUri,
            [$"ConnectionStrings:{ResourceNames.DatabaseOf(service)}"] = database,
            ["Messaging:OutboxBatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:OutboxBatchesInFlight"] = "2",
        };
        return await BusHosts.StartAsync(
            settings,
            builder =>
            {
                BusHosts.WireService(builder, service, ephemeral: false);
                builder.Services.AddSingleton(_hook);
                builder.Services.AddScoped(sp => HookedPublisher.Create(sp.GetRequiredService<IBus>(), _hook));
            }
        );
    }

    /// <summary>
    /// A durable queue of the test's own on both events' exchanges: it keeps every delivery, in arrival order.
    /// </summary>
    private static async Task<string> BindQueueAsync(string brokerUri)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = "outbox-probe-" + Guid.NewGuid().ToString("N")[..8];
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var exchange in Exchanges)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(queue, exchange, "");
        }
        return queue;
    }

    /// <summary>
    /// The message ids in the queue, in order, each checked against the envelope's and the event's own.
    /// </summary>
    private static async Task<List<Guid>> DrainAsync(string brokerUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<Guid>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } delivery)
        {
            using var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
            var id = envelope.RootElement.GetProperty("messageId").GetGuid();
            Assert.Equal(id, envelope.RootElement.GetProperty("message").GetProperty("messageId").GetGuid());
            Assert.Equal(id.ToString(), delivery.BasicProperties.MessageId);
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>
    /// Commits <paramref name="count"/> events (every fourth of the other type) in one transaction, so one pass claims
    /// them as one batch.
    /// </summary>
    private static async Task<List<INumberedProbe>> WriteAsync(IHost host, int count)
    {
        var events = Enumerable
            .Range(1, count)
            .Select(n =>
                n % 4 == 0
                    ? (INumberedProbe)new OtherOutboxProbe(Guid.CreateVersion7(), DateTimeOffset.UtcNow, n)
                    : new OutboxProbe(Guid.CreateVersion7(), DateTimeOffset.UtcNow, n)
            )
            .ToList();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
        foreach (var e in events)
            db.AddIntegrationEvent(e);
        await db.SaveChangesAsync();
        return events;
    }

    private static async Task<List<OutboxMessage>> RowsAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope
            .ServiceProvider.GetRequiredService<ProbeDbContext>()
            .Set<OutboxMessage>()
            .AsNoTracking()
            .OrderBy(m => m.Sequence)
            .ToListAsync();
    }

    /// <summary>The transaction that last wrote each row (its xmin), in sequence order.</summary>
    private static async Task<List<long>> WritersAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>().Database;
        await db.OpenConnectionAsync();
        await using var command = db.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT xmin::text::bigint FROM outbox_messages ORDER BY sequence";
        await using var reader = await command.ExecuteReaderAsync();
        var writers = new List<long>();
        while (await reader.ReadAsync())
            writers.Add(reader.GetInt64(0));
        return writers;
    }

    [Fact]
    public void The_poll_interval_is_configurable_and_validated()
    {
        var settings = BusHosts.Settings(_resources, "pollprobe", database: false);
        settings["Messaging:OutboxPollInterval"] = "00:00:30";
        using (var configured = BusHosts.Build(settings, b => b.AddEventBus("pollprobe")))
            Assert.Equal(
                TimeSpan.FromSeconds(30),
                configured.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.OutboxPollInterval
            );

        foreach (var outside in new[] { "00:00:00", "00:00:00.050", "1.00:00:00" })
        {
            settings["Messaging:OutboxPollInterval"] = outside;
            using var refused = BusHosts.Build(settings, b => b.AddEventBus("pollprobe"));
            var error = Assert.Throws<OptionsValidationException>(() =>
                refused.Services.GetRequiredService<IOptions<MessagingOptions>>().Value
            );
            Assert.Contains("OutboxPollInterval", error.Message);
        }
    }

    [Fact]
    public async Task A_failed_publish_leaves_its_row_for_the_next_pass_and_the_rest_of_the_batch_is_marked_once()
    {
        const string service = "outboxbatchprobe";
        var queue = await BindQueueAsync(_resources.BrokerUri);
        // As a nack does, the failure comes back after the publishes behind it have gone out.
        _hook.Before = async probe =>
        {
            if (probe.Number != 5 || _hook.Calls[5] > 1)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            throw new InvalidOperationException("the broker nacked number 5");
        };
        var host = await StartServiceAsync(service, _resources.BrokerUri, _resources.DatabaseConnectionString);
        try
        {
            var events = await WriteAsync(host, BatchSize);
            var fifth = events[4].MessageId;

            await Eventually.TrueAsync(
                async () => (await RowsAsync(host)).All(r => r.PublishedAt is not null),
                "not every row was marked published"
            );
            var rows = (await RowsAsync(host)).ToDictionary(r => r.Id);

            // The failed one was counted and retried; the others went out once, in the first pass, marked together.
            Assert.Equal(1, rows[fifth].Attempts);
            Assert.Contains("nacked number 5", rows[fifth].LastError);
            Assert.Equal(2, _hook.Calls[5]);
            var others = events.Where(e => e.Number != 5).Select(e => rows[e.MessageId]).ToList();
            Assert.All(others, r => Assert.Equal(0, r.Attempts));
            Assert.All(Enumerable.Range(1, BatchSize).Where(n => n != 5), n => Assert.Equal(1, _hook.Calls[n]));
            Assert.Single(others.Select(r => r.PublishedAt).Distinct());
            Assert.True(rows[fifth].PublishedAt > others[0].PublishedAt);

            // Each event arrived once, with its own message id, in sequence (commit) order across both types but for
            // the retried one, which came last.
            var arrived = await DrainAsync(_resources.BrokerUri, queue);
            var inSequence = (await RowsAsync(host)).Select(r => r.Id).Where(id => id != fifth).Append(fifth).ToList();
            Assert.Equal(inSequence, arrived);
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }

    [Fact]
    public async Task The_next_batch_goes_out_while_the_last_ones_confirms_are_awaited_each_row_once_in_order()
    {
        const string service = "outboxpipelineprobe";
        const int count = 4 * BatchSize;
        var queue = await BindQueueAsync(_resources.BrokerUri);
        IHost? host = null;
        // The first batch's last confirm comes back only once the whole second batch is confirmed and marked. Were
        // batches finished one by one, that would never happen: the wait gives up after 20 s and the row fails.
        _hook.After = async probe =>
        {
            if (probe.Number != BatchSize)
                return;
            await Eventually.TrueAsync(
                async () => (await RowsAsync(host!)).Skip(BatchSize).Take(BatchSize).All(r => r.PublishedAt != null),
                "the second batch was not marked while the first awaited a confirm",
                TimeSpan.FromSeconds(20)
            );
        };
        host = await StartServiceAsync(service, _resources.BrokerUri, _resources.DatabaseConnectionString);
        try
        {
            var events = await WriteAsync(host, count);

            await Eventually.TrueAsync(
                async () => (await RowsAsync(host)).All(r => r.PublishedAt is not null),
                "not every row was marked published"
            );
            var rows = await RowsAsync(host);
            Assert.All(rows, r => Assert.Equal(0, r.Attempts));
            Assert.All(Enumerable.Range(1, count), n => Assert.Equal(1, _hook.Calls[n]));
            // Each batch is marked at once, in its own transaction; the first only after its late confirm. (Two
            // batches confirmed by one acknowledgement can be marked in the same microsecond: the transactions tell.)
            var writers = await WritersAsync(host);
            Assert.Equal(4, writers.Distinct().Count());
            Assert.All(writers.Chunk(BatchSize), batch => Assert.Single(batch.Distinct()));
            Assert.True(rows[0].PublishedAt > rows[BatchSize].PublishedAt);

            // Every event arrived once, in sequence (commit) order across batches and types.
            var arrived = await DrainAsync(_resources.BrokerUri, queue);
            Assert.Equal(rows.Select(r => r.Id), arrived);
            Assert.Equal(events.Select(e => e.MessageId).Order(), arrived.Order());
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_broker_outage_in_the_middle_of_a_batch_loses_nothing()
    {
        const string service = "outboxoutageprobe";
        const int count = 3 * BatchSize;
        await using var rabbit = await TestInfrastructure.StartPrivateRabbitMqAsync();
        var brokerUri = await rabbit.CreateVhostAsync("outboxoutage");
        var database = await _resources.AddDatabaseAsync("outage");
        var queue = await BindQueueAsync(brokerUri);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The broker goes down while the second batch is in flight: its first publishes went out, the rest cannot.
        _hook.Before = async probe =>
        {
            if (probe.Number == BatchSize + 8 && _hook.Calls[probe.Number] == 1)
            {
                await rabbit.StopAsync();
                stopped.SetResult();
            }
        };
        var host = await StartServiceAsync(service, brokerUri, database);
        try
        {
            var events = await WriteAsync(host, count);
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(120));

            // While it is down the rows wait in the table, the failures recorded against them.
            await Eventually.TrueAsync(
                async () => (await RowsAsync(host)).Any(r => r.Attempts > 0),
                "no publish failed while the broker was down",
                TimeSpan.FromSeconds(60)
            );
            Assert.Contains(await RowsAsync(host), r => r.PublishedAt is null);
            await rabbit.StartAsync();

            await Eventually.TrueAsync(
                async () => (await RowsAsync(host)).All(r => r.PublishedAt is not null),
                "not every row was marked published after the broker came back",
                TimeSpan.FromSeconds(120)
            );
            var arrived = await DrainAsync(brokerUri, queue);
            // At least once: every event is in the queue under its own id; a publish cut by the outage may be there
            // twice.
            Assert.Equal(events.Select(e => e.MessageId).Order(), arrived.Distinct().Order());
            Assert.Contains(await RowsAsync(host), r => r.Attempts > 0);
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }
}
