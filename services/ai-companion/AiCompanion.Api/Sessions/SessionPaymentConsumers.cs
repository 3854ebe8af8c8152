using Community.Contracts;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using MassTransit;

namespace Community.AiCompanion.Sessions;

// Payments' answers to CompanionSessionRequested (docs/architecture.md, "Companion sessions bought with credits").

/// <summary>
/// Credits were spent on a session: it starts now for its length. A spend the session cannot take (no such session
/// or it was erased, another buyer, not pending any more, another amount than the price the companion asked, a
/// deleted account) is answered with PurchaseRejected under the spend id, and payments gives the credits back.
/// </summary>
public sealed class CreditsSpentConsumer(
    CompanionDbContext db,
    TimeProvider clock,
    ILogger<CreditsSpentConsumer> logger
) : IdempotentConsumer<CreditsSpent, CompanionDbContext>(db, logger)
{
    protected override bool Concerns(CreditsSpent message) => message.Purpose == PaymentPurposes.CompanionSession;

    protected override async Task HandleAsync(ConsumeContext<CreditsSpent> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        var now = clock.GetUtcNow();
        var session = await Db
            .CompanionSessions.FromSql($"SELECT * FROM companion_sessions WHERE id = {m.ReferenceId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (session is { Status: SessionStates.Active } && session.SpendId == m.MessageId)
            return;

        var rejection = session switch
        {
            null => "No such session (or its account was erased).",
            _ when session.UserId != m.UserId => "The credits were spent by someone other than the session's buyer.",
            { Status: not SessionStates.Pending } => $"The session is {session.StateAt(now)}, not waiting for payment.",
            _ when session.PriceCredits != m.Amount =>
                $"The session costs {session.PriceCredits} credits, not {m.Amount}.",
            _ when await Db.UserProfiles.AnyAsync(
                    u => u.UserId == m.UserId && u.DeletedAt != null,
                    cancellationToken
                ) => "The account was deleted.",
            _ => null,
        };
        if (rejection is null)
        {
            session!.Status = SessionStates.Active;
            session.SpendId = m.MessageId;
            session.StartsAt = now;
            session.EndsAt = now.AddMinutes(session.Minutes);
            logger.LogInformation(
                "Companion session {SessionId} of {UserId} started, until {EndsAt}",
                session.Id,
                session.UserId,
                session.EndsAt
            );
            return;
        }
        if (session is { Status: SessionStates.Pending } && session.UserId == m.UserId)
            (session.Status, session.Rejection) = (SessionStates.Rejected, rejection);
        logger.LogWarning(
            "Credits spend {SpendId} on companion session {SessionId} cannot be honoured: {Reason}",
            m.MessageId,
            m.ReferenceId,
            rejection
        );
        Db.AddIntegrationEvent(
            new PurchaseRejected(Guid.CreateVersion7(), now, m.MessageId, m.Purpose, m.ReferenceId, rejection)
        );
    }
}

/// <summary>
/// Payments declined to spend the credits (not enough, not for sale): the pending session is rejected, with the reason.
/// </summary>
public sealed class CreditsSpendDeclinedConsumer(CompanionDbContext db, ILogger<CreditsSpendDeclinedConsumer> logger)
    : IdempotentConsumer<CreditsSpendDeclined, CompanionDbContext>(db, logger)
{
    protected override bool Concerns(CreditsSpendDeclined message) =>
        message.Purpose == PaymentPurposes.CompanionSession;

    protected override Task HandleAsync(
        ConsumeContext<CreditsSpendDeclined> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        return Db.Database.ExecuteSqlAsync(
            $"""
            UPDATE companion_sessions SET status = 'rejected', rejection = {m.Reason}
            WHERE id = {m.ReferenceId} AND user_id = {m.UserId} AND status = 'pending'
            """,
            cancellationToken
        );
    }
}
