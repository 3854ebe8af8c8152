using System.Net.Sockets;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>
/// A service instance that speaks raw TCP on a loopback port, for the tests of how the gateway meets a failing one:
/// every connection is handed to <c>handle</c>, which reads what it wants, then answers, hangs up or holds it. Stopped
/// on dispose (the handlers' token is cancelled).
/// </summary>
public sealed class RawInstance : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private RawInstance(Func<Socket, CancellationToken, Task> handle)
    {
        _listener.Start();
        _accepting = AcceptAsync(handle);
    }

    /// <summary>Listens now; <paramref name="handle"/> owns each socket it is given.</summary>
    public static RawInstance Start(Func<Socket, CancellationToken, Task> handle) => new(handle);

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Ends a connection with a reset, as a killed process's connections end.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, CancellationToken, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => handle(socket, _stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
