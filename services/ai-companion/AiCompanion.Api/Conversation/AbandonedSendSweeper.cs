using Community.ServiceDefaults;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Conversation;

/// <summary>
/// Ends the claims of sends whose process died mid-reply (stopped by a deploy, or its give-back failed with the
/// database) and that no retry of their client_txn_id took over, so the messages they counted do not stay counted for
/// good. Runs on every instance at once: each claim is ended once, by whoever locks it first.
/// </summary>
public sealed class AbandonedSendSweeper(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<SendClaimsOptions> options,
    ILogger<AbandonedSendSweeper> logger
) : PeriodicSweep(clock, logger)
{
    protected override TimeSpan Every => options.Value.SweepInterval;

    protected override string FailureMessage => "Ending abandoned companion sends failed; retrying on the next tick";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => SweepOnceAsync(stoppingToken);

    protected override void LogFailure(Exception exception)
    {
        // The database's own trouble, which its health check reports: nothing to act on here.
        if (DatabaseFaults.IsTransient(exception))
            logger.LogInformation(
                "Ending abandoned companion sends met a database fault ({Cause}); retrying on the next tick",
                exception.GetType().Name
            );
        else
            base.LogFailure(exception);
    }

    /// <summary>One pass over the claims abandoned by now: how many ended, and how many gave a message back.</summary>
    public async Task<(int Ended, int GivenBack)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var swept = await scope
            .ServiceProvider.GetRequiredService<CompanionConversation>()
            .EndAbandonedClaimsAsync(cancellationToken);
        if (swept.Ended > 0)
            logger.LogInformation(
                "Ended {Count} companion sends whose process died mid-reply; {GivenBack} counted messages given back",
                swept.Ended,
                swept.GivenBack
            );
        return swept;
    }
}
