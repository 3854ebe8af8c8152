using Community.Contracts;
using Microsoft.Extensions.Configuration;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Where a service reaches identity (JWKS, the revocation feed): <c>Services:identity</c>, its first instance when
/// several are listed.
/// </summary>
internal static class IdentityAddress
{
    public static string? From(IConfiguration configuration) =>
        configuration[$"Services:{ResourceNames.Identity}"]
            ?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault()
            ?.TrimEnd('/');
}
