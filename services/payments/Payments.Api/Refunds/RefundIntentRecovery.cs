using Community.ServiceDefaults;

namespace Community.Payments.Refunds;

/// <summary>
/// Finishes the refunds left requested: the process died between recording the intent and
/// recording the provider's answer, or the provider did not answer and nobody retried. Each is
/// asked again under its own idempotency key, so whatever the provider did the first time is
/// what gets recorded (once the key may be forgotten, after <see cref="Refunder.ProviderKeyKeptFor"/>, it is looked
/// for at the provider first, so an outage longer than a day refunds nothing twice); a refused one is recorded as
/// failed (its amount is refundable again, and PaymentRefundFailed tells someone). One the provider cannot make yet (a
/// subscription's payment whose intent its first invoice.paid has not brought) stays requested and is asked again on
/// every tick until it can be made, or is recorded failed after <see cref="Refunder.AwaitedIntentAtMost"/>.
/// </summary>
public sealed class RefundIntentRecovery(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<RefundIntentRecovery> logger
) : PeriodicSweep(clock, logger)
{
    /// <summary>
    /// Younger intents are most likely still being asked about by the request or message that wrote them.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    protected override TimeSpan Every { get; } = TimeSpan.FromMinutes(1);

    protected override TimeSpan FirstRoundAfter => Every;

    protected override string FailureMessage => "Resuming requested refunds failed; retrying on the next tick";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => ResumeStaleAsync(stoppingToken);

    /// <summary>
    /// Asks the provider again about every refund requested more than <see cref="StaleAfter"/> ago, the oldest first
    /// and a page at a time, so that refunds still waiting for what the provider refunds by never keep newer ones from
    /// being asked; returns how many are no longer requested (answered, or gone meanwhile).
    /// </summary>
    public async Task<int> ResumeStaleAsync(CancellationToken cancellationToken)
    {
        var before = Clock.GetUtcNow() - StaleAfter;
        var finished = 0;
        (DateTimeOffset At, Guid Id)? after = null;
        while (true)
        {
            var page = await StalePageAsync(before, after, cancellationToken);
            foreach (var refundId in page.Select(r => r.Id))
                await ResumeAsync(refundId, cancellationToken);
            await using (var check = scopes.CreateAsyncScope())
            {
                var ids = page.Select(r => r.Id).ToList();
                var left = await check
                    .ServiceProvider.GetRequiredService<PaymentsDbContext>()
                    .Refunds.CountAsync(
                        r => ids.Contains(r.Id) && r.Status == RefundStatus.Requested,
                        cancellationToken
                    );
                finished += page.Count - left;
            }
            if (page.Count < PageSize)
                return finished;
            after = (page[^1].CreatedAt, page[^1].Id);
        }
    }

    private const int PageSize = 100;

    private async Task<List<(Guid Id, DateTimeOffset CreatedAt)>> StalePageAsync(
        DateTimeOffset before,
        (DateTimeOffset At, Guid Id)? after,
        CancellationToken cancellationToken
    )
    {
        await using var scope = scopes.CreateAsyncScope();
        var requested = scope
            .ServiceProvider.GetRequiredService<PaymentsDbContext>()
            .Refunds.AsNoTracking()
            .Where(r => r.Status == RefundStatus.Requested && r.CreatedAt <= before);
        if (after is var (at, id))
            requested = requested.Where(r => r.CreatedAt > at || (r.CreatedAt == at && r.Id.CompareTo(id) > 0));
        var page = await requested
            .OrderBy(r => r.CreatedAt)
            .ThenBy(r => r.Id)
            .Select(r => new { r.Id, r.CreatedAt })
            .Take(PageSize)
            .ToListAsync(cancellationToken);
        return page.Select(r => (r.Id, r.CreatedAt)).ToList();
    }

    private async Task ResumeAsync(Guid refundId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var refund = await scope
                .ServiceProvider.GetRequiredService<Refunder>()
                .ResumeAsync(refundId, cancellationToken);
            logger.LogInformation(
                "Requested refund {RefundId} resumed: {Status}",
                refundId,
                refund?.Status ?? "gone meanwhile"
            );
        }
        catch (ConflictException exception) when (exception.RetryAfter is not null)
        {
            // Waiting for what the provider refunds by (a subscription's first invoice.paid), for a while yet.
            logger.LogInformation("Requested refund {RefundId} waits: {Reason}", refundId, exception.Message);
        }
        catch (DomainException exception)
        {
            logger.LogWarning(
                "Requested refund {RefundId} could not be finished now: {Reason}",
                refundId,
                exception.Message
            );
        }
    }
}
