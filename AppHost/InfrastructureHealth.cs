using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Community.AppHost;

/// <summary>
/// What PostgreSQL, RabbitMQ and Redis answer now: a real request to each every few seconds (SELECT 1, a connection to
/// the AMQP port, PING) sets its row's state and last health answer, with a console line per change.
/// </summary>
internal static class InfrastructureHealth
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Null when <paramref name="connectionString"/>'s server answers SELECT 1; else why not.</summary>
    public static async Task<string?> PostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        // a connection of its own each time: a pooled one would not show a server that refuses new ones
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            Timeout = (int)Timeout.TotalSeconds,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is 1 ? null : "SELECT 1 did not answer 1";
    }

    /// <summary>
    /// Null when the broker's AMQP port accepts a connection. Nothing is sent: RabbitMQ logs a connection closed before
    /// any data at debug level (as load balancers' checks do), but one closed after the protocol header as a warning
    /// of a client that went away, which would fill its log every few seconds.
    /// </summary>
    public static async Task<string?> AmqpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, cancellationToken);
        return null;
    }

    /// <summary>Null when Redis at the address answers PING with PONG.</summary>
    public static async Task<string?> RedisAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, cancellationToken);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var answer = new byte[64];
        var read = await stream.ReadAsync(answer, cancellationToken);
        var text = Encoding.ASCII.GetString(answer, 0, read).TrimEnd();
        return text.StartsWith("+PONG", StringComparison.Ordinal) ? null : $"PING answered '{text}'";
    }

    /// <summary>
    /// Probes <paramref name="resource"/> once (within 3 s; a healthy one failing is asked once more a second later):
    /// Healthy with <paramref name="healthy"/>, or Unhealthy with the error; a change of state (but the first healthy
    /// answer) is written to its log and the console.
    /// </summary>
    public static async Task CheckAsync(
        Resource resource,
        Func<CancellationToken, Task<string?>> probe,
        string healthy,
        ConsoleOutput console,
        CancellationToken stopping
    )
    {
        var error = await ProbeAsync(probe, stopping);
        if (error is not null && resource.State == ResourceState.Healthy && !stopping.IsCancellationRequested)
        {
            // one slow answer on a busy machine is not an outage: asked once more a moment later before it is told
            await Task.Delay(RetryAfter, stopping).ContinueWith(_ => { }, CancellationToken.None);
            error = await ProbeAsync(probe, stopping);
        }
        if (stopping.IsCancellationRequested)
        {
            return;
        }
        var state = error is null ? ResourceState.Healthy : ResourceState.Unhealthy;
        resource.LastHealth = $"{error ?? healthy} at {DateTime.Now:HH:mm:ss}";
        var was = resource.State;
        if (was == state)
        {
            return;
        }
        resource.State = state;
        if (was == ResourceState.Starting && error is null)
        {
            return; // its first answer: nothing changed
        }
        var line = error is null ? $"healthy again: {healthy}" : $"unhealthy: {error}";
        resource.Logs.Add(line);
        console.Line(resource.Name, line, error is not null);
    }

    /// <summary>Null when <paramref name="probe"/> answers well within <see cref="Timeout"/>; else why not.</summary>
    private static async Task<string?> ProbeAsync(
        Func<CancellationToken, Task<string?>> probe,
        CancellationToken stopping
    )
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(Timeout);
        try
        {
            return await probe(timeout.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return $"no answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception e)
        {
            // whatever the probe ran into is the answer shown (a refused connection, a password refused, ...)
            return e.Message;
        }
    }

    /// <summary>Probes <paramref name="resource"/> every <see cref="Interval"/> until AppHost stops.</summary>
    public static async Task WatchAsync(
        Resource resource,
        Func<CancellationToken, Task<string?>> probe,
        string healthy,
        ConsoleOutput console,
        CancellationToken stopping
    )
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await CheckAsync(resource, probe, healthy, console, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // AppHost is stopping
        }
    }
}
