using Community.Contracts;

namespace Community.AppHost;

/// <summary>What AppHost knows when it builds one service's environment variables.</summary>
/// <param name="GatewayUrl">The public address (<c>--gateway-url</c>); every URL handed to clients starts with
/// it.</param>
/// <param name="Addresses">Service name to its address; of a service run as replicas, theirs separated by ';'.</param>
/// <param name="Databases">Resource name to the connection string of its own database.</param>
/// <param name="Broker">The <c>community</c> vhost's amqp:// URI.</param>
/// <param name="OtlpEndpoint">Where services export telemetry: the operator's OTEL_EXPORTER_OTLP_ENDPOINT, else the
/// dashboard's receiver.</param>
/// <param name="OtlpProtocol">OTEL_EXPORTER_OTLP_PROTOCOL with it (the dashboard speaks http/protobuf).</param>
/// <param name="Admin">The local admin identity creates; only ever given in Development.</param>
/// <param name="EnvironmentName">ASPNETCORE_ENVIRONMENT of every child.</param>
/// <param name="Redis">The private Redis ("host:port"): hub limits and the gateway's rate limits, shared by
/// instances.</param>
/// <param name="CorsOrigins">Browser origins the gateway allows (<c>--cors-origins</c>).</param>
internal sealed record PlatformEnvironment(
    string GatewayUrl,
    IReadOnlyDictionary<string, string> Addresses,
    IReadOnlyDictionary<string, string> Databases,
    string Broker,
    string? OtlpEndpoint = null,
    LocalAdmin? Admin = null,
    string EnvironmentName = ServiceEnvironment.Development,
    string? KeyRingPath = null,
    string? RevocationFeedKey = null,
    string? OtlpProtocol = null,
    string? Redis = null,
    IReadOnlyList<string>? CorsOrigins = null
);

internal static class ServiceEnvironment
{
    /// <summary>
    /// Where services export telemetry: the operator's own collector when OTEL_EXPORTER_OTLP_ENDPOINT
    /// is set (with their protocol), otherwise the dashboard's OTLP/HTTP receiver.
    /// </summary>
    public static (string Endpoint, string? Protocol) OtlpTarget(
        string dashboardOtlpEndpoint,
        Func<string, string?> variable
    ) =>
        variable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } own
            ? (own, variable("OTEL_EXPORTER_OTLP_PROTOCOL") is { Length: > 0 } protocol ? protocol : null)
            : (dashboardOtlpEndpoint, "http/protobuf");

    /// <summary>The environment every child runs in: AppHost is a local, development-only orchestrator.</summary>
    public const string Development = "Development";

    /// <summary>
    /// Settings that hold a URL clients are given (checkout pages, links in e-mails), each built
    /// from the gateway's public address. README lists them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PublicUrls(string gatewayUrl)
    {
        var gateway = gatewayUrl.TrimEnd('/');
        return new Dictionary<string, string>
        {
            ["Payments__PublicBaseUrl"] = gateway,
            ["Identity__PasswordResetUrl"] = $"{gateway}/reset-password?token=",
            ["Identity__RegistrationConfirmUrl"] = $"{gateway}/confirm-registration?token=",
            ["Identity__WaitlistStatusUrl"] = $"{gateway}/app/waitlist?token=",
            // An outside sign-in comes back to {gateway}/api/v1/auth/external/{provider}/callback, then to the web
            // client's page that takes the one-time code (no other page of the origin).
            ["Identity__GatewayUrl"] = gateway,
            ["Identity__ExternalLoginClientRedirects__0"] = $"{gateway}/app/signed-in",
        };
    }

    /// <summary>
    /// The environment of <paramref name="service"/> run once, given the others in <paramref name="services"/>.
    /// </summary>
    public static Dictionary<string, string> For(
        ServiceDefinition service,
        IReadOnlyList<ServiceDefinition> services,
        PlatformEnvironment platform
    ) => For(new ServiceInstance(service, service.Name, platform.Addresses[service.Name]), services, platform);

    /// <summary>
    /// The environment variables of one process of a service (a replica listens on its own URL and reports its own
    /// <c>service.instance.id</c>), given the others in <paramref name="services"/>.
    /// </summary>
    public static Dictionary<string, string> For(
        ServiceInstance instance,
        IReadOnlyList<ServiceDefinition> services,
        PlatformEnvironment platform
    )
    {
        var service = instance.Service;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = instance.Url,
            ["ASPNETCORE_ENVIRONMENT"] = platform.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = platform.EnvironmentName,
            ["OTEL_SERVICE_NAME"] = service.Name,
            // telemetry tells replicas apart by it (the dashboard's resource name)
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instance.Name}",
        };
        if (platform.RevocationFeedKey is not null)
        {
            environment["Revocations__FeedKey"] = platform.RevocationFeedKey;
        }
        if (platform.KeyRingPath is not null)
        {
            // Encrypts the secrets services keep in their databases; a mounted Kubernetes Secret in production.
            environment["DataProtection__KeyRingPath"] = platform.KeyRingPath;
        }
        if (service.UsesDatabase)
        {
            environment[$"ConnectionStrings__{ResourceNames.DatabaseOf(service.Name)}"] = platform.Databases[
                service.Name
            ];
        }
        if (service.UsesBroker)
        {
            environment[$"ConnectionStrings__{ResourceNames.RabbitMq}"] = platform.Broker;
        }
        // the hub backplane and shared ephemeral state (the gateway's rate limit windows); harmless where unused
        if (platform.Redis is not null && (service.UsesBroker || service.IsGateway))
        {
            environment[$"ConnectionStrings__{ResourceNames.Redis}"] = platform.Redis;
        }
        if (service.IsGateway)
        {
            foreach (var (origin, i) in (platform.CorsOrigins ?? []).Select((o, i) => (o, i)))
            {
                environment[$"Cors__AllowedOrigins__{i}"] = origin;
            }
        }
        else
        {
            // The gateway reaches services over loopback: it is the one proxy whose X-Forwarded-For they believe.
            environment["Http__TrustedNetworks__0"] = "127.0.0.1";
        }
        // every instance of each: the gateway spreads a service's routes over them; the services call identity's first
        foreach (var other in services.Where(s => !s.IsGateway))
        {
            environment[$"Services__{other.Name}"] = platform.Addresses[other.Name];
        }
        if (platform.OtlpEndpoint is { Length: > 0 } otlp)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
            if (platform.OtlpProtocol is { Length: > 0 } protocol)
            {
                environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
            }
            // the dashboard's request rates want fresher points than the SDK's 60 s default
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = Environment.GetEnvironmentVariable(
                "OTEL_METRIC_EXPORT_INTERVAL"
            )
                is { Length: > 0 } interval
                ? interval
                : "5000";
        }
        // every service gets them: a setting is harmless where unused, and a new service's link cannot be forgotten
        foreach (var (key, value) in PublicUrls(platform.GatewayUrl))
        {
            environment[key] = value;
        }
        // a generated password is a convenience for a local run, never a way into anything else
        if (
            service.Name == ResourceNames.Identity
            && platform.Admin is not null
            && platform.EnvironmentName == Development
        )
        {
            foreach (var (key, value) in platform.Admin.Settings)
            {
                environment[key] = value;
            }
        }
        return environment;
    }
}
