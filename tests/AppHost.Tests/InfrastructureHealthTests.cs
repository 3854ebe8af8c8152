using Community.LocalInfrastructure;
using Community.Testing;

namespace Community.AppHost.Tests;

/// <summary>
/// The infrastructure rows' probes against real servers: a live one is Healthy, one that does not answer (a port
/// nobody listens on, a Redis stopped) Unhealthy with the error, and each change is logged once.
/// </summary>
public sealed class InfrastructureHealthTests : IAsyncLifetime
{
    private readonly ConsoleOutput _console = new();
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(InfrastructureHealthTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    private Task CheckAsync(Resource resource, Func<CancellationToken, Task<string?>> probe) =>
        InfrastructureHealth.CheckAsync(resource, probe, "answers", _console, CancellationToken.None);

    [Fact]
    public async Task PostgreSQL_is_healthy_while_it_answers_SELECT_1_and_unhealthy_with_the_error_when_not()
    {
        var postgres = new Resource("postgres", "postgres");
        var live = _resources.DatabaseConnectionString;
        var dead = $"Host=127.0.0.1;Port={LoopbackPorts.Take()};Username=community;Password=x";

        await CheckAsync(postgres, t => InfrastructureHealth.PostgresAsync(live, t));
        Assert.Equal(ResourceState.Healthy, postgres.State);
        Assert.StartsWith("answers at ", postgres.LastHealth, StringComparison.Ordinal);
        Assert.Empty(postgres.Logs.Snapshot()); // the first answer changes nothing

        await CheckAsync(postgres, t => InfrastructureHealth.PostgresAsync(dead, t));
        await CheckAsync(postgres, t => InfrastructureHealth.PostgresAsync(dead, t));
        Assert.Equal(ResourceState.Unhealthy, postgres.State);
        Assert.DoesNotContain("answers", postgres.LastHealth, StringComparison.Ordinal);
        Assert.Contains("unhealthy: ", Assert.Single(postgres.Logs.Snapshot()), StringComparison.Ordinal);

        await CheckAsync(postgres, t => InfrastructureHealth.PostgresAsync(live, t));
        Assert.Equal(ResourceState.Healthy, postgres.State);
        Assert.Contains("healthy again", postgres.Logs.Snapshot()[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RabbitMQ_is_healthy_while_its_AMQP_port_takes_connections_and_unhealthy_when_not()
    {
        var rabbitMq = new Resource("rabbitmq", "rabbitmq");
        var broker = _resources.RabbitMq;

        await CheckAsync(rabbitMq, t => InfrastructureHealth.AmqpAsync(broker.Host, broker.Port, t));
        Assert.Equal(ResourceState.Healthy, rabbitMq.State);

        await CheckAsync(rabbitMq, t => InfrastructureHealth.AmqpAsync("127.0.0.1", LoopbackPorts.Take(), t));
        Assert.Equal(ResourceState.Unhealthy, rabbitMq.State);
        Assert.Contains("unhealthy: ", Assert.Single(rabbitMq.Logs.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_healthy_server_that_fails_one_probe_and_answers_the_next_stays_healthy_and_nothing_is_told()
    {
        var resource = new Resource("postgres", "postgres");
        await CheckAsync(resource, _ => Task.FromResult<string?>(null));
        var answers = new Queue<string?>(["no answer within 3 s", null]);

        await CheckAsync(resource, _ => Task.FromResult(answers.Dequeue()));

        Assert.Empty(answers);
        Assert.Equal(ResourceState.Healthy, resource.State);
        Assert.Empty(resource.Logs.Snapshot());

        // failing twice running is told
        await CheckAsync(resource, _ => Task.FromResult<string?>("refused"));
        Assert.Equal(ResourceState.Unhealthy, resource.State);
        Assert.EndsWith(" unhealthy: refused", Assert.Single(resource.Logs.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_stopped_is_unhealthy_and_started_again_is_healthy_again()
    {
        await using var redis = await TestInfrastructure.StartPrivateRedisAsync();
        var resource = new Resource("redis", "redis");
        Task Check() => CheckAsync(resource, t => InfrastructureHealth.RedisAsync(redis.Host, redis.Port, t));

        await Check();
        Assert.Equal(ResourceState.Healthy, resource.State);

        await redis.StopAsync();
        await Check();
        Assert.Equal(ResourceState.Unhealthy, resource.State);
        Assert.DoesNotContain("answers", resource.LastHealth, StringComparison.Ordinal);

        await redis.StartAsync();
        await Check();
        Assert.Equal(ResourceState.Healthy, resource.State);
        Assert.Equal(2, resource.Logs.Snapshot().Length);
    }
}
