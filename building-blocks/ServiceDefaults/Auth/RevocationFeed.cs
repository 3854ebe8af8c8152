using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.Auth;

/// <summary>Identity's revocation feed, bound from the "Revocations" configuration section.</summary>
public sealed class RevocationFeedOptions
{
    public const string Section = "Revocations";

    /// <summary>The header that carries <see cref="FeedKey"/> to identity's internal feed.</summary>
    public const string KeyHeader = "Revocation-Feed-Key";

    /// <summary>identity's internal feed of revocations; never routed by the gateway.</summary>
    public const string FeedPath = "/internal/revocations";

    /// <summary>
    /// The secret identity's feed asks of its readers (AppHost makes one per run; a Kubernetes secret in production).
    /// None: no feed.
    /// </summary>
    public string? FeedKey { get; set; }

    /// <summary>
    /// How often the feed is read: every second at the gateway, which has no bus; a slow backstop where the bus
    /// delivers.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Where an instance reads revocations from: identity's feed over HTTP, or identity's own table.</summary>
public interface IRevocationSource
{
    /// <summary>Revocations after <paramref name="after"/> whose tokens may still be alive, oldest first.</summary>
    Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken);
}

/// <summary>
/// Reads <c>GET {identity}/internal/revocations?after=</c> with the shared feed key. Every identity instance serves the
/// same feed (one database): when the one last read cannot answer, the next listed is asked, so losing an instance
/// loses nothing and logs nothing.
/// </summary>
internal sealed class HttpRevocationSource(
    IHttpClientFactory httpClients,
    IConfiguration configuration,
    IOptions<RevocationFeedOptions> options
) : IRevocationSource
{
    public const string HttpClientName = "revocations";

    private readonly InstanceFailover _instances = new();

    public bool IsConfigured =>
        !string.IsNullOrEmpty(options.Value.FeedKey) && IdentityAddress.From(configuration) is not null;

    public Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken) =>
        _instances.AskAsync(
            IdentityAddress.All(configuration),
            (identity, token) => ReadFromAsync(identity, after, token),
            cancellationToken
        );

    private async Task<RevocationPage> ReadFromAsync(string identity, long after, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(
            HttpMethod.Get,
            $"{identity}{RevocationFeedOptions.FeedPath}?after={after}"
        );
        request.Headers.Add(RevocationFeedOptions.KeyHeader, options.Value.FeedKey);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<RevocationPage>(JsonOptions, cancellationToken)
            ?? throw new HttpRequestException("identity's revocation feed answered an empty body.");
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private static System.Text.Json.JsonSerializerOptions CreateJsonOptions()
    {
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(json);
        return json;
    }
}

/// <summary>
/// Reads the revocation feed on start and then every <see cref="RevocationFeedOptions.PollInterval"/>,
/// with a cursor, into this instance's <see cref="SessionRevocations"/>, until the application begins to stop: a
/// platform stopping as a whole (identity perhaps first) is not an outage to report. Until it was read once (the
/// instance is not ready before: <see cref="RevocationFeedReadCheck"/>), it is asked every
/// <see cref="UntilReadInterval"/> at most.
/// </summary>
public sealed class RevocationFeed(
    IRevocationSource source,
    SessionRevocations revocations,
    IOptions<RevocationFeedOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<RevocationFeed> logger
) : BackgroundService
{
    /// <summary>The longest wait between attempts while the feed has never been read.</summary>
    public static readonly TimeSpan UntilReadInterval = TimeSpan.FromSeconds(1);

    private long _cursor;

    /// <summary>The sequence of the last revocation read; the feed is caught up to it.</summary>
    public long Cursor => Interlocked.Read(ref _cursor);

    private volatile bool _caughtUp;

    /// <summary>
    /// Whether the feed was read to its end at least once since this instance started (or there is no feed to read):
    /// before that, a token revoked in the last minutes is not known to be revoked here.
    /// </summary>
    public bool CaughtUpOnce => _caughtUp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (source is HttpRevocationSource { IsConfigured: false })
        {
            logger.LogWarning(
                "No {Section}:FeedKey or Services:identity: revocations are not read from identity's feed here",
                RevocationFeedOptions.Section
            );
            _caughtUp = true;
            return;
        }
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(
            stoppingToken,
            lifetime.ApplicationStopping
        );
        var stopping = polling.Token;
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                RevocationPage page;
                do
                {
                    page = await source.ReadAsync(Cursor, stopping);
                    foreach (var revocation in page.Items)
                        revocations.Add(revocation);
                    Interlocked.Exchange(ref _cursor, page.Cursor);
                } while (page.Items.Count > 0);
                _caughtUp = true;
                if (failing)
                    logger.LogInformation("The revocation feed is read again");
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // Logged once per outage, not every second; the next poll tries again. A read that failed as this
                // instance began to stop is no outage.
                if (!failing && !stopping.IsCancellationRequested)
                    logger.LogWarning(
                        e,
                        "The revocation feed cannot be read; retrying every {Interval}",
                        _caughtUp ? options.Value.PollInterval : UntilReadInterval
                    );
                failing = true;
            }
            var interval = options.Value.PollInterval;
            if (!_caughtUp && interval > UntilReadInterval)
                interval = UntilReadInterval;
            await Task.Delay(interval, clock, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

public static class RevocationFeedSetup
{
    /// <summary>
    /// Keeps this instance's <see cref="SessionRevocations"/> filled from identity's feed, read every
    /// <paramref name="pollInterval"/> unless Revocations:PollInterval says otherwise. The source is
    /// identity's HTTP feed unless an <see cref="IRevocationSource"/> was registered before. The instance is not ready
    /// until the feed was read once (<see cref="RevocationFeedReadCheck"/>).
    /// </summary>
    public static IServiceCollection AddRevocationFeed(this IServiceCollection services, TimeSpan pollInterval)
    {
        if (services.Any(d => d.ServiceType == typeof(RevocationFeed)))
            return services;
        services
            .AddOptions<RevocationFeedOptions>()
            .Configure(o => o.PollInterval = pollInterval)
            .BindConfiguration(RevocationFeedOptions.Section);
        // A hung instance must not hold the poll: the next one is asked. The poll is its own resilience (the next
        // instance now, every instance again at the next poll; one warning an outage), so the platform's standard
        // handler is taken off this client: its retries would only delay asking the next instance, and it would log
        // a warning for every retried poll, e.g. each second of an identity restart, in every service.
#pragma warning disable EXTEXP0001 // the library's way to take the defaults' handler off one client
        services
            .AddHttpClient(HttpRevocationSource.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.TryAddSingleton<IRevocationSource, HttpRevocationSource>();
        services.AddSingleton<RevocationFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationFeed>());
        services
            .AddHealthChecks()
            .AddCheck<RevocationFeedReadCheck>(RevocationFeedReadCheck.Name, HealthStatus.Unhealthy, ["ready"]);
        return services;
    }
}

/// <summary>
/// Healthy once this instance has read identity's revocation feed to its end (<see cref="RevocationFeed"/>). An
/// instance (re)started while identity cannot answer would otherwise take traffic knowing none of the last minutes'
/// revocations. Later outages leave it ready: it keeps what it read, and the bus (services) or the services behind
/// it (the gateway) refuse ended sessions too.
/// </summary>
internal sealed class RevocationFeedReadCheck(RevocationFeed feed) : IHealthCheck
{
    /// <summary>The check's name in /health/ready.</summary>
    public const string Name = "revocations";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(
            feed.CaughtUpOnce
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("identity's revocation feed has not been read yet")
        );
}
