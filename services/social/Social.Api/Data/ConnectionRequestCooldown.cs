using System.Globalization;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// A person whose request to connect was withdrawn or declined may not ask the same person again until
/// <see cref="Until"/>: asking, withdrawing and asking again would otherwise notify them on every turn.
/// </summary>
public sealed class ConnectionRequestCooldown
{
    public Guid RequesterId { get; set; }
    public Guid AddresseeId { get; set; }
    public DateTimeOffset Until { get; set; }
}

internal sealed class ConnectionRequestCooldownConfiguration : IEntityTypeConfiguration<ConnectionRequestCooldown>
{
    public void Configure(EntityTypeBuilder<ConnectionRequestCooldown> e)
    {
        e.HasKey(c => new { c.RequesterId, c.AddresseeId });
        e.HasIndex(c => c.AddresseeId).HasDatabaseName("connection_request_cooldowns_addressee");
        e.HasIndex(c => c.Until).HasDatabaseName("connection_request_cooldowns_until");
    }
}

/// <summary>When a person may ask another to connect again after their request ended unanswered or declined.</summary>
public static class RequestCooldowns
{
    /// <summary>How long after a withdrawn or declined request its asker waits to ask the same person again.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromDays(21);

    /// <summary>
    /// Starts the wait of <paramref name="requesterId"/> before asking <paramref name="addresseeId"/> again (a later
    /// end wins), and forgets a few waits that are over. In the caller's transaction.
    /// </summary>
    public static async Task StartAsync(
        SocialDbContext db,
        Guid requesterId,
        Guid addresseeId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var until = now + Length;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO connection_request_cooldowns (requester_id, addressee_id, until)
            VALUES ({requesterId}, {addresseeId}, {until})
            ON CONFLICT (requester_id, addressee_id)
                DO UPDATE SET until = GREATEST(connection_request_cooldowns.until, EXCLUDED.until)
            """,
            cancellationToken
        );
        // Rows another request holds are skipped, so two sweeps never wait on each other.
        await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM connection_request_cooldowns WHERE (requester_id, addressee_id) IN (
                SELECT requester_id, addressee_id FROM connection_request_cooldowns WHERE until <= {now}
                ORDER BY until LIMIT 100 FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken
        );
    }

    /// <summary>
    /// Ends the waits between two people (both ways) once they are connected: a connection ended later starts none.
    /// </summary>
    public static Task EndAsync(SocialDbContext db, Guid one, Guid other, CancellationToken cancellationToken) =>
        db
            .ConnectionRequestCooldowns.Where(c =>
                (c.RequesterId == one && c.AddresseeId == other) || (c.RequesterId == other && c.AddresseeId == one)
            )
            .ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Refuses (429, with Retry-After) a request asked while the asker still waits to ask this person.
    /// </summary>
    public static async Task EnsureOverAsync(
        SocialDbContext db,
        Guid requesterId,
        Guid addresseeId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var until = await db
            .ConnectionRequestCooldowns.Where(c =>
                c.RequesterId == requesterId && c.AddresseeId == addresseeId && c.Until > now
            )
            .Select(c => (DateTimeOffset?)c.Until)
            .FirstOrDefaultAsync(cancellationToken);
        if (until is { } end)
            throw new TooManyRequestsException(
                "Your last request to this person was withdrawn or declined; you may ask again from "
                    + end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                    + ".",
                end - now
            );
    }
}
