using Community.Contracts;
using Community.Contracts.Social;
using Community.Events.Photos;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Blobs;
using MassTransit;

namespace Community.Events.Catalogue;

/// <summary>
/// A report resolved with remove_content on an event cancels it as its organizer's cancellation does (EventCancelled,
/// on which payments refunds every ticket). One that is over stays as it took place, as the organizer's cancellation
/// refuses it, and one cancelled already keeps its cancellation; a draft (seen by its organizer only) is left as it is.
/// A cancelled or past event stays visible, though, so whichever of these it is, it loses its cover (uploaded or
/// linked), which would otherwise go on being served to anyone; the cover's file goes once that is committed.
/// </summary>
public sealed class ReportedEventCanceller(
    EventsDbContext db,
    IBlobStore blobs,
    TimeProvider clock,
    ILogger<ReportedEventCanceller> logger
) : IdempotentConsumer<ReportResolved, EventsDbContext>(db, logger)
{
    /// <summary>The cancellation_reason attendees see; the admin's note stays the moderators'.</summary>
    public const string Reason = "Removed by the moderators after a report.";

    /// <summary>The blob of the cover taken off the event, deleted after the commit.</summary>
    private string? _removedCover;

    protected override bool Concerns(ReportResolved message) =>
        message.Action == ReportActions.RemoveContent && message.TargetType == ReportTargets.Event;

    protected override async Task HandleAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        // Locked as the organizer's own edits and cancellation lock it, so theirs at the same moment takes its turn,
        // and a registration's statement (which reads the event FOR KEY SHARE) waits and finds it cancelled rather
        // than waitlisting someone on it.
        await Db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM community_events WHERE id = {m.TargetId} FOR UPDATE",
            cancellationToken
        );
        var e = await Db.CommunityEvents.FirstOrDefaultAsync(x => x.Id == m.TargetId, cancellationToken);
        if (e is null or { Status: EventStatus.Draft })
        {
            logger.LogInformation(
                "Report {ReportId} removes event {EventId}, unknown or a draft: left as it is",
                m.ReportId,
                m.TargetId
            );
            return;
        }
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        var cancels = e.Status == EventStatus.Published && !CancellationRules.IsOver(e, now);
        if (cancels)
            await CancellationRules.CancelAsync(Db, e, now, Reason, cancellationToken);
        // After the cancellation: its EventCancelled says it all, with no EventUpdated for the cover besides.
        _removedCover = CoverRules.Remove(Db, e, now);
        if (cancels)
            logger.LogInformation("Report {ReportId} cancelled event {EventId}", m.ReportId, m.TargetId);
        else
            logger.LogInformation(
                "Report {ReportId} removes event {EventId}, cancelled already or over: left as it is but its cover",
                m.ReportId,
                m.TargetId
            );
    }

    /// <summary>
    /// The cover's file, once the row no longer names it: a failed commit (retried) leaves the cover whole.
    /// </summary>
    protected override async Task AfterCommitAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        if (_removedCover is { } key)
            await blobs.TryDeleteAsync(key, logger);
    }
}
