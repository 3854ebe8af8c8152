using Yarp.ReverseProxy.Forwarder;

namespace Community.Gateway;

/// <summary>
/// A step of the proxy pipeline that logs what the forwarder reports by whose fault it is: a service that failed
/// (refused, timed out, broke its response) is a Warning an operator acts on; a caller that went away (a browser
/// closing its WebSocket, a cancelled request) is Debug. YARP's own forwarder log, which warns for both, is kept to
/// errors. A service's failures are summed up per instance (<see cref="ForwardingFailures"/>).
/// </summary>
public static class ForwardingLog
{
    public const string Category = "Community.Gateway.Forwarding";

    /// <summary>YARP's forwarder category: its per-request warnings are replaced by this step's.</summary>
    public const string ForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    /// <summary>How long after an instance's first logged failure its others are only counted
    /// (<c>ForwardingLog:Window</c>, one minute by default).</summary>
    public const string WindowSetting = "ForwardingLog:Window";

    public static IServiceCollection AddForwardingLog(this IServiceCollection services, IConfiguration configuration)
    {
        var window = configuration.GetValue(WindowSetting, TimeSpan.FromMinutes(1));
        return services.AddSingleton(sp => new ForwardingFailures(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(Category),
            window
        ));
    }

    public static IApplicationBuilder UseForwardingLog(this IApplicationBuilder proxy) =>
        proxy.Use(
            async (context, next) =>
            {
                await next(context);
                if (context.GetForwarderErrorFeature() is not { } error)
                    return;

                var proxied = context.GetReverseProxyFeature();
                var service = proxied.Cluster.Config.ClusterId;
                if (ServiceUnavailable.IsServiceFailure(error.Error))
                {
                    context
                        .RequestServices.GetRequiredService<ForwardingFailures>()
                        .Report(context, service, proxied.ProxiedDestination?.DestinationId, error);
                    return;
                }
                context
                    .RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger(Category)
                    .LogDebug(
                        error.Exception,
                        "The caller ended {Method} {Path} to {Service}: {Error}",
                        context.Request.Method,
                        context.Request.Path,
                        service,
                        error.Error
                    );
            }
        );
}

/// <summary>
/// The innermost step of the proxy pipeline: an upgraded connection (a hub's WebSocket) that the service ends abruptly
/// once the upgrade went through is the service's choice, not its failure. A server ends a WebSocket so when its client
/// does not answer the close within the close timeout: a session ended, a client gone quiet (a tab asleep, a phone off
/// the network), an instance stopping. YARP counts it as a failed forward of that instance (passive health) and this
/// gateway would warn of it, so it is taken off the request here, before either sees it, and logged at Debug. An
/// instance that is down is still told by the forwards that cannot reach it and by its readiness probe.
/// </summary>
public static class UpgradedConnectionEnds
{
    public static IApplicationBuilder UseUpgradedConnectionEnds(this IApplicationBuilder proxy) =>
        proxy.Use(
            async (context, next) =>
            {
                await next(context);
                if (
                    context.GetForwarderErrorFeature()
                    is not {
                        Error: ForwarderError.UpgradeResponseDestination or ForwarderError.UpgradeRequestDestination
                    } error
                )
                    return;
                context.Features.Set<IForwarderErrorFeature>(null);
                context
                    .RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger(ForwardingLog.Category)
                    .LogDebug(
                        error.Exception,
                        "{Service} ended the upgraded connection {Path} abruptly: {Error}",
                        context.GetReverseProxyFeature().Cluster.Config.ClusterId,
                        context.Request.Path,
                        error.Error
                    );
            }
        );
}

/// <summary>
/// A service's forwarding failures, per instance: the first is logged whole (a Warning with its exception), the others
/// within the window after it are counted and logged as one Warning when the window ends. An instance that stops
/// answering under thousands of requests is two lines an operator reads, not thousands (its open WebSockets ending are
/// not counted: <see cref="UpgradedConnectionEnds"/>).
/// </summary>
public sealed class ForwardingFailures(TimeProvider clock, ILogger logger, TimeSpan window) : IDisposable
{
    private sealed class Window(string service, string instance)
    {
        public string Service { get; } = service;
        public string Instance { get; } = instance;
        public Dictionary<ForwarderError, int> Counted { get; } = [];
        public ITimer? Timer { get; set; }
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Service, string Instance), Window> _open = [];

    public void Report(HttpContext context, string service, string? instance, IForwarderErrorFeature error)
    {
        instance ??= "no instance";
        lock (_gate)
        {
            if (_open.TryGetValue((service, instance), out var counting))
            {
                counting.Counted[error.Error] = counting.Counted.GetValueOrDefault(error.Error) + 1;
                return;
            }
            var opened = new Window(service, instance);
            _open[(service, instance)] = opened;
            opened.Timer = clock.CreateTimer(_ => Close(opened), null, window, Timeout.InfiniteTimeSpan);
        }
        logger.LogWarning(
            error.Exception,
            "Forwarding {Method} {Path} to {Service} ({Instance}) failed: {Error}",
            context.Request.Method,
            context.Request.Path,
            service,
            instance,
            error.Error
        );
    }

    private void Close(Window closing)
    {
        lock (_gate)
        {
            _open.Remove((closing.Service, closing.Instance));
            closing.Timer?.Dispose();
        }
        if (closing.Counted.Count == 0)
            return;
        logger.LogWarning(
            "{Count} more requests to {Service} ({Instance}) failed within {Window} of the first: {Errors}",
            closing.Counted.Values.Sum(),
            closing.Service,
            closing.Instance,
            window,
            string.Join(", ", closing.Counted.OrderBy(c => c.Key).Select(c => $"{c.Key} x{c.Value}"))
        );
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var open in _open.Values)
                open.Timer?.Dispose();
            _open.Clear();
        }
    }
}
