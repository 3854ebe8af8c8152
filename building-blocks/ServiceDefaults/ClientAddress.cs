namespace Community.ServiceDefaults;

/// <summary>
/// The caller's address as every limit keys it: the connection's peer, or the address a trusted
/// proxy forwarded (see Http:TrustedNetworks); IPv4-mapped IPv6 folded to IPv4. At most 45 characters.
/// </summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    public static string Of(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
            : Unknown;
}
