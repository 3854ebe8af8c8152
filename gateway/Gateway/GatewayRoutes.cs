using Community.Contracts;

namespace Community.Gateway;

/// <summary>One entry of the gateway's route table.</summary>
/// <param name="Id">YARP route id; unique.</param>
/// <param name="Path">YARP path pattern (exact path or <c>/prefix/{**rest}</c>).</param>
/// <param name="Service">The target service, one of <see cref="ResourceNames.Services"/>; also the cluster id.</param>
public sealed record GatewayRoute(string Id, string Path, string Service)
{
    /// <summary>Reachable without a token; everything else needs a valid access token at the edge.</summary>
    public bool Anonymous { get; init; }

    /// <summary>HTTP methods the route matches; null matches any method.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>
    /// A named policy from <see cref="GatewayRateLimits"/>, on top of the global per-IP / per-user limits.
    /// </summary>
    public string? RateLimitPolicy { get; init; }

    /// <summary>
    /// A larger request-body limit than the default (Http:MaxRequestBodyBytes) for this route, e.g. uploads.
    /// </summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary>Forward to this path instead of the request's own (YARP PathSet transform).</summary>
    public string? UpstreamPath { get; init; }

    /// <summary>
    /// A client's requests stay on the instance that answered its first one (YARP session affinity by a cookie): a
    /// SignalR client negotiates, then connects with the connection token one instance issued.
    /// </summary>
    public bool Pinned { get; init; }

    /// <summary>The route matches only requests that carry this query parameter (YARP's Exists match).</summary>
    public string? WithQueryParameter { get; init; }

    /// <summary>
    /// Sending the request again would do something twice (a single-use code spent, a second mail), so it is never
    /// retried on another instance (<see cref="InstanceRetries"/>), whatever its method.
    /// </summary>
    public bool ActsOnce { get; init; }
}

/// <summary>
/// The whole route table of the gateway. An exact anonymous route (with its methods) wins over
/// a protected prefix of the same service: endpoint routing prefers literal paths over
/// catch-alls and method-specific routes over method-less ones.
/// </summary>
public static class GatewayRoutes
{
    private static readonly string[] Get = [HttpMethods.Get];
    private static readonly string[] Post = [HttpMethods.Post];
    private static readonly string[] Patch = [HttpMethods.Patch];
    private static readonly string[] Put = [HttpMethods.Put];

    /// <summary>A 10 MB photo plus the multipart envelope; the events service enforces the 10 MB itself.</summary>
    public const long PhotoUploadBytes = 11 * 1024 * 1024;

    /// <summary>A 5 MB cover image plus the multipart envelope; the events service enforces the 5 MB itself.</summary>
    public const long CoverUploadBytes = 6 * 1024 * 1024;

    /// <summary>
    /// A 2 MB profile picture plus the multipart envelope; the identity service enforces the 2 MB itself.
    /// </summary>
    public const long PictureUploadBytes = 3 * 1024 * 1024;

    /// <summary>
    /// A 10 MB message attachment plus the multipart envelope; the messaging service enforces the 10 MB itself.
    /// </summary>
    public const long AttachmentUploadBytes = 11 * 1024 * 1024;

    /// <summary>
    /// A course with up to 100 long modules, created or edited; the events service enforces its own 8 MiB.
    /// </summary>
    public const long CourseBytes = 8 * 1024 * 1024;

    public static IReadOnlyList<GatewayRoute> All { get; } =
    [
        // identity: the anonymous allow-list, then the protected prefixes
        new("identity-register", "/api/v1/auth/register", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Registrations,
        },
        new("identity-register-confirm", "/api/v1/auth/register/confirm", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
        },
        new("identity-login", "/api/v1/auth/login", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Login,
        },
        // The second step of a login with two-factor sign-in on: no token yet, limited like logins.
        new("identity-login-two-factor", "/api/v1/auth/login/two-factor", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Login,
        },
        new("identity-refresh", "/api/v1/auth/refresh", ResourceNames.Identity) { Anonymous = true, Methods = Post },
        new("identity-password-forgot", "/api/v1/auth/password/forgot", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Password,
        },
        new("identity-password-reset", "/api/v1/auth/password/reset", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Password,
        },
        // Sign-in with an outside provider: the browser arrives without a token; start and exchange are limited like
        // logins.
        new("identity-external-providers", "/api/v1/auth/external/providers", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Get,
        },
        new("identity-external-start", "/api/v1/auth/external/{provider}/start", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Get,
            RateLimitPolicy = GatewayRateLimits.Login,
        },
        // Its code and state are single use: sent again, another instance would fail the sign-in the first completed.
        new("identity-external-callback", "/api/v1/auth/external/{provider}/callback", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Get,
            ActsOnce = true,
        },
        new("identity-external-exchange", "/api/v1/auth/external/exchange", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Login,
        },
        new("identity-jwks", "/.well-known/jwks.json", ResourceNames.Identity) { Anonymous = true, Methods = Get },
        // Joining and asking one's place by e-mail both mail the address they name: one budget an address. A status
        // asked by the mailed link's token mails nothing, so only the global limit holds it and it may be retried.
        new("identity-waitlist-join", "/api/v1/waitlist", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.Waitlist,
        },
        new("identity-waitlist-status-by-email", "/api/v1/waitlist/status", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Get,
            WithQueryParameter = "email",
            RateLimitPolicy = GatewayRateLimits.Waitlist,
            ActsOnce = true,
        },
        new("identity-waitlist-status", "/api/v1/waitlist/status", ResourceNames.Identity)
        {
            Anonymous = true,
            Methods = Get,
        },
        .. Prefix(ResourceNames.Identity, "/api/v1/auth"),
        new("identity-picture-upload", "/api/v1/users/me/picture", ResourceNames.Identity)
        {
            Methods = Put,
            MaxRequestBodyBytes = PictureUploadBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        .. Prefix(ResourceNames.Identity, "/api/v1/users"),
        .. Prefix(ResourceNames.Identity, "/api/v1/referrals"),
        .. Prefix(ResourceNames.Identity, "/api/v1/waitlist"),
        .. Prefix(ResourceNames.Identity, "/api/v1/admin/users"),
        // social
        .. Prefix(ResourceNames.Social, "/api/v1/profiles"),
        .. Prefix(ResourceNames.Social, "/api/v1/discover"),
        .. Prefix(ResourceNames.Social, "/api/v1/connections"),
        .. Prefix(ResourceNames.Social, "/api/v1/follows"),
        .. Prefix(ResourceNames.Social, "/api/v1/blocks"),
        .. Prefix(ResourceNames.Social, "/api/v1/groups"),
        .. Prefix(ResourceNames.Social, "/api/v1/feed"),
        .. Prefix(ResourceNames.Social, "/api/v1/dashboard"),
        .. Prefix(ResourceNames.Social, "/api/v1/network"),
        .. Prefix(ResourceNames.Social, "/api/v1/reports"),
        .. Prefix(ResourceNames.Social, "/api/v1/search"),
        // messaging (the SignalR hubs take the token from the access_token query parameter too)
        new("messaging-attachment-upload", "/api/v1/conversations/{id:guid}/attachments", ResourceNames.Messaging)
        {
            Methods = Post,
            MaxRequestBodyBytes = AttachmentUploadBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        .. Prefix(ResourceNames.Messaging, "/api/v1/conversations"),
        .. Prefix(ResourceNames.Messaging, "/api/v1/messages"),
        .. Prefix(ResourceNames.Messaging, "/api/v1/threads"),
        .. Prefix(ResourceNames.Messaging, "/api/v1/notifications"),
        .. Prefix(ResourceNames.Messaging, "/hubs", pinned: true),
        // events: public reads are anonymous (the service shows anonymous callers public events only)
        new("events-list", "/api/v1/events", ResourceNames.Events) { Anonymous = true, Methods = Get },
        new("events-nearby", "/api/v1/events/nearby", ResourceNames.Events) { Anonymous = true, Methods = Get },
        new("events-details", "/api/v1/events/{id:guid}", ResourceNames.Events) { Anonymous = true, Methods = Get },
        new("events-calendar", "/api/v1/events/{id:guid}.ics", ResourceNames.Events)
        {
            Anonymous = true,
            Methods = Get,
        },
        new("events-cover", "/api/v1/events/{id:guid}/cover", ResourceNames.Events) { Anonymous = true, Methods = Get },
        new("events-cover-upload", "/api/v1/events/{id:guid}/cover", ResourceNames.Events)
        {
            Methods = Put,
            MaxRequestBodyBytes = CoverUploadBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        new("events-photo-upload", "/api/v1/events/{id:guid}/photos", ResourceNames.Events)
        {
            Methods = Post,
            MaxRequestBodyBytes = PhotoUploadBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        .. Prefix(ResourceNames.Events, "/api/v1/events"),
        new("events-course-create", "/api/v1/courses", ResourceNames.Events)
        {
            Methods = Post,
            MaxRequestBodyBytes = CourseBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        new("events-course-update", "/api/v1/courses/{id:guid}", ResourceNames.Events)
        {
            Methods = Patch,
            MaxRequestBodyBytes = CourseBytes,
            RateLimitPolicy = GatewayRateLimits.Uploads,
        },
        .. Prefix(ResourceNames.Events, "/api/v1/courses"),
        // payments: Stripe signs its webhook itself; the sandbox serves the offline checkout page
        new("payments-webhook-stripe", "/webhooks/stripe", ResourceNames.Payments)
        {
            Anonymous = true,
            Methods = Post,
            RateLimitPolicy = GatewayRateLimits.StripeWebhook,
        },
        .. Prefix(ResourceNames.Payments, "/api/v1/payments"),
        .. Prefix(ResourceNames.Payments, "/api/v1/credits"),
        .. Prefix(ResourceNames.Payments, "/api/v1/subscriptions"),
        .. Prefix(ResourceNames.Payments, "/api/v1/boosts"),
        .. Prefix(ResourceNames.Payments, "/webhooks/stripe"),
        .. Prefix(ResourceNames.Payments, "/sandbox", anonymous: true),
        // ai-companion
        .. Prefix(ResourceNames.AiCompanion, "/api/v1/companion"),
        .. Prefix(ResourceNames.AiCompanion, "/api/v1/activity"),
        // every service's OpenAPI document, for the Swagger UI, and the chat hub's AsyncAPI document
        .. ResourceNames.Services.Select(OpenApiDocument),
        new($"{ResourceNames.Messaging}-asyncapi", AsyncApiPath(ResourceNames.Messaging), ResourceNames.Messaging)
        {
            Anonymous = true,
            Methods = Get,
        },
    ];

    /// <summary>
    /// The address of a service's AsyncAPI document (its hubs), at the gateway and at the service alike.
    /// </summary>
    public static string AsyncApiPath(string service) => $"/asyncapi/{service}.json";

    /// <summary>The gateway's address of a service's OpenAPI document.</summary>
    public static string OpenApiPath(string service) => $"/openapi/{service}.json";

    /// <summary>The prefix itself and everything below it.</summary>
    private static GatewayRoute[] Prefix(string service, string prefix, bool anonymous = false, bool pinned = false)
    {
        var id = service + "-" + prefix.Trim('/').Replace("api/v1/", "").Replace('/', '-');
        return
        [
            new(id, prefix, service) { Anonymous = anonymous, Pinned = pinned },
            new(id + "-rest", prefix + "/{**rest}", service) { Anonymous = anonymous, Pinned = pinned },
        ];
    }

    private static GatewayRoute OpenApiDocument(string service) =>
        new($"{service}-openapi", OpenApiPath(service), service)
        {
            Anonymous = true,
            Methods = Get,
            UpstreamPath = "/openapi/v1.json",
        };
}
