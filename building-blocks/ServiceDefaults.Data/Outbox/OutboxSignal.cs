using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the dispatcher as soon as outbox rows are committed, so events do not wait for the poll. Only work that wrote
/// outbox rows wakes it: a commit without any (a consumer's inbox row, the dispatcher's own marks) would cost an
/// empty pass, a transaction and two round trips, each time.
/// </summary>
public sealed class OutboxSignal
{
    private static readonly object Marker = new();

    private readonly SemaphoreSlim _signal = new(0, 1);

    // Contexts whose open work (a transaction, or a SaveChanges in progress) wrote outbox rows. A context is taken out
    // when that work ends; a pooled context left here by a transaction disposed without either end only costs its next
    // commit one empty pass.
    private readonly ConditionalWeakTable<DbContext, object> _wrote = new();

    /// <summary>Wakes the dispatcher now: rows are committed (or written by a statement of their own).</summary>
    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        { /* already signalled */
        }
    }

    /// <summary>
    /// Outbox rows were written through <paramref name="db"/> by SQL of its own (EF's tracked rows are seen by the
    /// interceptor): wakes the dispatcher when the context's transaction commits, or now when there is none.
    /// </summary>
    public void NotifyOnCommit(DbContext db)
    {
        if (db.Database.CurrentTransaction is null)
            Notify();
        else
            _wrote.AddOrUpdate(db, Marker);
    }

    /// <summary>Whether the signal came (and takes it) within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);

    internal void Wrote(DbContext db) => _wrote.AddOrUpdate(db, Marker);

    /// <summary>The context's work ended: the dispatcher is woken if it wrote outbox rows and they were
    /// committed.</summary>
    internal void Ended(DbContext db, bool committed)
    {
        if (_wrote.Remove(db) && committed)
            Notify();
    }
}

/// <summary>Tells <see cref="OutboxSignal"/> when a SaveChanges adds outbox rows and when their transaction
/// ends.</summary>
public sealed class OutboxSaveChangesInterceptor(OutboxSignal signal)
    : SaveChangesInterceptor,
        IDbTransactionInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default
    )
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context, committed: true);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        Saved(eventData.Context, committed: true);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) =>
        Saved(eventData.Context, committed: false);

    public override Task SaveChangesFailedAsync(
        DbContextErrorEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Saved(eventData.Context, committed: false);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        Ended(eventData.Context, committed: true);

    public Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Ended(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData
    ) => Ended(eventData.Context, committed: false);

    public Task TransactionRolledBackAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Ended(eventData.Context, committed: false);
        return Task.CompletedTask;
    }

    public void TransactionFailed(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData) =>
        Ended(eventData.Context, committed: false);

    public Task TransactionFailedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionErrorEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Ended(eventData.Context, committed: false);
        return Task.CompletedTask;
    }

    private void Saving(DbContext? context)
    {
        if (context is not null && AddsOutboxRows(context.ChangeTracker))
            signal.Wrote(context);
    }

    // Without a transaction of the caller's, SaveChanges commits its own (whose end is seen here too); with one, the
    // rows wait for that transaction's commit.
    private void Saved(DbContext? context, bool committed)
    {
        if (context is not null && context.Database.CurrentTransaction is null)
            signal.Ended(context, committed);
    }

    private void Ended(DbContext? context, bool committed)
    {
        if (context is not null)
            signal.Ended(context, committed);
    }

    // Rows are Added from the moment they are queued (AddIntegrationEvent): no detection pass is needed to see them,
    // and SaveChanges runs its own right after this.
    private static bool AddsOutboxRows(ChangeTracker tracker)
    {
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return tracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }
}
