namespace Community.Contracts;

/// <summary>
/// Names of resources shared by AppHost, tests, configuration and services, so a rename
/// cannot silently break the wiring between them.
/// </summary>
public static class ResourceNames
{
    /// <summary>Connection-string name of the RabbitMQ broker (an amqp:// URI, vhost in the path).</summary>
    public const string RabbitMq = "rabbitmq";

    /// <summary>
    /// Connection-string name of the Redis server (a StackExchange.Redis configuration string, "host:port").
    /// </summary>
    public const string Redis = "redis";

    public const string Gateway = "gateway";

    public const string Identity = "identity";
    public const string Social = "social";
    public const string Messaging = "messaging";
    public const string Events = "events";
    public const string Payments = "payments";
    public const string AiCompanion = "ai-companion";

    /// <summary>Connection-string name of a service's own database: "identity-db", "events-db"...</summary>
    public static string DatabaseOf(string service) => service + "-db";

    /// <summary>The PostgreSQL database name for a service ("ai-companion" becomes "ai_companion").</summary>
    public static string DatabaseNameOf(string service) => service.Replace('-', '_');

    /// <summary>Every service the platform will have, in start order.</summary>
    public static readonly IReadOnlyList<string> Services =
    [
        Identity,
        Social,
        Messaging,
        Events,
        Payments,
        AiCompanion,
    ];
}
