using Community.Contracts;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Where a service reaches identity (JWKS, the revocation feed): <c>Services:identity</c>, one or several instances
/// separated by ';'.
/// </summary>
internal static class IdentityAddress
{
    /// <summary>The first instance.</summary>
    public static string? From(IConfiguration configuration) => All(configuration).FirstOrDefault();

    /// <summary>Every instance listed, in order.</summary>
    public static IReadOnlyList<string> All(IConfiguration configuration) =>
        configuration[$"Services:{ResourceNames.Identity}"]
            ?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(address => address.TrimEnd('/'))
            .ToList()
        ?? [];
}
