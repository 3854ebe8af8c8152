using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Community.ServiceDefaults.Telemetry;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
/// (<see cref="MessagingOptions.OutboxBatchesInFlight"/>). A publish that may wait, and so resume after later ones (the
/// first of each message type in a pass, and rows after a failed pass until one succeeds), goes alone.
/// <para>
/// A failed row does not hold back the rows behind it: they go on, one at a time, until one is published. Then the
/// failure was the row's own (refused): it is retried after a hold that doubles each time, and parked after
/// <see cref="RefusalsBeforeParking"/> refusals. When the rows behind it fail too, it is the broker: the pass stops,
/// the rows stay in order for the next one, and nothing is counted against them.
/// </para>
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

    // The holds between refusals double from 1 s to 30 min: 16 refusals span about two and a half hours.
    private const int RefusalsBeforeParking = 16;
    private static readonly TimeSpan FirstHold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestHold = TimeSpan.FromMinutes(30);

    // By then the row is published or parked (by this replica or another): its refusals need not be remembered.
    private static readonly TimeSpan ForgetRefusal = TimeSpan.FromDays(1);

    // Rows failing with none published after them before a pass stops; more after each failed pass, so that a run of
    // refused rows is told from an outage in the end, but never more than an outage can cost a pass.
    private const int MostProbes = 16;

    private int _failures;

    // Rows refused while later ones went out, by sequence. Kept in memory (written and read only by the passes, one at
    // a time): after a restart a refused row costs one more refusal and starts its count again.
    private readonly Dictionary<long, Refusal> _refused = [];

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
                await signal.WaitAsync(NextWait(options.Value.OutboxPollInterval), stoppingToken);
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

    /// <summary>The poll, or less when a refused row's hold ends sooner (then it is retried on time).</summary>
    private TimeSpan NextWait(TimeSpan poll)
    {
        if (_refused.Count == 0)
            return poll;
        var now = clock.GetUtcNow();
        foreach (var refusal in _refused.Values)
            if (refusal.RetryAt > now && refusal.RetryAt - now < poll)
                poll = refusal.RetryAt - now;
        return poll;
    }

    /// <summary>
    /// Claims and publishes batches in sequence order until one comes back short, up to <paramref name="inFlight"/>
    /// of them awaiting their confirms and their marks at once; throws the first failure once every batch has ended,
    /// or, when the batches ended well, the first failure that was not a row's own.
    /// </summary>
    private async Task DrainAsync(int batchSize, int inFlight, CancellationToken cancellationToken)
    {
        var pass = new Pass(Math.Min(2 + _failures, MostProbes));
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
                    if (!pass.Faulted)
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
                if (failure is null && !pass.Faulted)
                    _failures = 0;
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        cancellationToken.ThrowIfCancellationRequested();
        if (pass.AnyFailed)
            await SettleAsync(pass);
    }

    /// <summary>
    /// Tells the pass's failures apart: a row that failed while a later one was published was refused, and is held
    /// back or parked; the others (the broker, most likely) are thrown, as the first of them, for the pass to count.
    /// </summary>
    private async Task SettleAsync(Pass pass)
    {
        var now = clock.GetUtcNow();
        var parked = new List<Failure>();
        Failure? outage = null;
        var outages = 0;
        foreach (var failure in pass.Failures.OrderBy(f => f.Row.Sequence))
        {
            var (row, error) = (failure.Row, failure.Error);
            var before = _refused.GetValueOrDefault(row.Sequence);
            if (row.Sequence > pass.LastPublished)
            {
                // Nothing after it went: not evidence against the row. One refused before waits its hold again.
                if (before is null)
                {
                    outage ??= failure;
                    outages++;
                }
                else
                    _refused[row.Sequence] = before with { RetryAt = now + Hold(before.Count) };
                continue;
            }
            var count = (before?.Count ?? 0) + 1;
            var refusal = new Refusal(count, before?.Since ?? now, now + Hold(count));
            _refused[row.Sequence] = refusal;
            if (refusal.Count >= RefusalsBeforeParking)
                parked.Add(failure);
            else
                logger.LogWarning(
                    error,
                    "Outbox message {MessageId} of type {Type} was refused ({Refusals} times) while later ones went "
                        + "out; retrying in {Hold}",
                    row.Id,
                    row.Type,
                    refusal.Count,
                    refusal.RetryAt - now
                );
        }
        if (parked.Count > 0)
        {
            await using (var scope = scopes.CreateAsyncScope())
                await ParkAsync(
                    scope.ServiceProvider.GetRequiredService<TContext>().Database,
                    [.. parked.Select(f => (f.Row.Sequence, f.Error.Message))],
                    now
                );
            foreach (var failure in parked)
            {
                var since = _refused[failure.Row.Sequence].Since;
                _refused.Remove(failure.Row.Sequence);
                logger.LogError(
                    failure.Error,
                    "Outbox message {MessageId} of type {Type} was refused {Refusals} times since {Since} while later "
                        + "ones went out; parked",
                    failure.Row.Id,
                    failure.Row.Type,
                    RefusalsBeforeParking,
                    since
                );
            }
        }
        if (outage is not null)
            throw new OutboxPublishException(outage.Row.Id, outages, outage.Error);
        // Stopped by failures that turned out to be rows' own: the rows it left go now, not at the next poll.
        if (pass.Stopped)
            signal.Notify();
    }

    private static TimeSpan Hold(int refusals) =>
        TimeSpan.FromTicks(Math.Min(LongestHold.Ticks, FirstHold.Ticks << Math.Min(refusals - 1, 30)));

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
            var rows = await ClaimAsync(db, transaction, batchSize, Skipped(pass), cancellationToken);
            if (rows.Count == 0)
            {
                await transaction.DisposeAsync();
                await scope.DisposeAsync();
                return null;
            }

            batch = new Batch(scope, db, transaction, rows.Count, cancellationToken);
            foreach (var row in rows)
            {
                // Once enough have failed with none published after them (the broker is going away), the rest waits for
                // the next pass, in order.
                if (pass.Stopped)
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
                // One after a failure goes alone, to tell the row from the broker; so does one refused before (were it
                // to close its channel, the publishes in flight with it would fail too).
                var refused = _refused.Count > 0 && _refused.ContainsKey(row.Sequence);
                var alone = oneAtATime || refused || pass.Faulted;
                var confirmed = PublishAsync(publisher, row, refused, message, pass, batch.Timeout.Token);
                batch.Sends.Add((row.Sequence, row.Id, confirmed));
                // This one may wait for a channel or its exchange, and publishes that wait can resume in any order: it
                // goes alone.
                if (alone || pass.Types.Add(message.Type))
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

    /// <summary>The rows this pass has failed, and those refused rows whose hold has not ended.</summary>
    private long[] Skipped(Pass pass)
    {
        if (_refused.Count == 0 && !pass.AnyFailed)
            return [];
        var now = clock.GetUtcNow();
        return [.. pass.FailedSequences(), .. _refused.Where(r => r.Value.RetryAt > now).Select(r => r.Key)];
    }

    /// <summary>
    /// Locks up to <paramref name="batchSize"/> unpublished rows in sequence order, leaving out
    /// <paramref name="skipped"/> and skipping those another replica holds. Read through the context's connection and
    /// transaction without EF's query pipeline: a dispatcher claims once a commit at low rates, and building the
    /// FromSql query each time cost more than the statement.
    /// </summary>
    private static async Task<List<ClaimedRow>> ClaimAsync(
        TContext db,
        IDbContextTransaction transaction,
        int batchSize,
        long[] skipped,
        CancellationToken cancellationToken
    )
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = """
            SELECT sequence, id, type, payload::text, trace_parent FROM outbox_messages
            WHERE published_at IS NULL AND failed_at IS NULL AND sequence <> ALL(@skipped)
            ORDER BY sequence LIMIT @batch_size FOR UPDATE SKIP LOCKED
            """;
        var limit = command.CreateParameter();
        limit.ParameterName = "batch_size";
        limit.Value = batchSize;
        command.Parameters.Add(limit);
        var skip = command.CreateParameter();
        skip.ParameterName = "skipped";
        skip.Value = skipped;
        command.Parameters.Add(skip);
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
    /// each, and commits, which releases the rows that were not marked. Its failures are the pass's to settle.
    /// </summary>
    private async Task CompleteAsync(Batch batch, CancellationToken cancellationToken)
    {
        await using var _ = batch;
        await Task.WhenAll(batch.Sends.Select(s => s.Confirmed)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var published = new List<long>(batch.Sends.Count);
        var failed = new List<(long Sequence, string Error)>();
        foreach (var (sequence, _, confirmed) in batch.Sends)
        {
            if (confirmed.IsCompletedSuccessfully)
            {
                published.Add(sequence);
                continue;
            }
            if (confirmed.IsCanceled && cancellationToken.IsCancellationRequested)
                continue; // stopping, not a failure of the row
            failed.Add((sequence, Truncate(Described(confirmed.Exception?.InnerException).Message)));
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
            await ParkAsync(db, batch.Parked, now);
        await batch.Transaction.CommitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Sets the rows aside for an operator, with why, unless they went out meanwhile.</summary>
    private static Task ParkAsync(DatabaseFacade db, List<(long Sequence, string Error)> rows, DateTimeOffset now)
    {
        var (sequences, errors) = Columns(rows);
        return db.ExecuteSqlAsync(
            $"""
            UPDATE outbox_messages AS o SET failed_at = {now}, last_error = f.error
            FROM unnest({sequences}, {errors}) AS f(sequence, error)
            WHERE o.sequence = f.sequence AND o.published_at IS NULL
            """,
            CancellationToken.None
        );
    }

    /// <summary>What a publish failed with: a timeout when its wait was cancelled (or there is no exception).</summary>
    private static Exception Described(Exception? error) =>
        error is null or OperationCanceledException
            ? new TimeoutException($"The broker did not confirm within {PublishTimeout.TotalSeconds:0} s.")
            : error;

    private static (long[] Sequences, string[] Errors) Columns(List<(long Sequence, string Error)> rows) =>
        ([.. rows.Select(r => r.Sequence)], [.. rows.Select(r => Truncate(r.Error))]);

    private static string Truncate(string error) => Api.SafeText.Cut(error, MaxErrorLength);

    private static async Task PublishAsync(
        IPublishEndpoint publisher,
        ClaimedRow row,
        bool refused,
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
        catch (Exception e)
        {
            pass.Failed(row, refused, Described(e));
            throw;
        }
        pass.Published(row.Sequence);
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
        foreach (var (sequence, refusal) in _refused)
            if (refusal.RetryAt < now - ForgetRefusal)
                _refused.Remove(sequence);
    }

    /// <summary>A row's refusals so far (since when), and when it may be tried again.</summary>
    private sealed record Refusal(int Count, DateTimeOffset Since, DateTimeOffset RetryAt);

    private sealed record Failure(ClaimedRow Row, bool Refused, Exception Error);

    /// <summary>
    /// One drain of the table: the message types it published, the last row published, and the failures; it stops
    /// once <paramref name="probes"/> rows not refused before failed with none published after them.
    /// </summary>
    private sealed class Pass(int probes)
    {
        private readonly Lock _gate = new();
        private readonly List<Failure> _failures = [];
        private long _lastPublished = long.MinValue;
        private volatile int _open;
        private volatile bool _stopped;
        private volatile bool _failed;

        public HashSet<Type> Types { get; } = [];

        /// <summary>The pass's failures; read once its publishes have all ended.</summary>
        public IReadOnlyList<Failure> Failures => _failures;

        public bool AnyFailed => _failed;

        /// <summary>The rows failed so far, while publishes may still be failing.</summary>
        public long[] FailedSequences()
        {
            lock (_gate)
                return [.. _failures.Select(f => f.Row.Sequence)];
        }

        public long LastPublished => Interlocked.Read(ref _lastPublished);

        /// <summary>Whether a row failed with none published after it yet: the next one goes alone.</summary>
        public bool Faulted => _open > 0;

        public bool Stopped => _stopped;

        public void Published(long sequence)
        {
            long last;
            while (
                (last = Interlocked.Read(ref _lastPublished)) < sequence
                && Interlocked.CompareExchange(ref _lastPublished, sequence, last) != last
            ) { }
            if (_open > 0)
                lock (_gate)
                    Count();
        }

        public void Failed(ClaimedRow row, bool refused, Exception error)
        {
            lock (_gate)
            {
                _failures.Add(new Failure(row, refused, error));
                _failed = true;
                if (Count() >= probes)
                    _stopped = true;
            }
        }

        // The failures with none published after them, and of those the rows not refused before.
        private int Count()
        {
            var last = LastPublished;
            var (open, suspects) = (0, 0);
            foreach (var failure in _failures)
                if (failure.Row.Sequence > last)
                {
                    open++;
                    if (!failure.Refused)
                        suspects++;
                }
            _open = open;
            return suspects;
        }
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
            + $"failed{(failed > 1 ? $" (and {failed - 1} more of its pass)" : "")}: {inner.Message}",
        inner
    );
