using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// Deletes the shared queues of consumers the service no longer has (<see cref="EventBusBuilder.RetireQueues"/>), with
/// the exchange of the same name MassTransit bound their messages through: a durable queue outlives the code that
/// consumed it, and its messages would pile up in the broker forever. A queue is deleted only once no consumer is
/// attached (an instance of the version before, during a rollout, still drains it); until then, and while the broker is
/// away, it is tried again every <paramref name="retry"/> (<see cref="Retry"/> as the bus wires it). Its error queue is
/// left for an operator to read.
/// </summary>
public sealed class RetiredQueues(
    Uri amqp,
    IReadOnlyList<string> queues,
    TimeSpan retry,
    TimeProvider clock,
    ILogger<RetiredQueues> logger
) : BackgroundService
{
    public static readonly TimeSpan Retry = TimeSpan.FromMinutes(1);

    private const ushort NotFound = 404;
    private const ushort InUse = 406;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var left = queues.ToList();
        while (true)
        {
            try
            {
                await using var connection = await new ConnectionFactory
                {
                    Uri = amqp,
                    ClientProvidedName = "retired-queues",
                }.CreateConnectionAsync(stoppingToken);
                foreach (var queue in left.ToArray())
                    if (await DeleteAsync(connection, queue, stoppingToken))
                        left.Remove(queue);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The broker is away (its health check says so) or the connection dropped: the next round.
                logger.LogDebug(e, "Retired queues not deleted yet: {Queues}", string.Join(", ", left));
            }
            if (left.Count == 0)
                return;
            await Task.Delay(retry, clock, stoppingToken);
        }
    }

    // True when the queue is gone (deleted now or never there); false while a consumer is attached.
    private async Task<bool> DeleteAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A refusal closes the channel: one channel a queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            // Asked first: deleting a queue that is not there succeeds too, and would be logged at every start.
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            var dropped = await channel.QueueDeleteAsync(
                queue,
                ifUnused: true,
                ifEmpty: false,
                cancellationToken: cancellationToken
            );
            await channel.ExchangeDeleteAsync(queue, ifUnused: false, cancellationToken: cancellationToken);
            logger.LogInformation(
                "Deleted the retired queue {Queue} and its exchange ({Dropped} messages nobody consumes any more)",
                queue,
                dropped
            );
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == NotFound)
        {
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == InUse)
        {
            logger.LogDebug("The retired queue {Queue} still has a consumer: tried again in {Retry}", queue, retry);
            return false;
        }
    }
}
