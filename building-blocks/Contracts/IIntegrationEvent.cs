namespace Community.Contracts;

/// <summary>
/// A fact one service publishes for the others. <see cref="MessageId"/> is stable: it is the
/// bus message id, so a consumer that sees it twice (a re-sent outbox row, a redelivery)
/// can recognise the duplicate. (Named MessageId so that "EventId" can mean a community event.)
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>
    /// Unique id of this occurrence (time-ordered: <c>Guid.CreateVersion7()</c>); becomes the message id on the bus.
    /// </summary>
    Guid MessageId { get; }

    /// <summary>When the fact became true (UTC).</summary>
    DateTimeOffset OccurredAt { get; }
}
