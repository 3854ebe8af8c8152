using Community.AiCompanion.Sessions;
using Community.Contracts;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.Extensions.Options;

namespace Community.AiCompanion.Limits;

/// <summary>
/// Whether a user may send one more message now: the daily limit of their tier, or the session that lifts it. The
/// send path reserves (<see cref="ReserveAsync"/>, then <see cref="ThrowIfRefused"/>) and gives an unused reservation
/// back (<see cref="ReleaseAsync"/>). Each count is one conditional statement, so concurrent sends never pass a limit.
/// </summary>
public sealed class AllowanceAccess(
    CompanionDbContext db,
    IOptionsMonitor<LimitsOptions> limits,
    IOptionsMonitor<CompanionSessionOptions> sessions,
    TimeProvider clock
)
{
    /// <summary>Whether <paramref name="tier"/> (a token's claim) has no daily limit: nothing a session would
    /// lift.</summary>
    public bool IsUnlimited(string? tier) => limits.CurrentValue.For(LimitsOptions.Normalize(tier)) is null;

    /// <summary>
    /// The answer to "may this user send one more message now": Allowed with the message counted (in today's usage,
    /// or in the active session's when the daily limit is reached: <see cref="SessionId"/>), or refused with how long
    /// until the limit resets. Give an allowed one back with <see cref="ReleaseAsync"/> when the reply fails.
    /// </summary>
    /// <param name="UsedToday">Messages counted today, this one included when it was counted there.</param>
    /// <param name="DailyLimit">The tier's limit; null: unlimited.</param>
    /// <param name="RetryAfter">Refused only: the time to the next UTC midnight, when the limit resets.</param>
    /// <param name="SessionId">The bought session this message was counted in, when the daily limit was already
    /// reached.</param>
    public sealed record Allowance(
        bool Allowed,
        long UsedToday,
        long? DailyLimit,
        TimeSpan? RetryAfter,
        Guid? SessionId
    )
    {
        public Guid UserId { get; init; }
        public string Tier { get; init; } = "";

        /// <summary>
        /// The UTC day the message was counted on (a release gives it back to that day, even after midnight).
        /// </summary>
        public DateOnly Day { get; init; }
        public DateTimeOffset ResetsAt { get; init; }
    }

    /// <summary>
    /// Counts one message of <paramref name="userId"/> (tier from the token's claim): today's usage first, then the
    /// active session.
    /// </summary>
    public async Task<Allowance> ReserveAsync(Guid userId, string? tier, CancellationToken cancellationToken)
    {
        tier = LimitsOptions.Normalize(tier);
        var now = clock.GetUtcNow();
        var (day, resetsAt) = DayOf(now);
        var limit = limits.CurrentValue.For(tier);
        var ceiling = limit ?? long.MaxValue;
        // A new day's row is only created while the limit allows one message; the increment only while under it.
        var counted = await db
            .Database.SqlQuery<long>(
                $"""
                INSERT INTO companion_usage AS u (user_id, day, messages) SELECT {userId}, {day}, 1 WHERE {ceiling} > 0
                ON CONFLICT (user_id, day) DO UPDATE SET messages = u.messages + 1 WHERE u.messages < {ceiling}
                RETURNING messages AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        var allowance = new Allowance(true, counted.FirstOrDefault(), limit, null, null)
        {
            UserId = userId,
            Tier = tier,
            Day = day,
            ResetsAt = resetsAt,
        };
        if (counted.Count == 1)
            return allowance;

        var used = await UsedAsync(userId, day, cancellationToken);
        // At most one open session per user, and the row lock re-checks the allowance, so racing sends share it
        // exactly.
        var session = await db
            .Database.SqlQuery<Guid>(
                $"""
                UPDATE companion_sessions SET messages_used = messages_used + 1
                WHERE user_id = {userId} AND status = 'active' AND starts_at <= {now} AND ends_at > {now}
                  AND (message_allowance IS NULL OR messages_used < message_allowance)
                RETURNING id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        return session.Count == 1
            ? allowance with
            {
                UsedToday = used,
                SessionId = session[0],
            }
            : allowance with
            {
                Allowed = false,
                UsedToday = used,
                RetryAfter = resetsAt - now,
            };
    }

    /// <summary>
    /// Gives an allowed message back (the reply failed); a refused allowance changes nothing. Call once per
    /// reservation.
    /// </summary>
    public async Task ReleaseAsync(Allowance allowance, CancellationToken cancellationToken)
    {
        if (!allowance.Allowed)
            return;
        if (allowance.SessionId is { } sessionId)
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE companion_sessions SET messages_used = messages_used - 1
                WHERE id = {sessionId} AND messages_used > 0
                """,
                cancellationToken
            );
        else
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE companion_usage SET messages = messages - 1
                WHERE user_id = {allowance.UserId} AND day = {allowance.Day} AND messages > 0
                """,
                cancellationToken
            );
    }

    /// <summary>
    /// Ends a refused send with 429 and Retry-After (seconds to the next UTC midnight); the problem also says what a
    /// session costs and how long it lasts, since buying one (POST /api/v1/companion/sessions) helps sooner.
    /// </summary>
    public void ThrowIfRefused(Allowance allowance)
    {
        if (allowance.Allowed)
            return;
        var offer = sessions.CurrentValue;
        throw new TooManyRequestsException(
            $"You have used today's {allowance.DailyLimit} messages with the companion ({allowance.Tier}). The limit "
                + "resets at midnight UTC; "
                + "a session bought with credits (POST /api/v1/companion/sessions) lifts it sooner.",
            allowance.RetryAfter ?? TimeSpan.FromSeconds(1)
        )
        {
            Extensions = ProblemResponses.MembersOf(
                new AllowanceUsedDto(
                    allowance.UsedToday,
                    allowance.DailyLimit,
                    allowance.Tier,
                    allowance.ResetsAt,
                    offer.Credits,
                    offer.Minutes,
                    offer.Messages
                )
            ),
        };
    }

    /// <summary>What the user has used today and may still use.</summary>
    public async Task<UsageDto> UsageAsync(Guid userId, string? tier, CancellationToken cancellationToken)
    {
        tier = LimitsOptions.Normalize(tier);
        var now = clock.GetUtcNow();
        var (day, resetsAt) = DayOf(now);
        var session = await db
            .CompanionSessions.AsNoTracking()
            .Where(s => s.UserId == userId && (s.Status == SessionStates.Pending || s.Status == SessionStates.Active))
            .FirstOrDefaultAsync(cancellationToken);
        var open =
            session is not null && session.StateAt(now) != SessionStates.Ended ? SessionDto.From(session, now) : null;
        return new UsageDto(
            await UsedAsync(userId, day, cancellationToken),
            limits.CurrentValue.For(tier),
            tier,
            open,
            resetsAt
        );
    }

    private Task<long> UsedAsync(Guid userId, DateOnly day, CancellationToken cancellationToken) =>
        db
            .CompanionUsage.Where(u => u.UserId == userId && u.Day == day)
            .Select(u => u.Messages)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The UTC day of <paramref name="now"/> and the midnight that ends it.</summary>
    public static (DateOnly Day, DateTimeOffset ResetsAt) DayOf(DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        return (day, new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
    }
}

/// <summary>
/// Today's companion messages used up: what the 429 of a message to the companion says beside its text. A 429 without
/// these members is not about the allowance: replies to the caller's other messages are still being written (wait for
/// one, or the Retry-After), or requests came too fast.
/// </summary>
/// <param name="UsedToday">Messages counted today.</param>
/// <param name="DailyLimit">The tier's daily limit.</param>
/// <param name="Tier">The caller's tier (free, premium, elite).</param>
/// <param name="ResetsAt">The next UTC midnight, when the limit resets.</param>
/// <param name="SessionPriceCredits">
/// What a session bought with credits costs (POST /api/v1/companion/sessions).
/// </param>
/// <param name="SessionMinutes">How long a session lasts.</param>
/// <param name="SessionMessages">How many messages a session allows; null: no limit within its time.</param>
public sealed record AllowanceUsedDto(
    long UsedToday,
    long? DailyLimit,
    [property: ValuesOf(typeof(Tiers))] string Tier,
    DateTimeOffset ResetsAt,
    long SessionPriceCredits,
    int SessionMinutes,
    int? SessionMessages
);
