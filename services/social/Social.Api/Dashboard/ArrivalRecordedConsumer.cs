using Community.Contracts.Events;
using Community.ServiceDefaults.Data;
using MassTransit;

namespace Community.Social.Dashboard;

/// <summary>
/// A check-in at an event counts as an event attended (profile activity, the Regular badge); a second check-in at the
/// same event does not.
/// </summary>
public sealed class ArrivalRecordedConsumer(
    SocialDbContext db,
    TimeProvider clock,
    ILogger<ArrivalRecordedConsumer> logger
) : IdempotentConsumer<ArrivalRecorded, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(
        ConsumeContext<ArrivalRecorded> context,
        CancellationToken cancellationToken
    )
    {
        await ErasureGate.EnterAsync(Db, cancellationToken);
        var m = context.Message;
        // A deleted account's late check-in is not recorded.
        if (await Db.UserProfiles.AnyAsync(p => p.UserId == m.UserId && p.DeletedAt != null, cancellationToken))
            return;
        var at = m.ArrivedAt.ToUniversalTime();
        // One of the attendee's check-ins at a time: two handled at once would each count only its own new row, and
        // neither would see the fifth that makes a Regular.
        await Db.Database.LockKeyAsync("attended:" + m.UserId.ToString("N"), cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO events_attended (user_id, event_id, arrived_at) VALUES ({m.UserId}, {m.EventId}, {at})
                ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        // A check-in is activity of its day and may make the attendee a Regular.
        await Activity.RecordAsync(Db, m.UserId, at, cancellationToken);
        await BadgeRules.AwardAsync(Db, m.UserId, clock.GetUtcNow(), cancellationToken);
    }
}
