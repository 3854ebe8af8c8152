using Community.LocalInfrastructure;
using Npgsql;

namespace Community.AppHost;

/// <summary>A service's outbox: rows waiting to be published, and rows that failed for good.</summary>
internal sealed record OutboxBacklog(string Service, long? Pending, long? Failed, string? Error);

/// <summary>
/// A queue of the community vhost; <see cref="IsError"/> for MassTransit's <c>_error</c> (dead-letter) queues.
/// </summary>
internal sealed record QueueDepth(string Queue, long Messages, bool IsError);

/// <summary>
/// What the metrics view asks of the infrastructure, on demand and cached for a few seconds
/// (each rabbitmqctl call boots an Erlang VM): outbox backlogs from each service's database
/// and queue depths from the broker.
/// </summary>
internal sealed class PlatformProbes(
    IReadOnlyDictionary<string, string> databases,
    RabbitMqServer? broker,
    string virtualHost,
    TimeProvider? clock = null,
    TimeSpan? queueListingBound = null
)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    /// <summary>How long the broker may take to list its queues before the view shows the rest without them: on a
    /// loaded machine rabbitmqctl's VM has been seen to take over 20 s to boot.</summary>
    public static readonly TimeSpan QueueListingBound = TimeSpan.FromSeconds(8);

    /// <summary>How long a listing that outlived <see cref="QueueListingBound"/> may go on in the background, its
    /// answer kept for the next read, before it is given up (its rabbitmqctl killed).</summary>
    private static readonly TimeSpan QueueListingCeiling = TimeSpan.FromSeconds(90);

    private readonly TimeSpan _queueListingBound = queueListingBound ?? QueueListingBound;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The broker's listing under way, or finished and not yet shown: one at a time, whoever asks.</summary>
    private Task<IReadOnlyList<(string Queue, long Messages)>>? _listing;
    private (
        DateTimeOffset At,
        IReadOnlyList<OutboxBacklog> Outboxes,
        IReadOnlyList<QueueDepth> Queues,
        string? QueueError
    )? _cached;

    public async Task<(
        IReadOnlyList<OutboxBacklog> Outboxes,
        IReadOnlyList<QueueDepth> Queues,
        string? QueueError
    )> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } c && _clock.GetUtcNow() - c.At < CacheFor)
            {
                return (c.Outboxes, c.Queues, c.QueueError);
            }
            var outboxes = await Task.WhenAll(
                databases
                    .OrderBy(d => d.Key, StringComparer.Ordinal)
                    .Select(d => OutboxAsync(d.Key, d.Value, cancellationToken))
            );
            var (queues, error) = await QueuesAsync(cancellationToken);
            _cached = (_clock.GetUtcNow(), outboxes, queues, error);
            return (outboxes, queues, error);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<OutboxBacklog> OutboxAsync(
        string service,
        string connectionString,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "select count(*) filter (where published_at is null and failed_at is null), count(*) filter (where "
                    + "failed_at is not null) from outbox_messages",
                connection
            );
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new OutboxBacklog(service, reader.GetInt64(0), reader.GetInt64(1), null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new OutboxBacklog(service, null, null, "no outbox table (yet)");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new OutboxBacklog(service, null, null, e.Message);
        }
    }

    /// <summary>
    /// The broker's queues, waiting at most the bound for them. A listing that outlives the bound goes on, so the
    /// next read (once the cache has expired) shows its answer instead of starting a new VM that would be as slow.
    /// </summary>
    private async Task<(IReadOnlyList<QueueDepth>, string?)> QueuesAsync(CancellationToken cancellationToken)
    {
        if (broker is null)
        {
            return ([], "no broker");
        }
        // Called under _gate: no other read starts or takes a listing meanwhile.
        var listing = _listing ??= ListAsync(broker);
        try
        {
            var queues = await listing.WaitAsync(_queueListingBound, _clock, cancellationToken);
            return (
                queues
                    .OrderBy(q => q.Queue, StringComparer.Ordinal)
                    .Select(q => new QueueDepth(
                        q.Queue,
                        q.Messages,
                        q.Queue.EndsWith("_error", StringComparison.Ordinal)
                    ))
                    .ToList(),
                null
            );
        }
        catch (TimeoutException) when (!listing.IsCompleted)
        {
            return (
                [],
                $"the broker did not list its queues within {_queueListingBound.TotalSeconds:0.#} s (still asked)"
            );
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ([], $"the broker did not list its queues within {QueueListingCeiling.TotalSeconds:0} s");
        }
        catch (Exception e)
            when (e
                    is InvalidOperationException
                        or HttpRequestException
                        or TimeoutException
                        or System.Text.Json.JsonException
            )
        {
            return ([], e.Message);
        }
        finally
        {
            if (listing.IsCompleted)
            {
                _listing = null;
            }
        }
    }

    private async Task<IReadOnlyList<(string Queue, long Messages)>> ListAsync(RabbitMqServer server)
    {
        // Not the reader's token: the listing outlives the read that started it.
        using var ceiling = new CancellationTokenSource(QueueListingCeiling, _clock);
        return await server.ListQueuesAsync(virtualHost, ceiling.Token);
    }
}
