using System.Data;
using System.Text.Json;
using Community.ServiceDefaults.Api;

namespace Community.ServiceDefaults.Data;

/// <summary>
/// A list's total that costs at most <c>threshold + 1</c> rows: an exact COUNT over <c>LIMIT threshold + 1</c>,
/// and when that is full, the planner's row estimate for the same filtered query (EXPLAIN, not run), flagged as an
/// estimate; when the planner already expects more than <see cref="SkipCountAbove"/> times the threshold, the estimate
/// without counting. An exact COUNT(*) grows with the matching rows (bench/README.md, "Totals"); this stays near the
/// cost of reading the threshold.
/// </summary>
public static class BoundedTotals
{
    /// <summary>An estimate above this many times the threshold is answered without counting.</summary>
    public const int SkipCountAbove = 2;

    public static async Task<CountedTotal> CountBoundedAsync<T>(
        this IQueryable<T> query,
        int threshold,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        // Planning is cheap; when the planner expects far more rows than the threshold, counting them to the threshold
        // (which may read the table for a filter no index holds) would only confirm the estimate.
        var estimate = await EstimateAsync(query, cancellationToken);
        if (estimate <= (long)threshold * SkipCountAbove)
        {
            var counted = await query.Take(threshold + 1).CountAsync(cancellationToken);
            if (counted <= threshold)
                return new(counted, false);
        }
        return new((int)Math.Clamp(estimate, threshold + 1L, int.MaxValue), true);
    }

    /// <summary>
    /// A page of <paramref name="query"/> and its bounded total (<see cref="CountBoundedAsync{T}"/>) read from one
    /// snapshot (<see cref="DbTransactions.InSnapshotAsync{T}"/>), so a row committed between the two reads cannot make
    /// the total disagree with the page. <paramref name="page"/> reads the page from the query it is given.
    /// </summary>
    public static Task<(CountedTotal Total, List<TRow> Rows)> TotalAndPageAsync<T, TRow>(
        this DbContext db,
        IQueryable<T> query,
        int threshold,
        Func<IQueryable<T>, Task<List<TRow>>> page,
        CancellationToken cancellationToken = default
    ) =>
        db.InSnapshotAsync(
            async () => (await query.CountBoundedAsync(threshold, cancellationToken), await page(query)),
            cancellationToken
        );

    /// <summary>
    /// The planner's row estimate for <paramref name="query"/>: the top node's "Plan Rows" of EXPLAIN (FORMAT JSON) on
    /// the SQL EF sends.
    /// </summary>
    public static async Task<long> EstimateAsync<T>(IQueryable<T> query, CancellationToken cancellationToken = default)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN (FORMAT JSON) " + command.CommandText;
        var connection =
            command.Connection ?? throw new InvalidOperationException("The query's command has no connection.");
        var opened = connection.State != ConnectionState.Open;
        if (opened)
            await connection.OpenAsync(cancellationToken);
        try
        {
            var plan =
                await command.ExecuteScalarAsync(cancellationToken) as string
                ?? throw new InvalidOperationException("EXPLAIN answered no plan.");
            using var json = JsonDocument.Parse(plan);
            var rows = json.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows");
            return (long)Math.Round(rows.GetDouble(), MidpointRounding.AwayFromZero);
        }
        finally
        {
            if (opened)
                await connection.CloseAsync();
        }
    }
}
