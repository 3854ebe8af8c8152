namespace Community.ServiceDefaults.Data;

public static class DbTransactions
{
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
}
