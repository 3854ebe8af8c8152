extern alias PaymentsApi;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Community.Contracts;
using Community.Contracts.Payments;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using PaymentsDbContext = PaymentsApi::Community.Payments.Data.PaymentsDbContext;
using PaymentsProgram = PaymentsApi::Program;

namespace Community.Fleet.Bench;

/// <summary>
/// Outbox throughput: payments (real Kestrel host, its own database and OutboxDispatcher, MassTransit with publisher
/// confirms) publishes PaymentSucceeded rows; a queue of the benchmark's own, bound to the event's exchange, receives
/// them.
/// (1) backlog: N rows committed at once, timed until every row is marked published (confirmed) and received;
/// (2) paced: rows written one transaction each through the service's DbContext at a fixed rate, each timed from its
/// commit to its confirmation (published_at) and to its arrival in the queue.
/// </summary>
public static class OutboxRun
{
    private const int WarmUpBacklog = 5000;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var backlog = args.Int("--backlog", 20_000);
        var rate = args.Int("--rate", 200);
        var seconds = args.Int("--seconds", 20);
        // The service's own defaults unless given, so a run measures what a deployment does.
        var batchSize = args.Int("--batch-size", 0, min: 0);
        var inFlight = args.Int("--in-flight", 0, min: 0);

        Report.ContentRoot("Community.Payments", "services/payments/Payments.Api");
        var report = new Report("outbox");
        await using var resources = await TestInfrastructure.IsolateAsync("outboxbench");
        using var tokens = new TestTokens(TimeProvider.System);
        await using var payments = new ServiceHost<PaymentsProgram>(
            new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                // It says once that it reads no revocation feed: true here, and noise in the report.
                ["Logging:LogLevel:Community.ServiceDefaults.Auth.RevocationFeed"] = "Error",
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
                [$"ConnectionStrings:{ResourceNames.Redis}"] = resources.RedisConnectionString,
                ["RealTime:RedisKeyPrefix"] = resources.RedisKeyPrefix,
                [$"ConnectionStrings:{ResourceNames.DatabaseOf(ResourceNames.Payments)}"] =
                    resources.DatabaseConnectionString,
            },
            services =>
            {
                services.AddSingleton<ISigningKeySource>(tokens);
                services.PostConfigure<MessagingOptions>(o =>
                {
                    o.OutboxBatchSize = batchSize > 0 ? batchSize : o.OutboxBatchSize;
                    o.OutboxBatchesInFlight = inFlight > 0 ? inFlight : o.OutboxBatchesInFlight;
                });
            }
        ).Start();
        await ServiceFixture<PaymentsProgram>.BusReadyAsync(payments);
        var dispatch = payments.Services.GetRequiredService<IOptions<MessagingOptions>>().Value;

        // MassTransit publishes to a fanout exchange named after the message type; a queue of our own bound to it sees
        // every event.
        var received = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var factory = new ConnectionFactory { Uri = new Uri(resources.BrokerUri) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var exchange = $"{typeof(PaymentSucceeded).Namespace}:{nameof(PaymentSucceeded)}";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var at = DateTimeOffset.UtcNow;
            using var envelope = JsonDocument.Parse(delivery.Body);
            received.TryAdd(envelope.RootElement.GetProperty("messageId").GetGuid(), at);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        report.Line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Outbox throughput, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load "
                    + $"average at the start {Report.LoadAverage()}"
            )
        );
        report.Line(
            $"payments' OutboxDispatcher (batches of {dispatch.OutboxBatchSize} claimed FOR UPDATE SKIP LOCKED, "
                + $"{dispatch.OutboxBatchesInFlight} in flight, publisher confirms) "
                + "-> RabbitMQ fanout exchange -> a queue of the benchmark's own"
        );
        report.Line(new string('=', 110));

        // Warm-up: JIT, pools, the exchange's first publish.
        await PacedAsync(payments, resources.DatabaseConnectionString, received, 50, 1, report, warmUp: true);

        // And of the batch path: a small backlog drained untimed, so the JIT's tier-1 compilations of the per-row code
        // (a quarter of the process's CPU in a cold drain) are not counted as the dispatcher's.
        var warmUp = Enumerable.Range(0, WarmUpBacklog).Select(_ => Guid.NewGuid()).ToList();
        await CopyAsync(resources.DatabaseConnectionString, warmUp);
        payments.Services.GetRequiredService<OutboxSignal>().Notify();
        await WaitAsync(resources.DatabaseConnectionString, warmUp, received, TimeSpan.FromSeconds(120));

        // (1) A backlog: every row committed in one transaction, as after an outage of the broker.
        var ids = Enumerable.Range(0, backlog).Select(_ => Guid.NewGuid()).ToList();
        var committed = await CopyAsync(resources.DatabaseConnectionString, ids);
        var cpuBefore = ProcessCpu.Snapshot();
        payments.Services.GetRequiredService<OutboxSignal>().Notify();
        var drained = await WaitAsync(
            resources.DatabaseConnectionString,
            ids,
            received,
            TimeSpan.FromSeconds(Math.Max(120, backlog / 50))
        );
        var cpuAfter = ProcessCpu.Snapshot();
        var published = await PublishedAtAsync(resources.DatabaseConnectionString, ids);
        if (published.Count == 0)
            throw new InvalidOperationException("no outbox row of the backlog was published");
        var lastConfirmed = published.Values.Max();
        var lastReceived = ids.Where(received.ContainsKey)
            .Select(id => received[id])
            .DefaultIfEmpty(DateTimeOffset.MinValue)
            .Max();
        var confirmSeconds = (lastConfirmed - committed).TotalSeconds;
        report.Line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(1) backlog of {backlog:N0} rows committed at once: all confirmed in {confirmSeconds:0.00} s = "
                    + $"{backlog / confirmSeconds:0} events/s; "
                    + $"all received in {(lastReceived - committed).TotalSeconds:0.00} s = "
                    + $"{backlog / (lastReceived - committed).TotalSeconds:0} "
                    + $"events/s{(drained ? "" : "  !! NOT ALL DELIVERED")}"
            )
        );
        report.Line(
            "    "
                + Report.Stats(
                    "commit -> confirmed",
                    published.Values.Select(p => (p - committed).TotalMilliseconds).ToList()
                )
        );
        // Per second of the drain, so a slowdown as the table grows shows.
        var perSecond = published
            .Values.GroupBy(p => (int)(p - committed).TotalSeconds)
            .OrderBy(g => g.Key)
            .Select(g => g.Count())
            .ToList();
        report.Line("    confirmed per second of the drain: " + string.Join(' ', perSecond));
        report.Line("    " + ProcessCpu.PerEvent(cpuBefore, cpuAfter, backlog));

        // Payments consumes its own PaymentSucceeded (three consumers, a durable queue each): their share of the
        // backlog is worked off first, so the paced events are timed on a service doing nothing else.
        await QueuesEmptyAsync(
            channel,
            typeof(PaymentsProgram).Assembly,
            TimeSpan.FromSeconds(Math.Max(120, backlog / 50))
        );

        // (2) Paced: one event per transaction, as requests write them.
        var paced = await PacedAsync(
            payments,
            resources.DatabaseConnectionString,
            received,
            rate,
            seconds,
            report,
            warmUp: false
        );
        report.Line("load average at the end: " + Report.LoadAverage());
        await report.WriteAsync();
        return drained && paced ? 0 : 1;
    }

    /// <summary>
    /// Writes one row per transaction through the service's DbContext (its interceptor wakes the dispatcher), at
    /// <paramref name="rate"/>/s.
    /// </summary>
    private static async Task<bool> PacedAsync(
        ServiceHost<PaymentsProgram> payments,
        string connectionString,
        ConcurrentDictionary<Guid, DateTimeOffset> received,
        int rate,
        int seconds,
        Report report,
        bool warmUp
    )
    {
        var count = rate * seconds;
        var ids = new Guid[count];
        var occurred = new DateTimeOffset[count];
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var writes = new List<Task>(count);
        // Open loop: each write leaves on its schedule; a few writers at once, as concurrent requests would.
        for (var i = 0; i < count; i++)
        {
            // Read once: between two reads the wait can turn negative, which Task.Delay refuses.
            var wait = interval * i - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
            var n = i;
            writes.Add(
                Task.Run(async () =>
                {
                    await using var scope = payments.Services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
                    var message = Event(Guid.NewGuid());
                    db.AddIntegrationEvent(message);
                    await db.SaveChangesAsync();
                    ids[n] = message.MessageId;
                    occurred[n] = message.OccurredAt;
                })
            );
        }
        await Task.WhenAll(writes);
        var offered = clock.Elapsed;
        var all = await WaitAsync(connectionString, ids, received, TimeSpan.FromSeconds(60));
        if (warmUp)
            return all;
        var published = await PublishedAtAsync(connectionString, ids);
        var confirm = ids.Select(
                (id, i) => published.TryGetValue(id, out var at) ? (at - occurred[i]).TotalMilliseconds : double.NaN
            )
            .Where(d => !double.IsNaN(d))
            .ToList();
        var arrive = ids.Select(
                (id, i) => received.TryGetValue(id, out var at) ? (at - occurred[i]).TotalMilliseconds : double.NaN
            )
            .Where(d => !double.IsNaN(d))
            .ToList();
        report.Line(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(2) paced: {count:N0} events at {rate}/s, one transaction each (offered in "
                    + $"{offered.TotalSeconds:0.0} s), {arrive.Count:N0} "
                    + $"received{(all ? "" : "  !! NOT ALL DELIVERED")}"
            )
        );
        report.Line("    " + Report.Stats("written -> confirmed", confirm));
        report.Line("    " + Report.Stats("written -> received", arrive));
        return all;
    }

    private static PaymentSucceeded Event(Guid id) =>
        new(
            id,
            DateTimeOffset.UtcNow,
            Guid.NewGuid(),
            Guid.NewGuid(),
            "event_registration",
            Guid.NewGuid(),
            1500,
            "EUR"
        );

    /// <summary>
    /// Inserts the rows with binary COPY in one transaction (what the service's own writes produce); returns the commit
    /// time.
    /// </summary>
    private static async Task<DateTimeOffset> CopyAsync(string connectionString, IReadOnlyList<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (
            var copy = await connection.BeginBinaryImportAsync(
                "COPY outbox_messages (id, type, payload, occurred_at) FROM STDIN (FORMAT BINARY)"
            )
        )
        {
            foreach (var id in ids)
            {
                var row = OutboxMessage.From(Event(id));
                await copy.StartRowAsync();
                await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(row.Type, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Payload, NpgsqlDbType.Jsonb);
                await copy.WriteAsync(row.OccurredAt, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }
        await transaction.CommitAsync();
        return DateTimeOffset.UtcNow;
    }

    /// <summary>Until the queues of the service's consumers of PaymentSucceeded are empty (or the timeout).</summary>
    private static async Task QueuesEmptyAsync(IChannel channel, Assembly service, TimeSpan timeout)
    {
        var names = new KebabCaseEndpointNameFormatter(ResourceNames.Payments, includeNamespace: false);
        var queues = service
            .GetTypes()
            .Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false })
            .Where(t => typeof(IConsumer<PaymentSucceeded>).IsAssignableFrom(t))
            .Select(t =>
                (string)
                    typeof(IEndpointNameFormatter)
                        .GetMethod(nameof(names.Consumer))!
                        .MakeGenericMethod(t)
                        .Invoke(names, null)!
            )
            .ToList();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var waiting = 0u;
            foreach (var queue in queues)
                waiting += (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            if (waiting == 0)
                return;
            await Task.Delay(200);
        }
    }

    /// <summary>Until every row is published and received (or the timeout); whether they all were.</summary>
    private static async Task<bool> WaitAsync(
        string connectionString,
        IReadOnlyList<Guid> ids,
        ConcurrentDictionary<Guid, DateTimeOffset> received,
        TimeSpan timeout
    )
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            // The count first: checking every id on each poll of a large backlog costs the process measured.
            if (
                received.Count >= ids.Count
                && ids.All(received.ContainsKey)
                && await UnpublishedAsync(connectionString) == 0
            )
                return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static async Task<long> UnpublishedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM outbox_messages WHERE published_at IS NULL",
            connection
        );
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<Guid, DateTimeOffset>> PublishedAtAsync(
        string connectionString,
        IReadOnlyList<Guid> ids
    )
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, published_at FROM outbox_messages WHERE id = ANY(@ids) AND published_at IS NOT NULL",
            connection
        );
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var result = new Dictionary<Guid, DateTimeOffset>(ids.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return result;
    }
}
