using System.Net;
using System.Net.Sockets;

namespace Community.LocalInfrastructure.Internal;

internal static class FreePorts
{
    /// <summary>
    /// Distinct free loopback ports, found by binding port 0. All listeners stay open until every
    /// port is chosen so the kernel cannot hand out the same port twice.
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    public static int Take() => Take(1)[0];

    /// <summary>True when something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
