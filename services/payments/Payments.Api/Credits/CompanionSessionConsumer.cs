using Community.Contracts.AiCompanion;
using MassTransit;

namespace Community.Payments.Credits;

/// <summary>
/// A companion session bought with credits: its price (ours, never the companion's figure) is spent once per session
/// under the session's key, or CreditsSpendDeclined says why not.
/// </summary>
public sealed class CompanionSessionRequestedConsumer(
    PaymentsDbContext db,
    CreditLedger ledger,
    IOptionsMonitor<PaymentsOptions> options,
    TimeProvider clock,
    ILogger<CompanionSessionRequestedConsumer> logger
) : IdempotentConsumer<CompanionSessionRequested, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<CompanionSessionRequested> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (options.CurrentValue.CompanionSessionCredits is not (> 0 and var price))
        {
            logger.LogWarning(
                "Companion session {SessionId} of {UserId} declined: Payments:CompanionSessionCredits is not set",
                m.SessionId,
                m.UserId
            );
            Decline(m, "not_for_sale", await ledger.BalanceAsync(m.UserId, cancellationToken), 0);
            return;
        }
        try
        {
            var posting = await ledger.SpendAsync(
                m.UserId,
                PaymentPurposes.CompanionSession,
                m.SessionId,
                _ => Task.FromResult((long)price),
                SpendKey(m.SessionId),
                cancellationToken
            );
            if (posting.Applied)
                logger.LogInformation(
                    "Spent {Credits} credits of {UserId} on companion session {SessionId}",
                    posting.Transaction.Amount,
                    m.UserId,
                    m.SessionId
                );
        }
        catch (InsufficientCreditsException e)
        {
            Decline(m, "insufficient_credits", e.Balance, e.Required);
        }
    }

    private void Decline(CompanionSessionRequested m, string reason, long balance, long required) =>
        Db.AddIntegrationEvent(
            new CreditsSpendDeclined(
                Guid.CreateVersion7(),
                clock.GetUtcNow(),
                m.UserId,
                PaymentPurposes.CompanionSession,
                m.SessionId,
                reason,
                balance,
                required
            )
        );

    /// <summary>
    /// The ledger's idempotency key of a session's spend: one spend per session however often it is asked for.
    /// </summary>
    public static string SpendKey(Guid sessionId) => "companion_session:" + sessionId;
}
