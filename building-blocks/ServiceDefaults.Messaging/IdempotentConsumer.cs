using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Base of every consumer that changes state: the message id is recorded in the inbox in the
/// same transaction as the handler's changes, so a redelivered or re-sent message is handled
/// once. A handler that throws rolls both back; the message is retried unless the error is
/// permanent (<see cref="RetryPolicy.IsPermanent"/>), then dead-lettered. Rows older than
/// Messaging:InboxRetention are deleted by the outbox dispatcher's cleanup.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
    where TContext : DbContext
{
    protected TContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId =
            context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id.");
        var consumer = GetType().FullName!;
        var cancellationToken = context.CancellationToken;
        // The service's clock, not the database's now(), so inbox retention follows the same time as everything else.
        var processedAt = context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow();

        // A message this consumer ignores (a payment for something it does not sell) costs no transaction and no inbox
        // row.
        if (!Concerns(context.Message))
            return;
        // Nor does one that changes nothing here (a message whose every recipient watched it arrive).
        if (!await PrepareAsync(context, cancellationToken))
            return;

        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
        var first = await Db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO inbox_messages (message_id, consumer, processed_at)
            VALUES ({messageId}, {consumer}, {processedAt}) ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        if (first == 0)
        {
            logger.LogInformation("{Consumer} already handled message {MessageId}; skipped", consumer, messageId);
            return;
        }

        await HandleAsync(context, cancellationToken);
        await Db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await AfterCommitAsync(context, cancellationToken);
    }

    /// <summary>
    /// Whether this consumer acts on the message at all; decided from the message alone, before any transaction.
    /// </summary>
    protected virtual bool Concerns(TMessage message) => true;

    /// <summary>
    /// Reads what <see cref="HandleAsync"/> will write, before any transaction; false when the message changes nothing
    /// here, and then no transaction is begun and no inbox row written (a redelivery reads again: idempotent, as it
    /// writes nothing either unless what it reads has changed). Reads inside the transaction are at read committed
    /// too, so reading here sees no older state than they would. A redelivery that the inbox skips reads here first.
    /// </summary>
    protected virtual Task<bool> PrepareAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken) =>
        Task.FromResult(true);

    /// <summary>Applies the message; changes tracked on <see cref="Db"/> are saved with the inbox row.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken);

    /// <summary>
    /// Runs once what <see cref="HandleAsync"/> changed is committed, and never for a skipped redelivery: for effects
    /// that must not precede the commit (live pushes). Best effort: the message counts as handled whatever happens
    /// here, so it should bound its own waits and log rather than throw.
    /// </summary>
    protected virtual Task AfterCommitAsync(ConsumeContext<TMessage> context, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
