namespace Community.Contracts;

/// <summary>
/// A fact one service publishes for the others. <see cref="EventId"/> is stable: it is the
/// bus message id, so a consumer that sees it twice (a re-sent outbox row, a redelivery)
/// can recognise the duplicate.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>Unique id of this occurrence; becomes the message id on the bus.</summary>
    Guid EventId { get; }

    /// <summary>When the fact became true (UTC).</summary>
    DateTimeOffset OccurredAt { get; }
}
