using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the dispatcher as soon as a transaction with outbox rows commits, so events do not wait for the poll.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

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

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}

public sealed class OutboxSaveChangesInterceptor(OutboxSignal signal)
    : SaveChangesInterceptor,
        IDbTransactionInterceptor
{
    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
            signal.Notify();
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        signal.Notify();

    public Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        signal.Notify();
        return Task.CompletedTask;
    }
}
