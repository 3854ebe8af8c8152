using System.Net;
using System.Net.Sockets;

namespace Community.ServiceDefaults;

/// <summary>
/// The caller's address as every limit keys it: the connection's peer, or the address a trusted
/// proxy forwarded (see Http:TrustedNetworks); IPv4-mapped IPv6 folded to IPv4. An IPv6 caller is
/// keyed by its /64 ("2001:db8:1:2::/64"): one host or home is given a whole /64, so keying the
/// full address would let it rotate through as many "addresses" as it likes. At most 45 characters.
/// </summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress is { } ip ? Key(ip) : Unknown;

    /// <summary>The network of the caller's address (see <see cref="Network"/>), or <see cref="Unknown"/>.</summary>
    public static string NetworkOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? Network(ip) : Unknown;

    /// <summary>What the limits key <paramref name="ip"/> by.</summary>
    public static string Key(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            return ip.MapToIPv4().ToString();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(ip))
            return ip.ToString();
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>
    /// The network <paramref name="ip"/> is in, for what one party must not multiply by holding many addresses: the
    /// /24 of an IPv4 address ("203.0.113.0/24"), the /48 of an IPv6 one ("2001:db8:1::/48", a site's allocation,
    /// whose /64s each count as an address of their own); IPv4-mapped IPv6 folded to IPv4, loopback as it is.
    /// </summary>
    public static string Network(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip))
            return ip.ToString();
        var ipv4 = ip.AddressFamily == AddressFamily.InterNetwork;
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var length);
        bytes[(ipv4 ? 3 : 6)..length].Clear();
        return new IPAddress(bytes[..length]).ToString() + (ipv4 ? "/24" : "/48");
    }
}
