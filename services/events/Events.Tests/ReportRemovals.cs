using Community.Contracts;
using Community.Contracts.Social;

namespace Community.Events.Tests;

/// <summary>Social's ReportResolved for an event, resolved with remove_content, as the moderators send it.</summary>
public static class ReportRemovals
{
    public static ReportResolved Of(TimeProvider clock, string eventId, string reason, string note) =>
        new(
            Guid.NewGuid(),
            clock.GetUtcNow(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            ReportTargets.Event,
            Guid.Parse(eventId),
            reason,
            ReportActions.RemoveContent,
            note,
            Guid.NewGuid()
        );
}
