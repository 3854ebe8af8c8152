using System.Globalization;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// A person whose request was withdrawn or turned down may not ask the same again until <see cref="Until"/>, nor a
/// group invite again someone who declined its invitation: asking, withdrawing and asking again would otherwise notify
/// the ones asked on every turn.
/// </summary>
public sealed class RequestCooldown
{
    /// <summary>
    /// What was asked: <see cref="RequestCooldowns.Connection"/>, <see cref="RequestCooldowns.Group"/> or
    /// <see cref="RequestCooldowns.Invitation"/>.
    /// </summary>
    public string Kind { get; set; } = "";

    /// <summary>The person who asked, or for an invitation the group that invited.</summary>
    public Guid AskerId { get; set; }

    /// <summary>The person asked to connect, the group asked to be joined, or the person invited to it.</summary>
    public Guid TargetId { get; set; }
    public DateTimeOffset Until { get; set; }
}

internal sealed class RequestCooldownConfiguration : IEntityTypeConfiguration<RequestCooldown>
{
    public void Configure(EntityTypeBuilder<RequestCooldown> e)
    {
        e.HasKey(c => new
        {
            c.AskerId,
            c.Kind,
            c.TargetId,
        });
        e.HasIndex(c => c.TargetId).HasDatabaseName("request_cooldowns_target");
        e.HasIndex(c => c.Until).HasDatabaseName("request_cooldowns_until");
    }
}

/// <summary>
/// When a person may ask again after their request ended withdrawn or turned down, or a group invite again someone who
/// declined.
/// </summary>
public static class RequestCooldowns
{
    /// <summary>A request to connect; the target is the person asked.</summary>
    public const string Connection = "connection";

    /// <summary>A request to join a group; the target is the group.</summary>
    public const string Group = "group";

    /// <summary>A declined invitation to join a group; the asker is the group, the target the person invited.</summary>
    public const string Invitation = "invitation";

    /// <summary>How long after a withdrawn or turned down request its asker waits to ask the same again.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromDays(21);

    /// <summary>
    /// The end of a wait starting at <paramref name="now"/>: <see cref="Length"/> later, up to the next UTC midnight,
    /// so its <c>Retry-After</c> does not tell the asker the moment their request was turned down.
    /// </summary>
    public static DateTimeOffset End(DateTimeOffset now)
    {
        var end = now.ToUniversalTime() + Length;
        var day = new DateTimeOffset(end.UtcDateTime.Date, TimeSpan.Zero);
        return day == end ? end : day.AddDays(1);
    }

    /// <summary>
    /// Starts the wait of <paramref name="askerId"/> before asking <paramref name="targetId"/> again (a later end
    /// wins), and forgets a few waits that are over. In the caller's transaction.
    /// </summary>
    public static async Task StartAsync(
        SocialDbContext db,
        string kind,
        Guid askerId,
        Guid targetId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var until = End(now);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO request_cooldowns (asker_id, kind, target_id, until)
            VALUES ({askerId}, {kind}, {targetId}, {until})
            ON CONFLICT (asker_id, kind, target_id)
                DO UPDATE SET until = GREATEST(request_cooldowns.until, EXCLUDED.until)
            """,
            cancellationToken
        );
        // Rows another request holds are skipped, so two sweeps never wait on each other.
        await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM request_cooldowns WHERE (asker_id, kind, target_id) IN (
                SELECT asker_id, kind, target_id FROM request_cooldowns WHERE until <= {now}
                ORDER BY until LIMIT 100 FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken
        );
    }

    /// <summary>Starts the wait of a pending request to connect that ended unanswered (see <see cref="StartAsync"/>).
    /// </summary>
    public static Task StartAsync(
        SocialDbContext db,
        Data.Connection request,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) => StartAsync(db, Connection, request.RequesterId, request.AddresseeId, now, cancellationToken);

    /// <summary>Ends the wait of <paramref name="askerId"/> before asking <paramref name="targetId"/> again.</summary>
    public static Task EndAsync(
        SocialDbContext db,
        string kind,
        Guid askerId,
        Guid targetId,
        CancellationToken cancellationToken
    ) =>
        db
            .RequestCooldowns.Where(c => c.Kind == kind && c.AskerId == askerId && c.TargetId == targetId)
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Whether <paramref name="askerId"/> still waits before asking <paramref name="targetId"/> again.
    /// </summary>
    public static Task<bool> WaitingAsync(
        SocialDbContext db,
        string kind,
        Guid askerId,
        Guid targetId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) => Live(db, kind, askerId, targetId, now).AnyAsync(cancellationToken);

    /// <summary>The wait of <paramref name="askerId"/> before asking <paramref name="targetId"/> again, unless over.
    /// </summary>
    private static IQueryable<RequestCooldown> Live(
        SocialDbContext db,
        string kind,
        Guid askerId,
        Guid targetId,
        DateTimeOffset now
    ) =>
        db.RequestCooldowns.Where(c =>
            c.Kind == kind && c.AskerId == askerId && c.TargetId == targetId && c.Until > now
        );

    /// <summary>
    /// Refuses (429, with Retry-After) a request asked while the asker still waits to ask it again;
    /// <paramref name="why"/> says why they wait, and the answer adds until when.
    /// </summary>
    public static async Task EnsureOverAsync(
        SocialDbContext db,
        string kind,
        Guid askerId,
        Guid targetId,
        string why,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var until = await Live(db, kind, askerId, targetId, now)
            .Select(c => (DateTimeOffset?)c.Until)
            .FirstOrDefaultAsync(cancellationToken);
        if (until is { } end)
            throw new TooManyRequestsException(
                why
                    + "; you may ask again from "
                    + end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                    + ".",
                end - now
            );
    }
}
