using System.Net;
using System.Net.Sockets;

namespace Community.LocalInfrastructure;

/// <summary>
/// Loopback ports for servers whose address others must know before they bind it (AppHost's services, a private
/// PostgreSQL or broker, a gateway named in a service's settings in a test). Chosen below the kernel's ephemeral
/// range, so that between the choice and the bind no outgoing connection (a database, broker or Redis client) can be
/// given the port as its local end, as one chosen by binding port 0 can. Each is checked free when chosen and handed
/// out once per process; another process choosing the same one at random in the same seconds is the one race left.
/// </summary>
public static class LoopbackPorts
{
    // Below Linux's default ephemeral range (32768-60999); where a range starts too low for that, above it.
    private const int Lowest = 20000;
    private const int Highest = 32767;
    private static readonly HashSet<int> Given = [];

    /// <summary>The ports the kernel may pick for a connection's local end, from ip_local_port_range.</summary>
    public static (int First, int Last) EphemeralRange { get; } = ReadEphemeralRange();

    /// <summary>One free loopback port outside <see cref="EphemeralRange"/> (where the range leaves room).</summary>
    public static int Take() => Take(1)[0];

    /// <summary>
    /// Distinct free loopback ports outside <see cref="EphemeralRange"/> (where the range leaves room).
    /// </summary>
    public static int[] Take(int count)
    {
        var (low, high) = Candidates();
        var ports = new int[count];
        lock (Given)
        {
            for (var i = 0; i < count; i++)
                ports[i] = TakeOne(low, high);
        }
        return ports;
    }

    private static int TakeOne(int low, int high)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(low, high + 1);
            if (Given.Contains(port) || !IsFree(port))
                continue;
            Given.Add(port);
            return port;
        }
        throw new InvalidOperationException($"No free loopback port between {low} and {high} after 1,000 tries.");
    }

    private static (int Low, int High) Candidates()
    {
        var (first, last) = EphemeralRange;
        if (first > Lowest + 1000)
            return (Lowest, Math.Min(Highest, first - 1));
        // A range that starts lower: the ports above it, else those below it, else (no room outside it) its own.
        if (last < 64000)
            return (last + 1, 65000);
        return first > 2024 ? (1024, first - 1) : (first, last);
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int, int) ReadEphemeralRange()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        string[] parts;
        try
        {
            parts = File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            parts = []; // not Linux, or not readable here: Linux's default
        }
        return parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last)
            ? (first, last)
            : (32768, 60999);
    }
}
