using System.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Community.ServiceDefaults.Data;

public static class DbTransactions
{
    /// <summary>
    /// Waits for the transaction-scoped advisory lock named <paramref name="key"/>, held until the caller's
    /// transaction ends: what one object's writers must do one at a time when there is no row to lock (yet). The
    /// name is hashed to 64 bits in one name space per database, so a key starts with what it guards
    /// ("refresh-family:", "attachments:"). Outside a transaction the lock would end with its statement.
    /// </summary>
    public static Task LockKeyAsync(this DatabaseFacade database, string key, CancellationToken cancellationToken) =>
        database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);

    /// <summary>
    /// <see cref="LockKeyAsync"/> in its shared mode: any number of holders at once, each waited for by (and waiting
    /// for) a holder of the key's exclusive lock. For many writers that must not overlap one rare other thing.
    /// </summary>
    public static Task LockKeySharedAsync(
        this DatabaseFacade database,
        string key,
        CancellationToken cancellationToken
    ) =>
        database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared(hashtextextended({key}, 0))", cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> and saves: inside the caller's transaction when there is one (it commits),
    /// otherwise in a transaction of its own, committed here. An exception saves nothing and rolls back what it opened.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(
        this DbContext db,
        Func<CancellationToken, Task<T>> work,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is not null)
        {
            var joined = await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return joined;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await work(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="reads"/> in one REPEATABLE READ snapshot, so what a response puts side by side (a page and
    /// its total, a row and the counts of its parts) is read at one moment: a commit between two of its statements
    /// cannot show. Inside the caller's transaction it runs there, which must itself be REPEATABLE READ or
    /// SERIALIZABLE: a READ COMMITTED transaction takes a new snapshot for each statement, so it is refused
    /// (<see cref="InvalidOperationException"/>) rather than read as if it were one. Reads only: it saves nothing.
    /// </summary>
    public static async Task<T> InSnapshotAsync<T>(
        this DbContext db,
        Func<Task<T>> reads,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is { } current)
        {
            var isolation = current.GetDbTransaction().IsolationLevel;
            if (isolation is not (IsolationLevel.RepeatableRead or IsolationLevel.Serializable))
                throw new InvalidOperationException(
                    $"A snapshot cannot be read inside a {isolation} transaction: each of its statements sees "
                        + "its own moment. Begin the caller's transaction as RepeatableRead, or read outside it."
                );
            return await reads();
        }
        await using var snapshot = await db.Database.BeginTransactionAsync(
            IsolationLevel.RepeatableRead,
            cancellationToken
        );
        var result = await reads();
        await snapshot.CommitAsync(cancellationToken);
        return result;
    }
}
