using Community.Contracts;

namespace Community.AppHost;

/// <summary>A .NET project AppHost builds and runs as a child process.</summary>
/// <param name="Name">Resource name (<see cref="ResourceNames"/>): log prefix, configuration keys, database.</param>
/// <param name="Project">Project file, relative to the repository root.</param>
/// <param name="UsesDatabase">Gets its own database as <c>ConnectionStrings__&lt;name&gt;-db</c>.</param>
/// <param name="UsesBroker">Gets the <c>community</c> vhost as <c>ConnectionStrings__rabbitmq</c>.</param>
internal sealed record ServiceDefinition(string Name, string Project, bool UsesDatabase = true, bool UsesBroker = true)
{
    public bool IsGateway => Name == ResourceNames.Gateway;
}

internal static class Resources
{
    /// <summary>The RabbitMQ virtual host every service shares in a local run.</summary>
    public const string VirtualHost = "community";

    /// <summary>
    /// Everything AppHost runs, in start order (the gateway last). A service whose project
    /// folder does not exist yet is skipped, so a new service needs only its line here.
    /// </summary>
    public static readonly IReadOnlyList<ServiceDefinition> Declared =
    [
        new(ResourceNames.Identity,    "services/identity/Identity.Api/Identity.Api.csproj"),
        new(ResourceNames.Social,      "services/social/Social.Api/Social.Api.csproj"),
        new(ResourceNames.Messaging,   "services/messaging/Messaging.Api/Messaging.Api.csproj"),
        new(ResourceNames.Events,      "services/events/Events.Api/Events.Api.csproj"),
        new(ResourceNames.Payments,    "services/payments/Payments.Api/Payments.Api.csproj"),
        new(ResourceNames.AiCompanion, "services/ai-companion/AiCompanion.Api/AiCompanion.Api.csproj"),
        new(ResourceNames.Gateway,     "gateway/Gateway/Gateway.csproj", UsesDatabase: false, UsesBroker: false),
    ];

    /// <summary>The declared services whose project folder exists under <paramref name="root"/>.</summary>
    public static IReadOnlyList<ServiceDefinition> Present(string root) =>
        Declared.Where(s => Directory.Exists(Path.GetDirectoryName(Path.Combine(root, s.Project)))).ToList();
}
