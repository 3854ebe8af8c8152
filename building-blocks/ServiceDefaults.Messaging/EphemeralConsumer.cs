namespace Community.ServiceDefaults.Messaging;

/// <summary>Marks a consumer of the ephemeral path; see <see cref="IEphemeralConsumer{TMessage}"/>.</summary>
public interface IEphemeralConsumer : IConsumer;

/// <summary>
/// A consumer every instance must hear (session revocations): every instance of the service
/// receives every message on a queue of its own that dies with it. No inbox, no retry; a message
/// that fails or waits longer than <see cref="BusInstance.MessageTimeToLive"/> is dropped, because it is stale by then.
/// Registered with <see cref="EventBusBuilder.AddEphemeralConsumer{TConsumer}"/>, never by the assembly scan.
/// </summary>
public interface IEphemeralConsumer<in TMessage> : IEphemeralConsumer, IConsumer<TMessage>
    where TMessage : class;

/// <summary>This process's identity on the bus: the name of its ephemeral queues.</summary>
public sealed class BusInstance(string service, string id)
{
    /// <summary>
    /// Backstop to exclusivity: an unused per-instance queue is deleted after this even if its connection's end went
    /// unnoticed.
    /// </summary>
    public static readonly TimeSpan QueueExpiry = TimeSpan.FromMinutes(5);

    /// <summary>Ephemeral messages older than this are stale and dropped by the broker.</summary>
    public static readonly TimeSpan MessageTimeToLive = TimeSpan.FromSeconds(30);

    public string Service { get; } = service;
    public string Id { get; } = id;

    /// <summary>The queue of <paramref name="consumer"/> in this instance: service, consumer and instance id.</summary>
    public string QueueFor<TConsumer>()
        where TConsumer : class, IConsumer =>
        new KebabCaseEndpointNameFormatter(Service, includeNamespace: false).Consumer<TConsumer>() + "-" + Id;

    internal static BusInstance New(string service) => new(service, Guid.NewGuid().ToString("N")[..12]);
}
