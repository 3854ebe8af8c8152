using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Community.Testing;

/// <summary>
/// Fails the next commit of a context the test picks: before it is sent (so it rolls back), or once the server has
/// committed, its answer lost as when the connection drops during COMMIT or a failover.
/// </summary>
public sealed class CommitFaults : DbTransactionInterceptor
{
    private readonly Lock _gate = new();
    private Func<DbContext, bool>? _armed;
    private bool _afterCommit;

    /// <summary>The next commit of a context <paramref name="of"/> picks fails, committed or not.</summary>
    public void FailNext(Func<DbContext, bool> of, bool committed)
    {
        lock (_gate)
            (_armed, _afterCommit) = (of, committed);
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction,
        TransactionEventData eventData,
        InterceptionResult result,
        CancellationToken cancellationToken = default
    ) => Take(eventData.Context, committed: false) ? throw Lost() : ValueTask.FromResult(result);

    public override Task TransactionCommittedAsync(
        DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    ) => Take(eventData.Context, committed: true) ? throw Lost() : Task.CompletedTask;

    private bool Take(DbContext? context, bool committed)
    {
        lock (_gate)
        {
            if (_armed is null || _afterCommit != committed || context is null || !_armed(context))
                return false;
            _armed = null;
            return true;
        }
    }

    private static NpgsqlException Lost() =>
        new("Exception while reading from stream (the test's)", new IOException("The connection was reset."));
}
