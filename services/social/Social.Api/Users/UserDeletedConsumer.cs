using Community.Contracts.Identity;
using Community.ServiceDefaults.Messaging;
using Community.Social.Dashboard;
using Community.Social.Data;
using Community.Social.Feed;
using Community.Social.Groups;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Social.Users;

/// <summary>
/// A deleted account leaves nothing social behind: its connections and requests, follows and
/// blocks both ways, group memberships, requests, invitations, events attended, the reports they
/// filed and their feed activity (and others' about them) go; each group it owned passes to its
/// longest-standing moderator or closes; its profile becomes a nameless tombstone that later
/// messages cannot revive.
/// </summary>
public sealed class UserDeletedConsumer(SocialDbContext db, ILogger<UserDeletedConsumer> logger)
    : IdempotentConsumer<UserDeleted, SocialDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        var userId = context.Message.UserId;
        await Db
            .Connections.Where(c => c.RequesterId == userId || c.AddresseeId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        await Db
            .Follows.Where(f => f.FollowerId == userId || f.FollowedId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        await Db
            .Blocks.Where(b => b.BlockerId == userId || b.BlockedId == userId)
            .ExecuteDeleteAsync(cancellationToken);
        await GroupEraser.EraseAsync(Db, userId, context.Message.OccurredAt, cancellationToken);
        await Db.EventsAttended.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await Db.Reports.Where(r => r.ReporterId == userId).ExecuteDeleteAsync(cancellationToken);
        await Activity.EraseAsync(Db, userId, cancellationToken);
        await FeedActivities.EraseAsync(Db, userId, cancellationToken);
        await ProfileProjection.EraseAsync(Db, userId, context.Message.OccurredAt, cancellationToken);
    }
}
