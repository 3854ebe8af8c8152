using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Community.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Publishes outbox rows in commit order (per replica: with several, batches interleave). It reads the table, not
/// memory, so rows left by a crash or an outage go out on its next pass (on start, on every commit signal, on a poll).
/// Rows are claimed with FOR UPDATE SKIP LOCKED and marked published only once the broker confirmed them. A batch
/// (<see cref="MessagingOptions.OutboxBatchSize"/> rows) has all its confirms in flight at once, and while they come
/// back and its rows are marked the next batch is claimed and published
/// (<see cref="MessagingOptions.OutboxBatchesInFlight"/>); a failed row stays for the next pass. A publish that may
/// wait, and so resume after later ones (the first of each message type in a pass, and rows after a failed pass until
/// one succeeds), goes alone.
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
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepPublished = TimeSpan.FromDays(7);
    private const int MaxErrorLength = 2000;

    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(options.Value.OutboxBatchSize, options.Value.OutboxBatchesInFlight, stoppingToken);
                if (clock.GetUtcNow() - lastCleanup > TimeSpan.FromHours(1))
                {
                    // the hour counts from when this cleanup looked (its "now"), not from when it ended
                    var cleanup = clock.GetUtcNow();
                    await CleanUpAsync(cleanup, stoppingToken);
                    lastCleanup = cleanup;
                }
                await signal.WaitAsync(options.Value.OutboxPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(_failures, 8))));
                logger.LogWarning(
                    e,
                    "Outbox dispatch failed ({Failures} in a row); retrying in {Delay}",
                    _failures,
                    delay
                );
                await Task.Delay(delay, clock, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Claims and publishes batches in sequence order until one comes back short, up to <paramref name="inFlight"/>
    /// of them awaiting their confirms and their marks at once; throws the first failure once every batch has ended.
    /// </summary>
    private async Task DrainAsync(int batchSize, int inFlight, CancellationToken cancellationToken)
    {
        var pass = new Pass();
        var pending = new Queue<Task>(inFlight);
        Exception? failure = null;
        try
        {
            while (true)
            {
                // After a failed pass, one at a time until a batch succeeds; then batches overlap again.
                var oneAtATime = _failures > 0;
                var batch = await ClaimAndPublishAsync(batchSize, pass, oneAtATime, cancellationToken);
                if (batch is null)
                    break;
                pending.Enqueue(CompleteAsync(batch, cancellationToken));
                if (batch.Claimed < batchSize || pass.Faulted)
                    break;
                while (pending.Count >= (oneAtATime ? 1 : inFlight))
                {
                    await pending.Dequeue();
                    _failures = 0;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        while (pending.TryDequeue(out var completion))
        {
            try
            {
                await completion;
                if (failure is null)
                    _failures = 0;
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>
    /// Claims up to a batch of rows in a transaction of its own and starts their publishes in sequence order; null
    /// when there is nothing to publish.
    /// </summary>
    private async Task<Batch?> ClaimAndPublishAsync(
        int batchSize,
        Pass pass,
        bool oneAtATime,
        CancellationToken cancellationToken
    )
    {
        var scope = scopes.CreateAsyncScope();
        IDbContextTransaction? transaction = null;
        Batch? batch = null;
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = await ClaimAsync(db, transaction, batchSize, cancellationToken);
            if (rows.Count == 0)
            {
                await transaction.DisposeAsync();
                await scope.DisposeAsync();
                return null;
            }

            batch = new Batch(scope, db, transaction, rows.Count, cancellationToken);
            foreach (var row in rows)
            {
                // Once one has failed (the broker is going away), the rest waits for the next pass, in order.
                if (pass.Faulted)
                    break;
                (object Message, Type Type) message;
                try
                {
                    message = OutboxMessage.Deserialize(row.Type, row.Payload);
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    // Permanent whatever it is (a type gone or renamed, a payload its record can no longer be read
                    // from, such as one given a second constructor): retrying cannot help, and the rows behind it must
                    // not wait, nor the ones before it be sent again by a batch rolled back.
                    logger.LogError(
                        e,
                        "Outbox message {MessageId} of type {Type} cannot be published; parked",
                        row.Id,
                        row.Type
                    );
                    batch.Parked.Add((row.Sequence, e.Message));
                    continue;
                }
                var confirmed = PublishAsync(publisher, row, message, pass, batch.Timeout.Token);
                batch.Sends.Add((row.Sequence, row.Id, confirmed));
                // This one may wait for a channel or its exchange, and publishes that wait can resume in any order: it
                // goes alone.
                if (oneAtATime || pass.Types.Add(message.Type))
                {
                    await confirmed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    batch.Timeout.CancelAfter(PublishTimeout);
                }
            }
            return batch;
        }
        catch
        {
            if (batch is not null)
                await batch.DisposeAsync();
            else
            {
                if (transaction is not null)
                    await transaction.DisposeAsync();
                await scope.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>A claimed row: what publishing it takes.</summary>
    private sealed record ClaimedRow(long Sequence, Guid Id, string Type, string Payload, string? TraceParent);

    /// <summary>
    /// Locks up to <paramref name="batchSize"/> unpublished rows in sequence order, skipping those another replica
    /// holds. Read through the context's connection and transaction without EF's query pipeline: a dispatcher claims
    /// once a commit at low rates, and building the FromSql query each time cost more than the statement.
    /// </summary>
    private static async Task<List<ClaimedRow>> ClaimAsync(
        TContext db,
        IDbContextTransaction transaction,
        int batchSize,
        CancellationToken cancellationToken
    )
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = """
            SELECT sequence, id, type, payload::text, trace_parent FROM outbox_messages
            WHERE published_at IS NULL AND failed_at IS NULL
            ORDER BY sequence LIMIT @batch_size FOR UPDATE SKIP LOCKED
            """;
        var limit = command.CreateParameter();
        limit.ParameterName = "batch_size";
        limit.Value = batchSize;
        command.Parameters.Add(limit);
        var rows = new List<ClaimedRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(
                new ClaimedRow(
                    reader.GetInt64(0),
                    reader.GetGuid(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    await reader.IsDBNullAsync(4, cancellationToken) ? null : reader.GetString(4)
                )
            );
        return rows;
    }

    /// <summary>
    /// Awaits the batch's confirms, marks the confirmed rows published and the failed ones' attempts in one statement
    /// each, and commits, which releases the rows that were not marked.
    /// </summary>
    private async Task CompleteAsync(Batch batch, CancellationToken cancellationToken)
    {
        await using var _ = batch;
        await Task.WhenAll(batch.Sends.Select(s => s.Confirmed)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var published = new List<long>(batch.Sends.Count);
        var failed = new List<(long Sequence, string Error)>();
        (Guid Id, Exception Error)? first = null;
        foreach (var (sequence, id, confirmed) in batch.Sends)
        {
            if (confirmed.IsCompletedSuccessfully)
            {
                published.Add(sequence);
                continue;
            }
            if (confirmed.IsCanceled && cancellationToken.IsCancellationRequested)
                continue; // stopping, not a failure of the row
            var error =
                confirmed.Exception?.InnerException
                ?? new TimeoutException($"The broker did not confirm within {PublishTimeout.TotalSeconds:0} s.");
            failed.Add((sequence, Truncate(error.Message)));
            first ??= (id, error);
        }

        // Written even when stopping or after a failure: a confirmed row marked now is not sent again.
        var db = batch.Db.Database;
        var now = clock.GetUtcNow();
        if (published.Count > 0)
        {
            var sequences = published.ToArray();
            await db.ExecuteSqlAsync(
                $"UPDATE outbox_messages SET published_at = {now} WHERE sequence = ANY({sequences})",
                CancellationToken.None
            );
        }
        if (failed.Count > 0)
        {
            var (sequences, errors) = Columns(failed);
            await db.ExecuteSqlAsync(
                $"""
                UPDATE outbox_messages AS o SET attempts = o.attempts + 1, last_error = f.error
                FROM unnest({sequences}, {errors}) AS f(sequence, error) WHERE o.sequence = f.sequence
                """,
                CancellationToken.None
            );
        }
        if (batch.Parked.Count > 0)
        {
            var (sequences, errors) = Columns(batch.Parked);
            await db.ExecuteSqlAsync(
                $"""
                UPDATE outbox_messages AS o SET failed_at = {now}, last_error = f.error
                FROM unnest({sequences}, {errors}) AS f(sequence, error) WHERE o.sequence = f.sequence
                """,
                CancellationToken.None
            );
        }
        await batch.Transaction.CommitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (first is { } failure)
            throw new OutboxPublishException(failure.Id, failed.Count, failure.Error);
    }

    private static (long[] Sequences, string[] Errors) Columns(List<(long Sequence, string Error)> rows) =>
        ([.. rows.Select(r => r.Sequence)], [.. rows.Select(r => Truncate(r.Error))]);

    private static string Truncate(string error) => Api.SafeText.Cut(error, MaxErrorLength);

    private static async Task PublishAsync(
        IPublishEndpoint publisher,
        ClaimedRow row,
        (object Message, Type Type) outgoing,
        Pass pass,
        CancellationToken timeout
    )
    {
        var (message, type) = outgoing;
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = DiagnosticNames.Activities.StartActivity(
            "outbox publish " + type.Name,
            ActivityKind.Producer,
            parent
        );
        var messageId = row.Id;
        try
        {
            await publisher.Publish(message, type, context => context.MessageId = messageId, timeout);
        }
        catch
        {
            pass.Faulted = true;
            throw;
        }
    }

    /// <summary>Deletes published outbox rows and inbox rows older than their windows (hourly).</summary>
    private async Task CleanUpAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var publishedBefore = now - KeepPublished;
        await db.Set<OutboxMessage>().Where(m => m.PublishedAt < publishedBefore).ExecuteDeleteAsync(cancellationToken);
        var processedBefore = now - options.Value.InboxRetention;
        var forgotten = await db.Set<InboxMessage>()
            .Where(m => m.ProcessedAt < processedBefore)
            .ExecuteDeleteAsync(cancellationToken);
        if (forgotten > 0)
            logger.LogInformation("Deleted {Count} inbox rows processed before {Before}", forgotten, processedBefore);
    }

    /// <summary>One drain of the table: the message types it published, and whether a publish failed.</summary>
    private sealed class Pass
    {
        public HashSet<Type> Types { get; } = [];
        public volatile bool Faulted;
    }

    /// <summary>A claimed batch: its rows stay locked by <see cref="Transaction"/> until it commits.</summary>
    private sealed class Batch(
        AsyncServiceScope scope,
        TContext db,
        IDbContextTransaction transaction,
        int claimed,
        CancellationToken cancellationToken
    ) : IAsyncDisposable
    {
        public TContext Db { get; } = db;
        public IDbContextTransaction Transaction { get; } = transaction;
        public int Claimed { get; } = claimed;
        public List<(long Sequence, Guid Id, Task Confirmed)> Sends { get; } = new(claimed);
        public List<(long Sequence, string Error)> Parked { get; } = [];

        /// <summary>Cancels the batch's publishes that the broker has not confirmed in time.</summary>
        public CancellationTokenSource Timeout { get; } = NewTimeout(cancellationToken);

        private static CancellationTokenSource NewTimeout(CancellationToken cancellationToken)
        {
            var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            return timeout;
        }

        public async ValueTask DisposeAsync()
        {
            Timeout.Dispose();
            await Transaction.DisposeAsync();
            await scope.DisposeAsync();
        }
    }
}

public sealed class OutboxPublishException(Guid messageId, int failed, Exception inner)
    : Exception(
        $"Publishing outbox message {messageId} "
            + $"failed{(failed > 1 ? $" (and {failed - 1} more of its batch)" : "")}: {inner.Message}",
        inner
    );
