using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Community.Contracts;

namespace Community.ServiceDefaults.Messaging;

/// <summary>An integration event waiting in the service's own database to be published.</summary>
public sealed class OutboxMessage
{
    public long Sequence { get; private set; }
    public Guid Id { get; private set; }
    public string Type { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public DateTimeOffset OccurredAt { get; private set; }
    public string? TraceParent { get; private set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>
    /// Set when the row can never be published (its type no longer exists); it waits for an operator.
    /// </summary>
    public DateTimeOffset? FailedAt { get; set; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Type.GetType parses the assembly-qualified name on every call; a dispatcher resolves the same few names.
    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal);

    public static OutboxMessage From(IIntegrationEvent message)
    {
        var type = message.GetType();
        return new OutboxMessage
        {
            Id = message.MessageId,
            Type = $"{type.FullName}, {type.Assembly.GetName().Name}",
            Payload = JsonSerializer.Serialize(message, type, Json),
            OccurredAt = message.OccurredAt,
            TraceParent = Activity.Current?.Id,
        };
    }

    /// <summary>The event a row holds (its <see cref="Type"/> and <see cref="Payload"/>), for the dispatcher to
    /// publish.</summary>
    public static (object Message, Type Type) Deserialize(string typeName, string payload)
    {
        var type = Types.GetOrAdd(typeName, static name => System.Type.GetType(name, throwOnError: true)!);
        // A JSON null would reach the bus as no message at all, and fail there on every pass.
        var message =
            JsonSerializer.Deserialize(payload, type, Json)
            ?? throw new JsonException($"The payload of a {type.Name} is null.");
        return (message, type);
    }
}

/// <summary>A message a consumer has handled; its key makes handling idempotent.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public string Consumer { get; set; } = "";
    public DateTimeOffset ProcessedAt { get; set; }
}

public static class OutboxDbContextExtensions
{
    /// <summary>
    /// Queues an integration event; it is stored by the next SaveChanges, in the same transaction as the state change.
    /// </summary>
    public static void AddIntegrationEvent(this DbContext db, IIntegrationEvent message) =>
        db.Set<OutboxMessage>().Add(OutboxMessage.From(message));
}
