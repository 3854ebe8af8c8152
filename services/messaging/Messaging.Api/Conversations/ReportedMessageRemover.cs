using Community.Contracts;
using Community.Contracts.Social;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Messaging.Conversations;

/// <summary>
/// A report resolved with remove_content on a message deletes it as a moderator's delete does: a tombstone keeping its
/// seq, its files gone, message_deleted pushed once committed. The decision is an admin's in social, so nobody's
/// membership is asked. A message unknown here or deleted already stays as it is.
/// </summary>
public sealed class ReportedMessageRemover(
    MessagingDbContext db,
    ConversationMessages messages,
    ILogger<ReportedMessageRemover> logger
) : IdempotentConsumer<ReportResolved, MessagingDbContext>(db, logger)
{
    private MessageDeletion? _deletion;

    protected override bool Concerns(ReportResolved message) =>
        message.Action == ReportActions.RemoveContent && message.TargetType == ReportTargets.Message;

    // Nothing left to delete costs no transaction; the deletion checks again under the message's lock.
    protected override Task<bool> PrepareAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    ) => Db.Messages.AnyAsync(m => m.Id == context.Message.TargetId && m.DeletedAt == null, cancellationToken);

    protected override async Task HandleAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        _deletion = await messages.RemoveForModeratorsAsync(m.TargetId, cancellationToken);
        if (_deletion is not null)
            logger.LogInformation("Report {ReportId} deleted message {MessageId}", m.ReportId, m.TargetId);
    }

    // No member made it: everyone shown the message hears of it, its author too while they may open the conversation
    // (a direct conversation's blocked side may not).
    protected override async Task AfterCommitAsync(
        ConsumeContext<ReportResolved> context,
        CancellationToken cancellationToken
    )
    {
        if (_deletion is { } deletion)
            await messages.AnnounceDeletedAsync(deletion, Guid.Empty, null, cancellationToken);
    }
}
