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
}
