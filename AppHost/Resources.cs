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

/// <summary>One process AppHost runs: a service, or one of its replicas (<c>--replicas</c>).</summary>
/// <param name="Name">The resource's name: the service's, or <c>messaging-1</c>, <c>messaging-2</c>... of
/// replicas.</param>
/// <param name="Url">Where this process listens.</param>
internal sealed record ServiceInstance(ServiceDefinition Service, string Name, string Url);

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
        new(ResourceNames.Identity, "services/identity/Identity.Api/Identity.Api.csproj"),
        new(ResourceNames.Social, "services/social/Social.Api/Social.Api.csproj"),
        new(ResourceNames.Messaging, "services/messaging/Messaging.Api/Messaging.Api.csproj"),
        new(ResourceNames.Events, "services/events/Events.Api/Events.Api.csproj"),
        new(ResourceNames.Payments, "services/payments/Payments.Api/Payments.Api.csproj"),
        new(ResourceNames.AiCompanion, "services/ai-companion/AiCompanion.Api/AiCompanion.Api.csproj"),
        new(ResourceNames.Gateway, "gateway/Gateway/Gateway.csproj", UsesDatabase: false, UsesBroker: false),
    ];

    /// <summary>The declared services whose project folder exists under <paramref name="root"/>.</summary>
    public static IReadOnlyList<ServiceDefinition> Present(string root) =>
        Declared.Where(s => Directory.Exists(Path.GetDirectoryName(Path.Combine(root, s.Project)))).ToList();

    /// <summary>
    /// The processes to run, in start order: one per service, or <c>name-1</c>..<c>name-n</c> for a service that
    /// <paramref name="replicasOf"/> gives n &gt; 1; each listens on the URL <paramref name="urlOf"/> gives it.
    /// </summary>
    public static IReadOnlyList<ServiceInstance> Instances(
        IReadOnlyList<ServiceDefinition> services,
        Func<string, int> replicasOf,
        Func<ServiceDefinition, string> urlOf
    ) => Instances(services, replicasOf, (service, _) => urlOf(service));

    /// <summary>
    /// As the other overload; <paramref name="urlOf"/> is also given the instance's number (1 to n), so that the first
    /// gateway takes the advertised address and the others ports of their own.
    /// </summary>
    public static IReadOnlyList<ServiceInstance> Instances(
        IReadOnlyList<ServiceDefinition> services,
        Func<string, int> replicasOf,
        Func<ServiceDefinition, int, string> urlOf
    ) =>
        services
            .SelectMany(service =>
                replicasOf(service.Name) is var count && count > 1
                    ? Enumerable
                        .Range(1, count)
                        .Select(i => new ServiceInstance(service, $"{service.Name}-{i}", urlOf(service, i)))
                    : [new ServiceInstance(service, service.Name, urlOf(service, 1))]
            )
            .ToList();

    /// <summary>Gateway <paramref name="number"/>'s address: the advertised one, else a port of its host.</summary>
    public static string GatewayUrl(string advertised, int number, Func<int> freePort) =>
        number == 1
            ? advertised
            : new UriBuilder(advertised) { Port = freePort() }.Uri.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// Service name to its instances' addresses, separated by ';' (the gateway's <c>Services:&lt;name&gt;</c>).
    /// </summary>
    public static Dictionary<string, string> Addresses(IEnumerable<ServiceInstance> instances) =>
        instances.GroupBy(i => i.Service.Name).ToDictionary(g => g.Key, g => string.Join(';', g.Select(i => i.Url)));
}
