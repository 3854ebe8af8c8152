using System.Collections.Concurrent;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>A real-time message: every instance must see it. <see cref="Fail"/> makes its consumer throw.</summary>
public sealed record Ping(Guid Id, bool Fail = false);

/// <summary>
/// A domain message: one instance handles it. <see cref="Failure"/> is "permanent", "transient" (twice) or empty.
/// </summary>
public sealed record Work(Guid Id, string Failure = "");

/// <summary>The probe service's database: only the platform's outbox and inbox tables.</summary>
public sealed class ProbeDbContext(DbContextOptions<ProbeDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model) => model.UsePlatformConventions();
}

/// <summary>Counts, per bus instance, every delivery of a Ping (attempts included).</summary>
public sealed class PingProbe(BusInstance instance) : IEphemeralConsumer<Ping>
{
    public static readonly ConcurrentDictionary<(string Instance, Guid Ping), int> Deliveries = new();

    public static int Count(BusInstance instance, Guid ping) => Deliveries.GetValueOrDefault((instance.Id, ping));

    public Task Consume(ConsumeContext<Ping> context)
    {
        Deliveries.AddOrUpdate((instance.Id, context.Message.Id), 1, (_, n) => n + 1);
        if (context.Message.Fail)
            throw new TimeoutException("a transient-looking failure, which the ephemeral path still does not retry");
        return Task.CompletedTask;
    }
}

/// <summary>
/// An inbox consumer as services write them; counts attempts and successful handlings per bus instance.
/// </summary>
public sealed class WorkProbe(ProbeDbContext db, BusInstance instance, ILogger<WorkProbe> logger)
    : IdempotentConsumer<Work, ProbeDbContext>(db, logger)
{
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();
    public static readonly ConcurrentDictionary<(string Instance, Guid Work), int> Handled = new();

    /// <summary>Runs of the after-commit step per work, each seen outside any transaction.</summary>
    public static readonly ConcurrentDictionary<Guid, int> AfterCommits = new();

    public static int HandledAnywhere(Guid work) => Handled.Where(h => h.Key.Work == work).Sum(h => h.Value);

    protected override Task HandleAsync(ConsumeContext<Work> context, CancellationToken cancellationToken)
    {
        var attempt = Attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        if (context.Message.Failure == "permanent")
            throw new ConflictException("the same answer on every attempt");
        if (context.Message.Failure == "transient" && attempt <= 2)
            throw new TimeoutException("the database was slow this time");
        Handled.AddOrUpdate((instance.Id, context.Message.Id), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    protected override Task AfterCommitAsync(ConsumeContext<Work> context, CancellationToken cancellationToken)
    {
        if (Db.Database.CurrentTransaction is not null)
            throw new InvalidOperationException("the after-commit step ran inside the transaction");
        AfterCommits.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
