using Community.AiCompanion.Conversation;
using Community.AiCompanion.Limits;
using Community.AiCompanion.Users;
using Community.Contracts.AiCompanion;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Sessions;

/// <summary>
/// Buying a session: recorded pending with CompanionSessionRequested in the same transaction (outbox); payments
/// answers on the bus (<see cref="CreditsSpentConsumer"/>). One open session per user; a key answers its first session.
/// </summary>
public sealed class SessionPurchases(
    CompanionDbContext db,
    IOptionsMonitor<CompanionSessionOptions> options,
    AllowanceAccess allowances,
    SendClaimsAccess claims,
    TimeProvider clock
)
{
    /// <summary>
    /// The session <paramref name="key"/> names (Created false), or a new pending one; 409 while another is open, 422
    /// when the caller's <paramref name="tier"/> has no daily limit (a session would lift nothing).
    /// </summary>
    public Task<(CompanionSession Session, bool Created)> RequestAsync(
        Guid userId,
        string? tier,
        string? key,
        CancellationToken cancellationToken
    )
    {
        // Keys are the caller's own: another user's key never answers with their session.
        var idempotencyKey = key ?? "none:" + Guid.NewGuid().ToString("N");
        return db.InTransactionAsync(
            async ct =>
            {
                await ErasedAccounts.RefuseErasedAsync(db, userId, ct);
                if (await FindAsync(userId, idempotencyKey, ct) is { } first)
                    return (first, false);
                if (allowances.IsUnlimited(tier))
                    throw new BusinessRuleException(
                        "Your membership has no daily limit with the companion: a session would add nothing."
                    );
                var now = clock.GetUtcNow();
                // An active session past its end or its messages stops being the open one; one whose last message is
                // still being answered stays open: a reply that fails gives that message back to it. A send whose
                // process died (its claim older than any reply takes) keeps nothing open.
                var abandoned = claims.AbandonedBefore(now);
                await db.Database.ExecuteSqlAsync(
                    $"""
                    UPDATE companion_sessions SET status = 'ended'
                    WHERE user_id = {userId} AND status = 'active'
                      AND (ends_at <= {now}
                           OR (messages_used >= message_allowance
                               AND NOT EXISTS (SELECT 1 FROM companion_sends s
                                               WHERE s.user_id = {userId}
                                                 AND s.counted_session_id = companion_sessions.id
                                                 AND s.claimed_at > {abandoned})))
                    """,
                    ct
                );
                // A purchase payments never answered (its request or answer dead-lettered) stops standing in the way:
                // a spend that comes after all finds it rejected and is given back (CreditsSpentConsumer).
                var unanswered = now - PaymentWait;
                await db.Database.ExecuteSqlAsync(
                    $"""
                    UPDATE companion_sessions SET status = 'rejected', rejection = {NoPaymentAnswer}
                    WHERE user_id = {userId} AND status = 'pending' AND requested_at <= {unanswered}
                    """,
                    ct
                );
                var offer = options.CurrentValue;
                var id = Guid.CreateVersion7(now);
                // Again when the open session that stood in the way ended between the insert and its lookup (payments
                // declined it, say): each attempt that finds none follows a commit that ended one.
                for (var attempt = 1; ; attempt++)
                {
                    var inserted = await db.Database.ExecuteSqlAsync(
                        $"""
                        INSERT INTO companion_sessions (id, user_id, idempotency_key, status, price_credits, minutes,
                            message_allowance, requested_at)
                        VALUES ({id}, {userId}, {idempotencyKey}, 'pending', {offer.Credits}, {offer.Minutes},
                            {offer.Messages}, {now})
                        ON CONFLICT DO NOTHING
                        """,
                        ct
                    );
                    if (inserted > 0)
                        break;
                    // A concurrent request won: with this key it is the answer, otherwise it is the open session.
                    if (await FindAsync(userId, idempotencyKey, ct) is { } raced)
                        return (raced, false);
                    var open = await db
                        .CompanionSessions.AsNoTracking()
                        .FirstOrDefaultAsync(
                            s =>
                                s.UserId == userId
                                && (s.Status == SessionStates.Pending || s.Status == SessionStates.Active),
                            ct
                        );
                    if (open is null && attempt < 3)
                        continue;
                    if (open is null)
                        throw new ConflictException("Your sessions changed while buying this one; try again.");
                    if (
                        open.Status == SessionStates.Active
                        && open.EndsAt > now
                        && open.MessagesUsed >= open.MessageAllowance
                    )
                        throw new ConflictException(
                            "The last message of your session is still being answered; buy the next session once "
                                + "the reply is in."
                        )
                        {
                            RetryAfter = TimeSpan.FromSeconds(5),
                            Extensions = ProblemResponses.MembersOf(new SessionOpen(open.Id, open.StateAt(now))),
                        };
                    throw new ConflictException(
                        open.Status == SessionStates.Pending
                            ? "A session you bought is still waiting for payment; wait for it before buying another."
                            : $"You have an active session until {open.EndsAt:u}; buy the next one when it ends."
                    )
                    {
                        Extensions = ProblemResponses.MembersOf(new SessionOpen(open.Id, open.StateAt(now))),
                    };
                }
                db.AddIntegrationEvent(new CompanionSessionRequested(Guid.CreateVersion7(now), now, id, userId));
                return (await db.CompanionSessions.AsNoTracking().FirstAsync(s => s.Id == id, ct), true);
            },
            cancellationToken
        );
    }

    /// <summary>How long a purchase waits for payments' answer before a new one may be bought instead.</summary>
    public static readonly TimeSpan PaymentWait = TimeSpan.FromMinutes(15);

    public const string NoPaymentAnswer =
        "Payments did not answer within 15 minutes; credits spent on it after all are given back.";

    /// <summary>One of the user's sessions; null when it is not theirs (or does not exist).</summary>
    public Task<CompanionSession?> GetAsync(Guid userId, Guid id, CancellationToken cancellationToken) =>
        db
            .CompanionSessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == id && s.UserId == userId, cancellationToken);

    private Task<CompanionSession?> FindAsync(
        Guid userId,
        string idempotencyKey,
        CancellationToken cancellationToken
    ) =>
        db
            .CompanionSessions.AsNoTracking()
            .FirstOrDefaultAsync(s => s.UserId == userId && s.IdempotencyKey == idempotencyKey, cancellationToken);
}

/// <summary>The session that stands in the way of buying another: what the 409 of a purchase names.</summary>
/// <param name="SessionId">The session bought before.</param>
/// <param name="State">Its state now: pending (waiting for payment) or active.</param>
public sealed record SessionOpen(
    Guid SessionId,
    [property: ValuesOf(typeof(SessionOpen), nameof(SessionOpen.OpenStates))] string State
)
{
    public static readonly string[] OpenStates = [SessionStates.Pending, SessionStates.Active];
}
