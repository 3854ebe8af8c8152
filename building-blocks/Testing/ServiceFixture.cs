using Community.Contracts;
using Community.Contracts.Identity;
using Community.ServiceDefaults.Auth;
using MassTransit;
using Npgsql;
using Xunit;

namespace Community.Testing;

/// <summary>
/// One service under test, the way every service's tests need it: the real service on Kestrel with a
/// database, RabbitMQ vhost and Redis key prefix of the test class's own (wired by <see cref="ResourceNames"/>), a
/// movable clock, test-signed tokens, and a bus that is ready before the first test runs. A service's fixture is a thin
/// subclass: its service name, its settings, its helpers.
/// </summary>
public abstract class ServiceFixture<TProgram> : IAsyncLifetime
    where TProgram : class
{
    protected ServiceFixture(string service)
    {
        Service = service;
        Tokens = new TestTokens(Clock) { Issued = Announce };
        _knownUsers = new KnownUsersRecorder(() => Resources?.DatabaseConnectionStrings ?? []);
    }

    private readonly KnownUsersRecorder _knownUsers;

    /// <summary>The service's <see cref="ResourceNames"/> name ("events", "payments"...).</summary>
    public string Service { get; }
    public IsolatedResources Resources { get; protected set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; }
    public ServiceHost<TProgram> Host { get; protected set; } = null!;
    public HttpClient Client { get; protected set; } = null!;

    /// <summary>What the consumers of every instance of this fixture finished with.</summary>
    public ConsumedMessages Consumed { get; } = new();

    /// <summary>
    /// The Data Protection key ring of this fixture's instances (each test class has its own, as each has its own
    /// database).
    /// </summary>
    public string KeyRingPath { get; } =
        Path.Combine(Path.GetTempPath(), "community-key-ring-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Whether the service checks tokens against <see cref="Tokens"/> (false for identity, which signs its own).
    /// </summary>
    protected virtual bool TrustsTestTokens => true;

    /// <summary>
    /// Configuration every instance of the service gets in these tests (beyond database, broker and log level).
    /// </summary>
    protected virtual void ConfigureService(IDictionary<string, string?> settings) { }

    /// <summary>Extra configuration of <see cref="Host"/> only, for a fixture that needs it.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        Host = StartHost(Settings);
        Client = NewClient(Host);
        await BusReadyAsync(Host);
        _knownUsers.Flush();
    }

    // Every user a test issues a token for exists, as if identity had announced them: UserRegistered fills known_users
    // in the services that require it. Stranger() is the exception.
    private void Announce(Guid userId)
    {
        if (TrustsTestTokens)
            _knownUsers.Record(userId);
    }

    /// <summary>The client tests use; a fixture may refuse redirects, for instance.</summary>
    protected virtual HttpClient NewClient(ServiceHost<TProgram> host) => host.NewClient();

    /// <summary>
    /// An instance of the service on this fixture's database and (unless <paramref name="brokerUri"/> says otherwise)
    /// vhost.
    /// </summary>
    public ServiceHost<TProgram> StartHost(
        IDictionary<string, string?>? extra = null,
        string? brokerUri = null,
        int port = 0
    ) => new ServiceHost<TProgram>(HostSettings(extra, brokerUri), ConfigureServices).Start(port);

    /// <summary>The configuration <see cref="StartHost"/> gives an instance, <paramref name="extra"/> last.</summary>
    public Dictionary<string, string?> HostSettings(
        IDictionary<string, string?>? extra = null,
        string? brokerUri = null
    )
    {
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.DatabaseOf(Service)}"] = Resources.DatabaseConnectionString,
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = brokerUri ?? Resources.BrokerUri,
            [$"ConnectionStrings:{ResourceNames.Redis}"] = Resources.RedisConnectionString,
            ["RealTime:RedisKeyPrefix"] = Resources.RedisKeyPrefix,
            ["RateLimits:InvalidTokens:RedisKeyPrefix"] = Resources.RedisKeyPrefix + "invalid-tokens:",
            ["Logging:LogLevel:Default"] = "Warning",
            ["DataProtection:KeyRingPath"] = KeyRingPath,
        };
        ConfigureService(settings);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        return settings;
    }

    /// <summary>
    /// The test doubles every instance gets: the clock, and the token issuer when the service trusts it (a fixture may
    /// add its own).
    /// </summary>
    public virtual void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
        // Connected by the bus itself when it is made (resolving the bus here, in a test's flow, would carry that
        // host's logging into the next host a test starts).
        services.AddReceiveObserver(_ => Consumed);
        if (TrustsTestTokens)
            services.AddSingleton<ISigningKeySource>(Tokens);
    }

    /// <summary>
    /// Waits until the host's receive endpoints are bound (the bus starts in the background): a
    /// message a test publishes before that would reach no queue.
    /// </summary>
    public static Task BusReadyAsync<T>(ServiceHost<T> host)
        where T : class =>
        Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    host.Services.GetRequiredService<IBusControl>().CheckHealth().Status == BusHealthStatus.Healthy
                ),
            $"the {typeof(T).Assembly.GetName().Name} bus never became ready"
        );

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Tokens.Dispose();
        await Resources.DisposeAsync();
        if (Directory.Exists(KeyRingPath))
            Directory.Delete(KeyRingPath, recursive: true);
    }

    /// <summary>
    /// The time stamp of the next announced message; each is a millisecond after the last, so as-of comparisons order
    /// them.
    /// </summary>
    public DateTimeOffset Tick()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        return Clock.GetUtcNow();
    }

    /// <summary>
    /// Publishes <paramref name="message"/> as its publisher would (its MessageId is the bus message id).
    /// </summary>
    public Task PublishAsync<T>(T message)
        where T : class, IIntegrationEvent =>
        Host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = message.MessageId);

    /// <summary>
    /// Waits until <paramref name="consumer"/> (a consumer's class name) handled <paramref name="messageId"/>: recorded
    /// it in its inbox, or (one that had nothing to change) finished with it on an instance of this fixture.
    /// </summary>
    public Task HandledAsync(Guid messageId, string consumer) =>
        Eventually.TrueAsync(
            async () =>
                Consumed.Has(messageId, consumer)
                || await ScalarAsync<long>(
                    "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer LIKE @consumer",
                    ("id", messageId),
                    ("consumer", "%." + consumer)
                ) == 1,
            $"{consumer} never handled {messageId}"
        );

    /// <summary>
    /// Waits until <paramref name="consumer"/> (a consumer's class name) finished with <paramref name="messageId"/>
    /// <paramref name="times"/> times on this fixture's instances: a duplicate its inbox skipped is seen this way.
    /// </summary>
    public Task ConsumedAsync(Guid messageId, string consumer, int times) =>
        Eventually.TrueAsync(
            () => Task.FromResult(Consumed.Times(messageId, consumer) >= times),
            $"{consumer} never finished with {messageId} {times} times"
        );

    /// <summary>
    /// Publishes <paramref name="message"/> and waits until <paramref name="consumer"/> (by default <c>{T}Consumer</c>)
    /// handled it.
    /// </summary>
    public async Task DeliverAsync<T>(T message, string? consumer = null)
        where T : class, IIntegrationEvent
    {
        await PublishAsync(message);
        await HandledAsync(message.MessageId, consumer ?? typeof(T).Name + "Consumer");
    }

    /// <summary>
    /// Identity announcing an account again (its answer to UserAnnouncementRequested): the registration and the
    /// profile, both as of one time, delivered in the order asked.
    /// </summary>
    public async Task AnnouncedAgainAsync(UserRegistered registered, UserProfileUpdated profile, bool profileFirst)
    {
        if (profileFirst)
            await DeliverAsync(profile);
        await DeliverAsync(registered);
        if (!profileFirst)
            await DeliverAsync(profile);
    }

    /// <summary>A new user of <paramref name="role"/> and a token for them.</summary>
    public (Guid Id, string Token) User(string role = Roles.Member)
    {
        var id = Guid.NewGuid();
        return (id, Tokens.Issue(id, role));
    }

    /// <summary>A validly signed token for a user identity never announced: a subject that does not exist.</summary>
    public (Guid Id, string Token) Stranger()
    {
        var id = Guid.NewGuid();
        return (id, TestTokens.Es256(Tokens.Key, Tokens.Kid, TestTokens.Claims(id.ToString(), Clock.GetUtcNow())));
    }

    /// <summary>A token for an existing user, dated now on the test clock.</summary>
    public string TokenFor(Guid userId, string role = Roles.Member) => Tokens.Issue(userId, role);

    public Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ExecuteAsync(Resources.DatabaseConnectionString, sql, parameters);

    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters) =>
        Sql.ScalarAsync<T>(Resources.DatabaseConnectionString, sql, parameters);

    /// <summary>
    /// Until a backend of this test's database waits on a lock (a request blocked by a row the test holds).
    /// </summary>
    public Task SomeoneWaitsOnALockAsync(string failure) =>
        Eventually.TrueAsync(
            async () =>
                await ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = "
                        + "'Lock'"
                ) > 0,
            failure
        );

    /// <summary>
    /// Until exactly <paramref name="count"/> backends of this test's database wait on a lock while running a query
    /// like <paramref name="queryLike"/> (a LIKE pattern): requests held by a row the test holds, at the statement
    /// that test means.
    /// </summary>
    public Task WaitingOnALockAsync(string queryLike, int count, string failure) =>
        DoneOrWaitingOnALockAsync(() => false, queryLike, count, failure);

    /// <summary>
    /// Until <paramref name="done"/> answers true, or exactly <paramref name="count"/> backends of this test's database
    /// wait on a lock while running a query like <paramref name="queryLike"/>: what is under test either went through
    /// at once (the code before a fix, which the test's assertions then refuse) or waits where the test means.
    /// </summary>
    public Task DoneOrWaitingOnALockAsync(Func<bool> done, string queryLike, int count, string failure) =>
        Eventually.TrueAsync(
            async () =>
                done()
                || await ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock' AND query LIKE @q",
                    ("q", queryLike)
                ) == count,
            failure
        );

    /// <summary>
    /// <paramref name="sql"/> run in a transaction of the test's own and held there until the answer is committed,
    /// rolled back or disposed (<see cref="HeldTransaction"/>).
    /// </summary>
    public Task<HeldTransaction> HoldAsync(string sql, params (string Name, object Value)[] parameters) =>
        HeldTransaction.BeginAsync(Resources.DatabaseConnectionString, sql, parameters);

    /// <summary>
    /// A race made to happen: <paramref name="sql"/> runs in a transaction of the test's own (another request's write,
    /// holding its rows), then <paramref name="start"/> starts what is under test, and the write commits once that
    /// waits on a lock; answers what was started.
    /// </summary>
    public async Task<T> CommitsWhileWaitedOnAsync<T>(
        string sql,
        Func<Task<T>> start,
        string failure,
        params (string Name, object Value)[] parameters
    )
    {
        Task<T> started;
        await using (var connection = new NpgsqlConnection(Resources.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            await command.ExecuteNonQueryAsync();
            started = start();
            await SomeoneWaitsOnALockAsync(failure);
            await transaction.CommitAsync();
        }
        return await started;
    }

    /// <summary>How many integration events of this type the service has written to its outbox.</summary>
    public Task<long> OutboxCountAsync(string eventType) =>
        Sql.OutboxCountAsync(Resources.DatabaseConnectionString, eventType);
}
