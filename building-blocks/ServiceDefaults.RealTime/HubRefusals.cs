using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.RealTime;

/// <summary>
/// Hub calls refused on purpose answer as REST refusals do: a <see cref="DomainException"/> becomes a
/// <see cref="HubException"/> the client reads ("404 Not found: ..."), and a refusal (that, or a HubException such as
/// the session guard's) is logged at Information; the rate limit's at Debug (<see cref="HubCallsLimited"/>).
/// A call cancelled because its connection ended is logged at Debug. A
/// <see cref="ServiceUnavailableException"/> (something the call depends on is down or full) is a Warning without its
/// stack; any other 5xx domain exception is still an Error, as is a database fault that may pass (answered "503
/// Service unavailable: ...", so a client knows to call again), and anything else is left to SignalR, which logs it
/// as an Error. Runs first among the hub filters, so it sees every other filter's refusals.
/// </summary>
public sealed class HubRefusalFilter(ILogger<HubRefusalFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext,
        Func<HubInvocationContext, ValueTask<object?>> next
    )
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException e) when (HubCallsLimited.Is(e))
        {
            logger.LogDebug("Hub method {HubMethod} refused: {Reason}", invocationContext.HubMethodName, e.Message);
            throw;
        }
        catch (HubException e)
        {
            Refused(invocationContext, e.Message);
            throw;
        }
        catch (DomainException e)
        {
            var answer = new HubException($"{e.StatusCode} {e.Title}: {Detail(e)}", e);
            if (e is ServiceUnavailableException)
                // As a REST request's 503: what the call depends on is down or full, said once without a stack.
                logger.LogWarning(
                    "Hub method {HubMethod} answered 503: {Detail} (cause: {Cause})",
                    invocationContext.HubMethodName,
                    e.Message,
                    e.Data["cause"] as string ?? "none given"
                );
            else if (e.StatusCode >= 500)
                logger.LogError(
                    e,
                    "Hub method {HubMethod} failed with {Status}",
                    invocationContext.HubMethodName,
                    e.StatusCode
                );
            else
                Refused(invocationContext, answer.Message);
            throw answer;
        }
        catch (OperationCanceledException e) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            // The call ran on the connection's token, and the connection ended (the client left, or this instance
            // closed it as it stops): nobody waits for the answer, and nothing failed. SignalR would log an Error.
            logger.LogDebug("Hub method {HubMethod} cut short: its connection ended", invocationContext.HubMethodName);
            throw new HubException("The connection ended before the call completed.", e);
        }
        catch (Exception e) when (DatabaseFaults.IsTransient(e))
        {
            // As a REST request answers 503 (ProblemExceptionHandler): the client may call again shortly, where
            // SignalR's own answer ("an unexpected error occurred") tells it nothing.
            logger.LogError(
                e,
                "Hub method {HubMethod} failed: the database is busy or unreachable",
                invocationContext.HubMethodName
            );
            throw new HubException(
                "503 Service unavailable: The service's database is busy or unreachable; please try again shortly.",
                e
            );
        }
    }

    /// <summary>
    /// A connection a filter or the hub refuses as it opens (a HubException: the connection cap's race, a session
    /// ended meanwhile) is closed by SignalR with the reason in the close message; logged here at Information.
    /// </summary>
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (HubException e)
        {
            logger.LogInformation(
                "Hub connection {ConnectionId} refused: {Reason}",
                context.Context.ConnectionId,
                e.Message
            );
            throw;
        }
    }

    private void Refused(HubInvocationContext invocation, string reason) =>
        logger.LogInformation("Hub method {HubMethod} refused: {Reason}", invocation.HubMethodName, reason);

    private static string Detail(DomainException e) =>
        e is RequestValidationException v
            ? string.Join(" ", v.Errors.SelectMany(f => f.Value.Select(error => $"{f.Key}: {error}")))
            : e.Message;
}

/// <summary>
/// SignalR's handler for <typeparamref name="THub"/>, but it and its dispatcher log a <see cref="HubException"/> (a
/// refusal the client is told of, of a call or of a connection as it opens, logged by <see cref="HubRefusalFilter"/>)
/// at Debug, not as an Error with its stack trace; every other exception stays an Error. Category filters cannot tell
/// exceptions apart, hence the wrapper. It also tells <see cref="ExplainingJsonHubProtocol"/> whose messages it parses.
/// </summary>
public sealed class RefusalAwareHubConnectionHandler<THub>(
    HubLifetimeManager<THub> lifetimeManager,
    IHubProtocolResolver protocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions,
    ILoggerFactory loggerFactory,
    IUserIdProvider userIdProvider,
    Microsoft.Extensions.DependencyInjection.IServiceScopeFactory serviceScopeFactory
)
    : HubConnectionHandler<THub>(
        lifetimeManager,
        protocolResolver,
        globalHubOptions,
        hubOptions,
        new RefusalAwareLoggerFactory(loggerFactory),
        userIdProvider,
        serviceScopeFactory
    )
    where THub : Hub
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Seen by this connection's parsing only: an async method's changes to an AsyncLocal end with it.
        ExplainingJsonHubProtocol.Parsing.Value = connection;
        await base.OnConnectedAsync(connection);
    }
}

internal sealed class RefusalAwareLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>
    /// Where SignalR logs "Failed to invoke hub method" (DefaultHubDispatcher&lt;THub&gt;, type argument left out).
    /// </summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    /// <summary>
    /// Where SignalR logs "Error when dispatching 'OnConnectedAsync'" (HubConnectionHandler&lt;THub&gt;, type argument
    /// left out).
    /// </summary>
    public const string HandlerCategory = "Microsoft.AspNetCore.SignalR.HubConnectionHandler";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName is DispatcherCategory or HandlerCategory ? new RefusalAwareLogger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The application's factory: the host disposes it.
    public void Dispose() { }

    private sealed class RefusalAwareLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            var level = exception is HubException && logLevel > LogLevel.Debug ? LogLevel.Debug : logLevel;
            inner.Log(level, eventId, state, exception, formatter);
        }
    }
}
