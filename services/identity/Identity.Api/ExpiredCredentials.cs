using Community.ServiceDefaults;

namespace Community.Identity;

/// <summary>
/// The one-time secrets a sign-in, a link or a mail hands out (outside sign-in states, codes, link tickets and codes,
/// two-factor challenges, e-mail verification and password reset links), and the refresh tokens of sessions that are
/// over: each goes once it has expired, swept at start and every ten minutes on every instance. Every lookup refuses an
/// expired row already, so a row a round has not reached yet opens nothing. Before this, the requests that made new
/// rows deleted the expired ones as they went, in their own transactions (a sign-in waited on another's), and links,
/// sign-in codes and refresh tokens were never deleted at all: the tables grew with every request.
/// </summary>
public sealed class ExpiredCredentials(
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options,
    IOptions<JwtOptions> jwt,
    TimeProvider clock,
    ILogger<ExpiredCredentials> logger
) : PeriodicSweep(clock, logger)
{
    /// <summary>How many rows of a table one statement deletes: a long backlog goes in short statements.</summary>
    private const int Batch = 5_000;

    /// <summary>
    /// How many sign-ins one statement deletes, and at most how many such statements a round makes (the rest wait for
    /// the next round): a long backlog goes in short statements.
    /// </summary>
    private const int SignInBatch = 1_000,
        MaxSignInBatches = 100;

    /// <summary>The tables of one-time secrets; each has an index on <c>expires_at</c>.</summary>
    private static readonly string[] OneTimeSecrets =
    [
        "external_login_states",
        "external_login_codes",
        "external_login_link_tickets",
        "external_login_link_codes",
        "two_factor_challenges",
        "email_verification_tokens",
        "password_reset_tokens",
    ];

    protected override TimeSpan Every { get; } = TimeSpan.FromMinutes(10);

    // The database away: the rows open nothing meanwhile and go on the next round.
    protected override string FailureMessage => "Sweeping expired sign-in secrets failed; trying again in {Every}";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => SweepAsync(stoppingToken);

    /// <summary>Deletes what has expired; how many rows went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var removed = 0;
        // A row a request holds (a start spending its ticket, a reset spending its link) is skipped, not waited for,
        // and goes on a later round: a sweep waiting on requests' rows in its own order could deadlock with them.
        foreach (var table in OneTimeSecrets)
            removed += await InBatchesAsync(
                db,
                $"""
                DELETE FROM {table} WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM {table} WHERE expires_at <= @now LIMIT {Batch} FOR UPDATE SKIP LOCKED))
                """,
                now,
                cancellationToken
            );
        // A sign-in's tokens go together once every one of them has expired and its last access tokens are refused
        // (their lifetime and the clock skew allowed them past it): until then a logout with one still finds the
        // sign-in to end. A token rotated away while its sign-in lives is kept, as a thief's replay of it ends that
        // sign-in. A sign-in is found by its newest token, the one never rotated (a token's end never comes before an
        // older one's of its sign-in), so the tokens kept are never read; one whose rows a request holds (a replay
        // revoking it) is left whole for a later round, so no sign-in is left without its newest token.
        var ended = now - options.Value.AccessTokenLifetime - TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds);
        for (var batch = 0; batch < MaxSignInBatches; batch++)
        {
            var tokens = await db.Database.ExecuteSqlRawAsync(
                $"""
                WITH over AS (
                    SELECT h.family_id FROM refresh_tokens h
                    WHERE h.rotated_at IS NULL AND h.expires_at <= @now
                        AND NOT EXISTS (SELECT 1 FROM refresh_tokens u
                            WHERE u.family_id = h.family_id AND u.expires_at > @now)
                    LIMIT {SignInBatch}),
                taken AS (
                    SELECT t.id, t.family_id FROM refresh_tokens t WHERE t.family_id IN (SELECT family_id FROM over)
                    FOR UPDATE OF t SKIP LOCKED),
                whole AS (
                    SELECT k.family_id FROM taken k GROUP BY k.family_id
                    HAVING count(*) = (SELECT count(*) FROM refresh_tokens a WHERE a.family_id = k.family_id))
                DELETE FROM refresh_tokens WHERE id IN (
                    SELECT id FROM taken WHERE family_id IN (SELECT family_id FROM whole))
                """,
                [new Npgsql.NpgsqlParameter("now", ended)],
                cancellationToken
            );
            removed += tokens;
            if (tokens == 0)
                break;
        }
        if (removed > 0)
            logger.LogInformation("Removed {Count} expired sign-in secrets and refresh tokens", removed);
        return removed;
    }

    private static async Task<int> InBatchesAsync(
        IdentityDbContext db,
        string sql,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var total = 0;
        int removed;
        do
        {
            removed = await db.Database.ExecuteSqlRawAsync(
                sql,
                [new Npgsql.NpgsqlParameter("now", now)],
                cancellationToken
            );
            total += removed;
        } while (removed == Batch);
        return total;
    }
}
