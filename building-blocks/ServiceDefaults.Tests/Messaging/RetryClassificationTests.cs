using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests.Messaging;

public sealed class OneInstanceFixture : IAsyncLifetime
{
    public const string Service = "retryprobe";

    public IsolatedResources Resources { get; private set; } = null!;
    public IHost Host { get; private set; } = null!;

    /// <summary>Every delivery a consumer of the host finished with, a skipped redelivery included.</summary>
    public ConsumedMessages Consumed { get; } = new();

    public async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(nameof(OneInstanceFixture));
        // No AddEphemeralConsumer: the assembly scan alone must not pick up the Ping probe.
        Host = await BusHosts.StartAsync(
            BusHosts.Settings(Resources, Service),
            b =>
            {
                BusHosts.WireService(b, Service, ephemeral: false);
                b.Services.AddReceiveObserver(_ => Consumed);
            }
        );
    }

    public async Task DisposeAsync()
    {
        await BusHosts.StopAsync(Host);
        await Resources.DisposeAsync();
    }
}

public sealed class RetryClassificationTests(OneInstanceFixture fx) : IClassFixture<OneInstanceFixture>
{
    private static readonly string ErrorQueue = BusHosts.SharedQueue<WorkProbe>(OneInstanceFixture.Service) + "_error";

    [Fact]
    public async Task A_permanent_domain_error_is_not_retried_and_goes_straight_to_the_error_queue()
    {
        var work = new Work(Guid.NewGuid(), Failure: "permanent");
        await BusHosts.Publish(fx.Host, work, work.Id);

        await Eventually.TrueAsync(
            async () => await BusHosts.QueueMessagesAsync(fx.Resources.BrokerUri, ErrorQueue) == 1,
            $"the message never reached {ErrorQueue}"
        );
        Assert.Equal(1, WorkProbe.Attempts[work.Id]);
        Assert.Equal(0, WorkProbe.HandledAnywhere(work.Id));
        Assert.False(WorkProbe.AfterCommits.ContainsKey(work.Id));
        Assert.Equal(
            0L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", work.Id)
            )
        );
    }

    [Fact]
    public async Task The_assembly_scan_leaves_ephemeral_consumers_out()
    {
        Assert.Equal(
            BusHosts.Queue.Shared,
            await BusHosts.QueueStateAsync(
                fx.Resources.BrokerUri,
                BusHosts.SharedQueue<WorkProbe>(OneInstanceFixture.Service)
            )
        );
        Assert.Equal(
            BusHosts.Queue.Missing,
            await BusHosts.QueueStateAsync(
                fx.Resources.BrokerUri,
                BusHosts.SharedQueue<PingProbe>(OneInstanceFixture.Service)
            )
        );
    }

    [Fact]
    public async Task A_transient_fault_is_retried_until_it_succeeds()
    {
        var work = new Work(Guid.NewGuid(), Failure: "transient");
        await BusHosts.Publish(fx.Host, work, work.Id);

        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.HandledAnywhere(work.Id) > 0),
            "the retries never handled the message"
        );
        Assert.Equal(3, WorkProbe.Attempts[work.Id]); // two failures, then success
        Assert.Equal(1, WorkProbe.HandledAnywhere(work.Id));
        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.AfterCommits.GetValueOrDefault(work.Id) == 1),
            "the after-commit step never ran"
        );
        Assert.Equal(
            1L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", work.Id)
            )
        );
    }

    [Fact]
    public async Task The_after_commit_step_runs_once_per_handled_message_and_not_for_a_redelivery()
    {
        var work = new Work(Guid.NewGuid());
        await BusHosts.Publish(fx.Host, work, work.Id);
        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.AfterCommits.GetValueOrDefault(work.Id) == 1),
            "the after-commit step never ran"
        );
        // The same message again: the inbox skips it, and with it the after-commit step.
        await BusHosts.Publish(fx.Host, work, work.Id);
        await Eventually.TrueAsync(
            () => Task.FromResult(fx.Consumed.Times(work.Id, nameof(WorkProbe)) == 2),
            "the redelivery was never consumed"
        );
        Assert.Equal(1, WorkProbe.Attempts[work.Id]);
        Assert.Equal(1, WorkProbe.AfterCommits[work.Id]);
        Assert.Equal(1, WorkProbe.HandledAnywhere(work.Id));
    }

    [Theory]
    [InlineData(typeof(Errors.NotFoundException), true)]
    [InlineData(typeof(Errors.ConflictException), true)]
    [InlineData(typeof(Errors.BusinessRuleException), true)]
    [InlineData(typeof(Errors.ForbiddenException), true)]
    [InlineData(typeof(TimeoutException), false)]
    [InlineData(typeof(InvalidOperationException), false)]
    public void Domain_refusals_are_permanent_and_other_faults_transient(Type type, bool permanent) =>
        Assert.Equal(
            permanent,
            ServiceDefaults.Messaging.RetryPolicy.IsPermanent((Exception)Activator.CreateInstance(type, "x")!)
        );

    [Fact]
    public void Validation_errors_are_permanent_and_domain_errors_that_say_try_again_are_not()
    {
        Assert.True(
            ServiceDefaults.Messaging.RetryPolicy.IsPermanent(new Errors.RequestValidationException("name", "required"))
        );
        Assert.False(
            ServiceDefaults.Messaging.RetryPolicy.IsPermanent(
                new Errors.TooManyRequestsException("slow down", TimeSpan.FromSeconds(1))
            )
        );
        Assert.False(ServiceDefaults.Messaging.RetryPolicy.IsPermanent(new UpstreamUnavailable()));
        Assert.False(
            ServiceDefaults.Messaging.RetryPolicy.IsPermanent(
                new Errors.ConflictException("being refunded right now") { RetryAfter = TimeSpan.FromSeconds(5) }
            )
        );
    }

    /// <summary>A 5xx domain error, as payments' provider-unavailable refusal: the next attempt may succeed.</summary>
    private sealed class UpstreamUnavailable() : Errors.DomainException("the provider is down")
    {
        public override int StatusCode => 502;
        public override string Title => "Upstream unavailable";
    }
}
