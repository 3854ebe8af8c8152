using Community.Contracts;
using Community.Contracts.AiCompanion;
using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Community.Payments.Credits;

/// <summary>
/// The companion asked for a session bought with credits: spend its price (payments' own configuration, never the
/// companion's figure) once per session, which publishes CreditsSpent, or answer CreditsSpendDeclined. A redelivery
/// or a repeated request finds the first spend under the session's key and writes nothing; a session the companion
/// then cannot start comes back as PurchaseRejected and <see cref="Sales.PurchaseRejectedConsumer"/> reverses the spend.
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

    /// <summary>The ledger's idempotency key of a session's spend: one spend per session however often it is asked for.</summary>
    public static string SpendKey(Guid sessionId) => "companion_session:" + sessionId;
}
