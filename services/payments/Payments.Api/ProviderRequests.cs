using Community.ServiceDefaults;

namespace Community.Payments;

/// <summary>
/// A request of the provider kept until the provider has done it (a subscription's stop, a deleted account's customer
/// deleted): written in the transaction that decides it, with the message that carries it out after the commit, and
/// asked again by its <see cref="ProviderRequestRecovery{TRequest}"/> while not done.
/// </summary>
public interface IProviderRequest
{
    Guid Id { get; }
    Guid UserId { get; }
    DateTimeOffset RequestedAt { get; }

    /// <summary>How many times the recovery asked the provider without an answer that did it.</summary>
    int Attempts { get; }
    DateTimeOffset NextAttemptAt { get; }
    DateTimeOffset? DoneAt { get; }
}

/// <summary>
/// When the recoveries of <see cref="IProviderRequest"/> ask again, and how long they keep what was done.
/// </summary>
public static class ProviderRequests
{
    /// <summary>Younger requests are most likely still being carried out by their message.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>How long a done request is kept (what was asked, and when), then deleted.</summary>
    public static readonly TimeSpan KeptDoneFor = TimeSpan.FromDays(30);
}

/// <summary>
/// Asks the provider again for every request not done by its next attempt (the message's retries ran out while the
/// provider was away, or the process died before it answered): at once after <see cref="ProviderRequests.StaleAfter"/>,
/// then after 2, 4, 8... minutes, at most an hour apart, each failure a warning (an operator must see a provider that
/// keeps refusing), until it is done. Each attempt is claimed first: instances sweeping at once ask once.
/// </summary>
public abstract class ProviderRequestRecovery<TRequest>(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger)
    : PeriodicSweep(clock, logger)
    where TRequest : class, IProviderRequest
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>Longer than the provider's call may take with its retries.</summary>
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);

    /// <summary>What is asked, for the log: "subscription cancellations".</summary>
    protected abstract string Kind { get; }

    /// <summary>Asks the provider for <paramref name="request"/> and marks it done, or throws.</summary>
    protected abstract Task CarryOutAsync(
        IServiceProvider services,
        TRequest request,
        CancellationToken cancellationToken
    );

    protected abstract void LogDone(TRequest request);

    protected abstract void LogNotDone(Exception exception, TRequest request, int attempts, TimeSpan wait);

    protected override TimeSpan Every { get; } = TimeSpan.FromMinutes(1);

    protected override TimeSpan FirstRoundAfter => Every;

    protected override string FailureMessage => "Resuming {Kind} failed; retrying on the next tick";

    protected override object?[] FailureArguments => [Kind];

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => ResumeDueAsync(stoppingToken);

    /// <summary>Carries out every request due; returns how many are done now.</summary>
    public async Task<int> ResumeDueAsync(CancellationToken cancellationToken)
    {
        List<TRequest> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = Clock.GetUtcNow();
            var requests = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Set<TRequest>();
            var keptSince = now - ProviderRequests.KeptDoneFor;
            await requests.Where(c => c.DoneAt < keptSince).ExecuteDeleteAsync(cancellationToken);
            due = await requests
                .AsNoTracking()
                .Where(c => c.DoneAt == null && c.NextAttemptAt <= now)
                .OrderBy(c => c.NextAttemptAt)
                .Take(100)
                .ToListAsync(cancellationToken);
        }
        var done = 0;
        foreach (var request in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            var requests = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Set<TRequest>();
            // Claimed for the attempt, so another instance's sweep at the same moment leaves it to this one.
            var now = Clock.GetUtcNow();
            var claimed = await requests
                .Where(c => c.Id == request.Id && c.DoneAt == null && c.NextAttemptAt <= now)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.NextAttemptAt, now + ClaimFor), cancellationToken);
            if (claimed == 0)
                continue;
            try
            {
                await CarryOutAsync(scope.ServiceProvider, request, cancellationToken);
                done++;
                LogDone(request);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var attempts = request.Attempts + 1;
                var wait = TimeSpan.FromMinutes(Math.Min(Math.Pow(2, attempts), LongestWait.TotalMinutes));
                await requests
                    .Where(c => c.Id == request.Id && c.DoneAt == null)
                    .ExecuteUpdateAsync(
                        c =>
                            c.SetProperty(x => x.Attempts, attempts)
                                .SetProperty(x => x.NextAttemptAt, Clock.GetUtcNow() + wait),
                        cancellationToken
                    );
                LogNotDone(exception, request, attempts, wait);
            }
        }
        return done;
    }
}
