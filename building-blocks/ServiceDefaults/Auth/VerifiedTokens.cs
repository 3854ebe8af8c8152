using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using Community.ServiceDefaults.Telemetry;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Access tokens whose signature this instance has already verified, keyed by the token's exact text: the same bytes
/// carry the same signature, so the ECDSA check (most of a token check's CPU) is done once per token, not once per
/// request. A hit still has its lifetime checked against the clock and its key looked up (a retired key refuses it),
/// and the session revocation check runs on every request after this (OnTokenValidated). A token past its lifetime
/// stays, refused as expired: a client replaying one costs a lookup, not a signature check, each time. Bounded: past
/// <see cref="Capacity"/> entries, expired ones go, then everything. One cache per handler, and a handler belongs to
/// one scheme's options, so every entry was verified under the same keys (and an accepted one under the same issuer
/// and audience; the library checks the lifetime before those, so an expired one is refused whatever they are).
/// </summary>
internal sealed class VerifiedTokens(TimeProvider clock)
{
    public const int Capacity = 50_000;

    private static readonly Counter<long> Checks = DiagnosticNames.Meter.CreateCounter<long>(
        "community.auth.access_token_checks",
        description: "Access tokens whose signature held, by whether it was verified now or earlier (cache) and "
            + "whether the token was accepted or had expired."
    );

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // No identity: the token had expired when it was verified, so it is only ever refused.
    private sealed record Entry(JsonWebToken Token, ClaimsIdentity? Identity);

    /// <summary>
    /// The verified token again if it is still within its lifetime, the library's refusal for its lifetime if it has
    /// expired; null if it was not verified here.
    /// </summary>
    public TokenValidationResult? Find(string token, TokenValidationParameters parameters)
    {
        if (!_entries.TryGetValue(token, out var entry))
            return null;
        if (!WithinLifetime(entry.Token, parameters))
        {
            Count("cache", "expired");
            return Expired(entry.Token);
        }
        if (entry.Identity is not { } identity)
        {
            // Expired when verified, within its lifetime now: the clock went back, so it is verified again.
            _entries.TryRemove(token, out _);
            return null;
        }
        Count("cache", "accepted");
        return Accepted(entry.Token, identity.Clone());
    }

    public void Add(string token, JsonWebToken jwt, TokenValidationResult result, TokenValidationParameters parameters)
    {
        Count("signature", "accepted");
        // A copy: the request's principal may be changed by what runs after authentication.
        if (result.ClaimsIdentity is { } identity)
            Store(token, new Entry(jwt, identity.Clone()), parameters);
    }

    /// <summary>A token whose signature held and whose lifetime the library then refused.</summary>
    public void AddExpired(string token, JsonWebToken jwt, TokenValidationParameters parameters)
    {
        Count("signature", "expired");
        // Only an ended lifetime stays ended; a token not valid yet is verified each time, as it may pass later.
        if (jwt.ValidTo != DateTime.MinValue && jwt.ValidTo.Add(parameters.ClockSkew) < clock.GetUtcNow().UtcDateTime)
            Store(token, new Entry(jwt, null), parameters);
    }

    private void Store(string token, Entry entry, TokenValidationParameters parameters)
    {
        if (_entries.Count >= Capacity)
        {
            foreach (var (key, held) in _entries)
                if (!WithinLifetime(held.Token, parameters))
                    _entries.TryRemove(key, out _);
            if (_entries.Count >= Capacity)
                _entries.Clear();
        }
        _entries[token] = entry;
    }

    private static void Count(string verified, string outcome) =>
        Checks.Add(
            1,
            new KeyValuePair<string, object?>("verified", verified),
            new KeyValuePair<string, object?>("outcome", outcome)
        );

    private bool WithinLifetime(JsonWebToken jwt, TokenValidationParameters parameters) =>
        parameters.LifetimeValidator?.Invoke(Date(jwt.ValidFrom), Date(jwt.ValidTo), jwt, parameters)
        ?? jwt.ValidTo.Add(parameters.ClockSkew) >= clock.GetUtcNow().UtcDateTime;

    private static DateTime? Date(DateTime value) => value == DateTime.MinValue ? null : value;

    private static TokenValidationResult Accepted(JsonWebToken jwt, ClaimsIdentity identity) =>
        new()
        {
            IsValid = true,
            SecurityToken = jwt,
            ClaimsIdentity = identity,
            Issuer = jwt.Issuer,
            TokenType = jwt.Typ,
        };

    // The type the library gives when the lifetime validator refuses, so the request is treated as it was before.
    private static TokenValidationResult Expired(JsonWebToken jwt) =>
        new()
        {
            IsValid = false,
            SecurityToken = jwt,
            Exception = new SecurityTokenInvalidLifetimeException("The token has expired.")
            {
                NotBefore = Date(jwt.ValidFrom),
                Expires = Date(jwt.ValidTo),
            },
        };
}
