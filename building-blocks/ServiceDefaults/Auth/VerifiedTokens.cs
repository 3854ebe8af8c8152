using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using Community.ServiceDefaults.Telemetry;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>
/// Access tokens whose signature and claims this instance has already verified, keyed by the token's exact text: the
/// same bytes carry the same signature, so the ECDSA check (most of a token check's CPU) is done once per token, not
/// once per request. A hit still has its lifetime checked against the clock and its key looked up (a retired key
/// refuses it), and the session revocation check runs on every request after this (OnTokenValidated). Bounded: past
/// <see cref="Capacity"/> entries, expired ones go, then everything. One cache per handler, and a handler belongs to
/// one scheme's options, so every entry was verified under the same issuer, audience and keys.
/// </summary>
internal sealed class VerifiedTokens
{
    public const int Capacity = 50_000;

    private static readonly Counter<long> Checks = DiagnosticNames.Meter.CreateCounter<long>(
        "community.auth.access_token_checks",
        description: "Access tokens accepted, by whether the signature was verified now or earlier (cache)."
    );

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(JsonWebToken Token, ClaimsIdentity Identity);

    /// <summary>The verified token again, if it is still within its lifetime.</summary>
    public TokenValidationResult? Find(string token, TokenValidationParameters parameters)
    {
        if (!_entries.TryGetValue(token, out var entry))
            return null;
        if (!WithinLifetime(entry.Token, parameters))
        {
            _entries.TryRemove(token, out _);
            return null;
        }
        Checks.Add(1, new KeyValuePair<string, object?>("verified", "cache"));
        return Accepted(entry.Token, entry.Identity.Clone());
    }

    public void Add(string token, JsonWebToken jwt, TokenValidationResult result, TokenValidationParameters parameters)
    {
        Checks.Add(1, new KeyValuePair<string, object?>("verified", "signature"));
        if (result.ClaimsIdentity is not { } identity)
            return;
        if (_entries.Count >= Capacity)
        {
            foreach (var (key, entry) in _entries)
                if (!WithinLifetime(entry.Token, parameters))
                    _entries.TryRemove(key, out _);
            if (_entries.Count >= Capacity)
                _entries.Clear();
        }
        // A copy: the request's principal may be changed by what runs after authentication.
        _entries[token] = new Entry(jwt, identity.Clone());
    }

    private static bool WithinLifetime(JsonWebToken jwt, TokenValidationParameters parameters) =>
        parameters.LifetimeValidator?.Invoke(Date(jwt.ValidFrom), Date(jwt.ValidTo), jwt, parameters)
        ?? jwt.ValidTo.Add(parameters.ClockSkew) >= DateTime.UtcNow;

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
}
