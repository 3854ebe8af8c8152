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
        Split(configuration[$"Services:{ResourceNames.Identity}"]);

    /// <summary>A ';'-separated list of addresses, each without its trailing '/'.</summary>
    public static IReadOnlyList<string> Split(string? addresses) =>
        addresses
            ?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(address => address.TrimEnd('/'))
            .ToList()
        ?? [];
}

/// <summary>
/// Asks one of several instances that serve the same thing (every identity instance reads one database): first the
/// one that answered last, then each next one listed, so losing an instance costs one failed request and no wait.
/// The instances' own retries are not wanted on top (each would delay asking the next instance): the HTTP client
/// used has no resilience handler, only a timeout.
/// </summary>
internal sealed class InstanceFailover
{
    private int _preferred;

    /// <summary>The first answer of <paramref name="ask"/> over <paramref name="addresses"/>; when none answers, the
    /// last failure.</summary>
    public async Task<T> AskAsync<T>(
        IReadOnlyList<string> addresses,
        Func<string, CancellationToken, Task<T>> ask,
        CancellationToken cancellationToken
    )
    {
        Exception? failure = null;
        var first = Volatile.Read(ref _preferred);
        for (var i = 0; i < addresses.Count; i++)
        {
            var index = (first + i) % addresses.Count;
            try
            {
                var answer = await ask(addresses[index], cancellationToken);
                Volatile.Write(ref _preferred, index);
                return answer;
            }
            // Whatever one instance fails with (a reset, a timeout, an error the handler did not wrap), the next is
            // asked; only the caller's own cancellation ends the round.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e;
            }
        }
        throw failure ?? new HttpRequestException("No identity instance is configured.");
    }
}
