using System.Diagnostics;
using Community.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Publishes outbox rows in commit order (per replica: with several, batches interleave). It reads the table, not
/// memory, so rows left by a crash or an outage go out on its next pass (on start, on every commit signal, on a poll).
/// Rows are claimed with FOR UPDATE SKIP LOCKED and marked published only once the broker confirmed them. A batch
/// (<see cref="MessagingOptions.OutboxBatchSize"/> rows) has all its confirms in flight at once; a failed row stays for
/// the next pass. A publish that may wait, and so resume after later ones (the first of a batch and of each message
/// type, and rows after a failed pass until one succeeds), goes alone.
/// </summary>
public sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    TimeProvider clock,
    IOptions<MessagingOptions> options,
    ILogger<OutboxDispatcher<TContext>> logger
) : BackgroundService
    where TContext : DbContext
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepPublished = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.OutboxBatchSize;
        var failures = 0;
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int dispatched;
                do
                {
                    // After a failed pass, one at a time until a pass succeeds; then a backlog drains a batch per round
                    // trip again.
                    dispatched = await DispatchBatchAsync(batchSize, oneAtATime: failures > 0, stoppingToken);
                    failures = 0;
                } while (dispatched == batchSize);
                if (clock.GetUtcNow() - lastCleanup > TimeSpan.FromHours(1))
                {
                    await CleanUpAsync(stoppingToken);
                    lastCleanup = clock.GetUtcNow();
                }
                await signal.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 8))));
                logger.LogWarning(
                    e,
                    "Outbox dispatch failed ({Failures} in a row); retrying in {Delay}",
                    failures,
                    delay
                );
                await Task.Delay(delay, clock, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>Publishes up to one batch; returns how many rows the broker confirmed.</summary>
    private async Task<int> DispatchBatchAsync(int batchSize, bool oneAtATime, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await db.Set<OutboxMessage>()
            .FromSql(
                $"""
                SELECT * FROM outbox_messages WHERE published_at IS NULL AND failed_at IS NULL
                ORDER BY sequence LIMIT {batchSize} FOR UPDATE SKIP LOCKED
                """
            )
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
            return 0;

        // Publishes are started in sequence order and their confirms awaited together: one round trip per batch, not
        // per row.
        var sends = new List<(OutboxMessage Row, Task Confirmed)>(batch.Count);
        var types = new HashSet<Type>();
        foreach (var row in batch)
        {
            // Once one has failed (the broker is going away), the rest of the batch waits for the next pass, in order.
            if (sends.Exists(s => s.Confirmed.IsFaulted || s.Confirmed.IsCanceled))
                break;
            (object Message, Type Type) message;
            try
            {
                message = row.Deserialize();
            }
            catch (Exception e)
                when (e
                        is TypeLoadException
                            or FileNotFoundException
                            or System.Text.Json.JsonException
                            or ArgumentException
                )
            {
                // Permanent: retrying cannot help, and the rows behind it must not wait.
                logger.LogError(
                    e,
                    "Outbox message {MessageId} of type {Type} cannot be published; parked",
                    row.Id,
                    row.Type
                );
                row.FailedAt = clock.GetUtcNow();
                row.LastError = e.Message;
                continue;
            }
            var confirmed = PublishAsync(publisher, row.Id, row.TraceParent, message, cancellationToken);
            sends.Add((row, confirmed));
            // This one may wait for a channel or its exchange, and publishes that wait can resume in any order: it goes
            // alone.
            if (oneAtATime || types.Add(message.Type))
                await confirmed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(sends.Select(s => s.Confirmed)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var published = 0;
        var failed = 0;
        (Guid Id, Exception Error)? first = null;
        var now = clock.GetUtcNow();
        foreach (var (row, confirmed) in sends)
        {
            if (confirmed.IsCompletedSuccessfully)
            {
                row.PublishedAt = now;
                published++;
                continue;
            }
            if (confirmed.IsCanceled && cancellationToken.IsCancellationRequested)
                continue; // stopping, not a failure of the row
            var error =
                confirmed.Exception?.InnerException
                ?? new TimeoutException($"The broker did not confirm within {PublishTimeout.TotalSeconds:0} s.");
            row.Attempts++;
            row.LastError = error.Message.Length > 2000 ? error.Message[..2000] : error.Message;
            failed++;
            first ??= (row.Id, error);
        }
        // Saved even when stopping or after a failure: a confirmed row marked now is not sent again.
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (first is { } failure)
            throw new OutboxPublishException(failure.Id, failed, failure.Error);
        return published;
    }

    private static async Task PublishAsync(
        IPublishEndpoint publisher,
        Guid messageId,
        string? traceParent,
        (object Message, Type Type) outgoing,
        CancellationToken cancellationToken
    )
    {
        var (message, type) = outgoing;
        ActivityContext.TryParse(traceParent, null, out var parent);
        using var activity = DiagnosticNames.Activities.StartActivity(
            "outbox publish " + type.Name,
            ActivityKind.Producer,
            parent
        );

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        await publisher.Publish(message, type, context => context.MessageId = messageId, timeout.Token);
    }

    /// <summary>Deletes published outbox rows and inbox rows older than their windows (hourly).</summary>
    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var now = clock.GetUtcNow();
        var publishedBefore = now - KeepPublished;
        await db.Set<OutboxMessage>().Where(m => m.PublishedAt < publishedBefore).ExecuteDeleteAsync(cancellationToken);
        var processedBefore = now - options.Value.InboxRetention;
        var forgotten = await db.Set<InboxMessage>()
            .Where(m => m.ProcessedAt < processedBefore)
            .ExecuteDeleteAsync(cancellationToken);
        if (forgotten > 0)
            logger.LogInformation("Deleted {Count} inbox rows processed before {Before}", forgotten, processedBefore);
    }
}

public sealed class OutboxPublishException(Guid messageId, int failed, Exception inner)
    : Exception(
        $"Publishing outbox message {messageId} "
            + $"failed{(failed > 1 ? $" (and {failed - 1} more of its batch)" : "")}: {inner.Message}",
        inner
    );
