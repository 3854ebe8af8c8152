using Community.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Social.Data;

/// <summary>
/// A sign-up that ended: an event registration cancelled or refunded (RsvpCancelled), a course enrollment refunded
/// (CourseEnrollmentEnded); and an event photo removed (EventPhotoRemoved), whose upload is news the same way. Each
/// consumer has its own queue, so the confirmation or enrollment an ending undoes may be
/// handled after it; finding its id here, it adds nothing. Names nobody; kept <see cref="Signups.Kept"/>.
/// </summary>
public sealed class EndedSignup
{
    /// <summary>The registration's, the enrollment's or the photo's id.</summary>
    public Guid SignupId { get; set; }

    /// <summary>Its ending message's time: a registration confirmed again after it is news again.</summary>
    public DateTimeOffset EndedAt { get; set; }
}

internal sealed class EndedSignupConfiguration : IEntityTypeConfiguration<EndedSignup>
{
    public void Configure(EntityTypeBuilder<EndedSignup> e)
    {
        e.HasKey(s => s.SignupId);
        e.HasIndex(s => s.EndedAt).HasDatabaseName("ended_signups_ended_at");
    }
}

/// <summary>How the feed's and the dashboard's consumers keep an ended sign-up from coming back.</summary>
public static class Signups
{
    /// <summary>Far longer than a message waits in a queue and its retries (the inbox remembers 14 days).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(30);

    /// <summary>
    /// Makes the messages about one sign-up take turns, so its ending and its confirmation handled at once cannot miss
    /// each other (neither sees the other's uncommitted row).
    /// </summary>
    public static Task LockAsync(SocialDbContext db, Guid signupId, CancellationToken cancellationToken) =>
        db.Database.LockKeyAsync("signup:" + signupId.ToString("N"), cancellationToken);

    /// <summary>
    /// Records that the sign-up ended at <paramref name="at"/> (the latest ending wins), and forgets a few ended more
    /// than <see cref="Kept"/> before <paramref name="now"/>.
    /// </summary>
    public static async Task EndAsync(
        SocialDbContext db,
        Guid signupId,
        DateTimeOffset at,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO ended_signups (signup_id, ended_at) VALUES ({signupId}, {at})
            ON CONFLICT (signup_id) DO UPDATE SET ended_at = GREATEST(ended_signups.ended_at, EXCLUDED.ended_at)
            """,
            cancellationToken
        );
        // Rows another ending holds are skipped, so two sweeps never wait on each other.
        var before = now - Kept;
        await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM ended_signups WHERE signup_id IN (SELECT signup_id FROM ended_signups WHERE ended_at < {before}
                ORDER BY ended_at LIMIT 100 FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken
        );
    }
}
