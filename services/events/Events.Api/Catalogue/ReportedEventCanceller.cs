using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Api;
using MassTransit;

namespace Community.Events.Catalogue;

/// <summary>
/// A report resolved with remove_content on an event cancels it as its organizer's cancellation does (EventCancelled,
/// on which payments refunds every ticket). One that is over stays as it took place, as the organizer's cancellation
/// refuses it; a draft (seen by its organizer only) and one cancelled already are left as they are.
/// </summary>
public sealed class ReportedEventCanceller(
    EventsDbContext db,
    TimeProvider clock,
    ILogger<ReportedEventCanceller> logger
) : IdempotentConsumer<ReportResolved, EventsDbContext>(db, logger)
{
    /// <summary>The cancellation_reason attendees see; the admin's note stays the moderators'.</summary>
    public const string Reason = "Removed by the moderators after a report.";

    protected override bool Concerns(ReportResolved message) =>
        message.Action == ReportActions.RemoveContent && message.TargetType == ReportTargets.Event;

    protected override async Task HandleAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // Locked, so an organizer's edit or cancellation at the same moment takes its turn.
        await Db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM community_events WHERE id = {m.TargetId} FOR NO KEY UPDATE",
            cancellationToken
        );
        var e = await Db.CommunityEvents.FirstOrDefaultAsync(x => x.Id == m.TargetId, cancellationToken);
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        if (e is not { Status: EventStatus.Published } || CancellationRules.IsOver(e, now))
        {
            logger.LogInformation(
                "Report {ReportId} removes event {EventId}, unknown, a draft, cancelled or over: left as it is",
                m.ReportId,
                m.TargetId
            );
            return;
        }
        CancellationRules.Cancel(Db, e, now, Reason);
        logger.LogInformation("Report {ReportId} cancelled event {EventId}", m.ReportId, m.TargetId);
    }
}
