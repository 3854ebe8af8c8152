using System.Net;
using System.Net.Sockets;

namespace Community.Testing;

/// <summary>
/// A dead instance that still listens: it accepts every connection and resets it at once (a transient failure that a
/// standard resilience handler would retry), counting how often it was asked.
/// </summary>
public sealed class ResettingListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _resetting;
    private int _accepted;

    public ResettingListener()
    {
        _listener.Start();
        _resetting = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
        });
    }

    /// <summary>Its address, e.g. http://127.0.0.1:41234 (no trailing '/').</summary>
    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The connections it accepted (and reset) so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _resetting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
