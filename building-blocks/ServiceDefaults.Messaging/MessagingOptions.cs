using Community.ServiceDefaults.Errors;

namespace Community.ServiceDefaults.Messaging;

/// <summary>Settings of the bus, outbox and inbox (configuration section "Messaging").</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// Inbox rows older than this are deleted; a redelivery older than the window would be handled again.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Shorter windows would forget messages that retries or a broker outage can still redeliver.</summary>
    public static readonly TimeSpan MinimumInboxRetention = TimeSpan.FromDays(1);

    /// <summary>
    /// Outbox rows claimed and published per pass, all with their confirms in flight at once: one broker
    /// round trip per batch, not per event. 1 publishes one row at a time.
    /// </summary>
    public int OutboxBatchSize { get; set; } = 1000;

    /// <summary>Bounds the claimed rows, the row locks held and the unconfirmed messages one batch keeps.</summary>
    public const int MaximumOutboxBatchSize = 1000;

    /// <summary>
    /// Batches of a backlog published before the first of them is confirmed and marked: the next batch is claimed and
    /// published while the previous ones' confirms come back, each batch in its own transaction (a database
    /// connection each). 1 finishes every batch before claiming the next.
    /// </summary>
    public int OutboxBatchesInFlight { get; set; } = 3;

    /// <summary>Bounds the database connections and the unconfirmed messages a dispatcher keeps.</summary>
    public const int MaximumOutboxBatchesInFlight = 4;

    /// <summary>
    /// How long the dispatcher waits for a commit's signal before it looks at the table anyway: what writes outbox rows
    /// wakes it (<see cref="OutboxSignal"/>), so the poll only finds rows another instance of the service left behind
    /// (one that stopped or lost its broker before publishing them) and those a failed pass kept.
    /// </summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MinimumOutboxPollInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaximumOutboxPollInterval = TimeSpan.FromHours(1);
}

/// <summary>Which consumer failures are worth retrying.</summary>
public static class RetryPolicy
{
    /// <summary>
    /// A domain refusal (4xx: not found, conflict, business rule, validation, forbidden...) gives
    /// the same answer on every attempt, so it faults at once. Everything else is transient: the
    /// database, the broker, timeouts, bugs that may be races, and the domain errors that say
    /// "try again" (429, 5xx such as a payment provider being unavailable, and a refusal with a
    /// Retry-After, such as a refund waiting for another one still in flight).
    /// </summary>
    public static bool IsPermanent(Exception exception) =>
        exception is DomainException { StatusCode: >= 400 and < 500 and not 429, RetryAfter: null };

    /// <summary>
    /// The waits between a consumer's attempts while its database is unreachable or shutting down
    /// (<see cref="DatabaseFaults.IsUnreachable"/>): 9 more attempts over 128.5 s, longer than a PostgreSQL switchover
    /// or failover (CloudNativePG's take 10-60 s), short enough that a database gone for good fills the _error queue
    /// within minutes, where an operator replays it.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DatabaseIntervals =
    [
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(20),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(30),
        TimeSpan.FromSeconds(30),
    ];
}
